"""The bulletin's choices: campaign, period and unit (within what the user may see)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from minyi.fields import ModelChoice, UnitChoice
from minyi.kpi.rules import ranked_units
from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.org.permissions import AnyUser, scope_of
from minyi.reports import dashboard


class BulletinForm(forms.Form):
    campaign = ModelChoice(
        label=_("Campaign"), queryset=Campaign.objects.order_by("-starts_on"), required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    unit = UnitChoice(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], whole_district: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        field.required = not whole_district
        field.empty_label = _("Whole district") if whole_district else None


#: A leader's dashboard: their own items, villages and units (the default), or the whole district.
MINE, DISTRICT = "mine", "district"


class DashboardForm(forms.Form):
    """Campaign (or live) and unit; for a leader also ``view``: their own part or the whole district
    (a unit is chosen within the whole district)."""

    view = forms.ChoiceField(
        label=_("Show"),
        choices=[(MINE, _("My items, villages and units")), (DISTRICT, _("Whole district"))],
        required=False,
        initial=MINE,
    )
    campaign = ModelChoice(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("-starts_on"),
        required=False,
        empty_label=_("Live: the last 30 days"),
    )
    unit = UnitChoice(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(
        self, *args: Any, units: QuerySet[Unit], whole_district: bool, leader: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        field.empty_label = _("Whole district") if whole_district else None
        if not leader:
            del self.fields["view"]  # others have no "mine": a view=mine they send is ignored

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "view" in self.fields:
            if data.get("view") == MINE and data.get("unit"):
                raise forms.ValidationError(
                    _("Your own items, villages and units are not split by unit: choose the whole district.")
                )
            # A unit chosen without saying which view (an older link) is a look at the district.
            data["mine"] = data.get("view", "") != DISTRICT and not data.get("unit")
        else:
            data["mine"] = False
        return data


def units_for(scope_unit: Unit | None) -> QuerySet[Unit]:
    """The units a bulletin may be written for: townships and departments (and the user's own unit)."""
    units = ranked_units()
    if scope_unit is None:
        return units
    return Unit.objects.filter(
        pk__in=[scope_unit.pk, *units.filter(path__startswith=scope_unit.path).values_list("pk", flat=True)]
    ).order_by("path")


def scope_unit_of(user: AnyUser) -> Unit | None:
    """The viewer's own unit, or None for district-wide roles (whose scope is the root unit)."""
    scope = scope_of(user)
    return scope if isinstance(scope, Unit) and scope.parent_id is not None else None


def chosen_dashboard(
    user: AnyUser, query: Mapping[str, Any] | None
) -> tuple[DashboardForm, dashboard.View | None]:
    """The dashboard form for ``user`` and the view its ``query`` chooses (None when the query is bad):
    the page and its exports read the same view. A leader's page opens on their own items, villages and
    units."""
    scope_unit = scope_unit_of(user)
    form = DashboardForm(
        query or None,
        units=units_for(scope_unit),
        whole_district=scope_unit is None,
        leader=dashboard.is_leader(user),
    )
    if query and not form.is_valid():
        return form, None
    data = form.cleaned_data if query else {"mine": "view" in form.fields}
    unit = data.get("unit") or scope_unit
    return form, dashboard.view_for(user, campaign=data.get("campaign"), unit=unit, mine=data["mine"])
