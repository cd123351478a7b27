"""Forms of the study pages; they only parse input, rules.py decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minyi.ledger.models import Campaign
from minyi.study.choices import ActivityKind, MaterialKind, VenueKind
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
    campaign = forms.ModelChoiceField(label=_("campaign"), queryset=Campaign.objects.all(), required=False)


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
    member = forms.ModelChoiceField(label=_("member"), queryset=Membership.objects.none())

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
    campaign = forms.ModelChoiceField(
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
