"""The bulletin's choices: campaign, period and unit (within what the user may see)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from minyi.kpi.rules import ranked_units
from minyi.ledger.models import Campaign
from minyi.org.models import Unit


class BulletinForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.order_by("-starts_on"), required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], whole_district: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        field.required = not whole_district
        field.empty_label = _("Whole district") if whole_district else None


class DashboardForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("-starts_on"),
        required=False,
        empty_label=_("Live: the last 30 days"),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], whole_district: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        field.empty_label = _("Whole district") if whole_district else None


def units_for(scope_unit: Unit | None) -> QuerySet[Unit]:
    """The units a bulletin may be written for: townships and departments (and the user's own unit)."""
    units = ranked_units()
    if scope_unit is None:
        return units
    return Unit.objects.filter(
        pk__in=[scope_unit.pk, *units.filter(path__startswith=scope_unit.path).values_list("pk", flat=True)]
    ).order_by("path")
