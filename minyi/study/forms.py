"""Forms of the study pages; they only parse input, rules.py decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minyi.fields import ModelChoice, UnitChoice
from minyi.ledger.models import Campaign
from minyi.org.models import Person, Unit
from minyi.study.choices import ActivityKind, BranchKind, MaterialKind, VenueKind
from minyi.study.models import Branch, Membership


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("check-in code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text", "size": 8}
        ),
    )


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    venue_kind = forms.ChoiceField(
        label=_("venues (lecture tours)"), choices=[("", "—"), *VenueKind.choices], required=False
    )
    campaign = ModelChoice(label=_("campaign"), queryset=Campaign.objects.all(), required=False)


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    topic = forms.CharField(label=_("topic"), max_length=200)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    ship = forms.CharField(label=_("ship"), max_length=100, required=False)
    speaker = forms.CharField(label=_("speaker"), max_length=100, required=False)
    branches = forms.ModelMultipleChoiceField(
        label=_("branches invited"), queryset=Branch.objects.none(), required=False
    )

    def __init__(self, *args: object, branches: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        if branches is not None:
            self.fields["branches"].queryset = branches  # type: ignore[attr-defined]  # a ModelMultipleChoiceField


class RecordForm(forms.Form):
    member = ModelChoice(label=_("member"), queryset=Membership.objects.none())

    def __init__(self, *args: object, members: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        if members is not None:
            self.fields["member"].queryset = members  # type: ignore[attr-defined]  # a ModelChoiceField


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=MaterialKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    count = forms.IntegerField(label=_("how many"), min_value=1)
    handed_on = forms.DateField(label=_("handed out on"), widget=forms.DateInput(attrs={"type": "date"}))


class PeriodForm(forms.Form):
    campaign = ModelChoice(
        label=_("campaign"), queryset=Campaign.objects.all(), required=False, to_field_name="code"
    )
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class PersonChoiceField(ModelChoice):
    """People by name and unit: names repeat across a district."""

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.unit.name}"


class BranchForm(forms.Form):
    """A branch's own fields; the querysets are the user's scope (see ``views_branches``)."""

    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=BranchKind.choices)
    unit = UnitChoice(
        label=_("unit it works under"),
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": _("This unit lies outside your area of work.")},
    )
    liaison = PersonChoiceField(
        label=_("liaison cadre"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choose a cadre or a leader of your area of work.")},
    )
    responsible = PersonChoiceField(
        label=_("responsible member"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choose a party member of your area of work.")},
    )

    def __init__(self, *args: Any, units: Any, liaisons: Any, members: Any, editing: bool = False,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["liaison"].queryset = liaisons  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["responsible"].queryset = members  # type: ignore[attr-defined]  # a ModelChoiceField
        if editing:
            del self.fields["code"]  # a branch keeps its code


class MemberSearchForm(forms.Form):
    """Find a party member of the user's scope by name, to put them on the roll."""

    find = forms.CharField(label=_("name of the member"), max_length=50, required=False)


class EnrolForm(forms.Form):
    """Put the chosen person on this branch's roll (home branch), studying with ``current_branch``."""

    person = ModelChoice(
        queryset=Person.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This person lies outside your area of work.")},
    )
    current_branch = ModelChoice(
        label=_("studies now with"), queryset=Branch.objects.none(), required=False,
        help_text=_("Leave empty when the member studies with this branch."),
    )  # fmt: skip
    mobile = forms.BooleanField(label=_("mobile member (流动党员)"), required=False)
    whereabouts = forms.CharField(label=_("where they work now"), max_length=100, required=False)

    def __init__(self, *args: Any, people: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["current_branch"].queryset = branches  # type: ignore[attr-defined]  # a ModelChoiceField


class MoveForm(forms.Form):
    """Move a member of the roll to another current branch, or mark them mobile with their whereabouts."""

    membership = ModelChoice(
        queryset=Membership.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This member is not on this branch's roll.")},
    )
    current_branch = ModelChoice(
        label=_("studies now with"),
        queryset=Branch.objects.none(),
        error_messages={"invalid_choice": _("This branch lies outside your area of work.")},
    )
    mobile = forms.BooleanField(label=_("mobile member (流动党员)"), required=False)
    whereabouts = forms.CharField(label=_("where they work now"), max_length=100, required=False)

    def __init__(self, *args: Any, members: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = members  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["current_branch"].queryset = branches  # type: ignore[attr-defined]  # a ModelChoiceField
