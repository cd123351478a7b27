"""Forms of the village party organisation pages; they only parse input, rules.py decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.fields import ModelChoice, UnitChoice
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import AnyUser, scope_filter
from minyi.partybuilding.choices import TaskArea

_TEXT = {"rows": 3}
_DATE = {"type": "date"}


def village_branches(user: AnyUser) -> QuerySet[Unit]:
    """Party branches of villages and communities in the user's scope."""
    units = Unit.objects.filter(
        kind=UnitKind.PARTY_BRANCH, parent__kind__in=RESIDENTIAL_KINDS, is_active=True
    ).select_related("parent__parent")
    return scope_filter(user, units, "path").order_by("path")


class BranchChoice(ModelChoice):
    def label_from_instance(self, obj: Unit) -> str:
        town = obj.parent.parent if obj.parent is not None else None
        return f"{town.name if town else ''} {obj.name}".strip()


class BranchesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return BranchChoice.label_from_instance(self, obj)  # type: ignore[arg-type]


class MarkForm(forms.Form):
    branch = BranchChoice(label=_("party branch"), queryset=Unit.objects.none())
    campaign = ModelChoice(label=_("campaign"), queryset=Campaign.objects.all(), required=False)
    marked_on = forms.DateField(label=_("marked weak on"), widget=forms.DateInput(attrs=_DATE))
    reasons = forms.CharField(
        label=_("reasons"),
        widget=forms.Textarea(attrs=_TEXT),
        help_text=_("e.g. 班子不团结、书记不胜任、组织生活不正常、集体经济薄弱"),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = village_branches(user)  # type: ignore[attr-defined]
        self.fields["marked_on"].initial = timezone.localdate()


class JointBranchForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100, help_text=_("e.g. 东村联村党总支"))
    township = UnitChoice(label=_("township"), queryset=Unit.objects.none())
    campaign = ModelChoice(label=_("campaign"), queryset=Campaign.objects.all())
    advanced = BranchesChoice(
        label=_("advanced branches (leading)"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    weak = BranchesChoice(
        label=_("weak branches"), queryset=Unit.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    formed_on = forms.DateField(label=_("formed on"), widget=forms.DateInput(attrs=_DATE))

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        towns = Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True)
        self.fields["township"].queryset = scope_filter(user, towns, "path").order_by("path")  # type: ignore[attr-defined]
        for name in ("advanced", "weak"):
            self.fields[name].queryset = village_branches(user)  # type: ignore[attr-defined]
        self.fields["formed_on"].initial = timezone.localdate()


class TaskForm(forms.Form):
    area = forms.ChoiceField(label=_("area"), choices=TaskArea.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs=_TEXT), required=False)
    track = forms.ChoiceField(label=_("track"), choices=Track.choices, initial=Track.LONG_TERM)
    leader = ModelChoice(
        label=_("supervising leader"),
        queryset=User.objects.filter(person__role=Role.LEADER, is_active=True).select_related("person"),
    )
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs=_DATE))
    quantity_total = forms.DecimalField(
        label=_("planned quantity"), max_digits=12, decimal_places=2, required=False
    )
    quantity_unit = forms.CharField(
        label=_("unit of quantity"), max_length=20, required=False, help_text=_("e.g. 公里, 户, 个")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].label_from_instance = lambda user: user.person.name  # type: ignore[attr-defined]

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline


class ClearForm(forms.Form):
    decision = forms.CharField(
        label=_("clearing decision"),
        widget=forms.Textarea(attrs=_TEXT),
        help_text=_("e.g. 经镇党委研究并报区委组织部审核，同意该村党组织摘除软弱涣散帽子。"),
    )
    cleared_on = forms.DateField(label=_("cleared on"), widget=forms.DateInput(attrs=_DATE))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cleared_on"].initial = timezone.localdate()
