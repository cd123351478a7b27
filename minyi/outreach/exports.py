"""Outreach's Excel exports (see minyi.reports.exports): the visit coverage table, the user's own visits
and the pairing list, each with its page's filters and scope; household heads masked unless allowed
and asked for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.dates import day_text
from minyi.org.choices import UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import person_of, require, scope_of
from minyi.outreach.access import OutreachPerm, may_list
from minyi.outreach.choices import Checklist
from minyi.outreach.coverage import coverage
from minyi.outreach.forms import CoverageForm, PairingFilterForm
from minyi.outreach.models import Visit
from minyi.outreach.pairings import measure, visits_done
from minyi.outreach.queries import filtered, scoped_pairings
from minyi.privacy import mask_name
from minyi.sheets import AnyUser, Sheet, exporter, form_errors, picked, reveal_personal, yes_cell


@exporter("coverage")
def visit_coverage(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The visit coverage table by township (and the total) of the coverage page, in its scope."""
    require(user, OutreachPerm.VIEW_COVERAGE)
    scope = scope_of(user)
    within = scope if isinstance(scope, Unit) else None
    form = CoverageForm(picked(params, ("campaign", "date_from", "date_to")))
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    found = coverage(
        within=within,
        campaign=data.get("campaign"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    rows = [
        [row.name, row.villages_visited, row.villages_total, row.villages_percent, row.households_visited,
         row.households_total, row.households_percent, row.difficulties_found, row.difficulties_resolved]
        for row in [*found.townships, found.total]
    ]  # fmt: skip
    rows[-1][0] = _("Total")
    return Sheet(
        title=_("Visit coverage"),
        headers=[
            _("Township"),
            _("Villages visited"),
            _("Villages in all"),
            _("Villages visited (%)"),
            _("Households visited"),
            _("Households in all"),
            _("Households visited (%)"),
            _("Difficulties found"),
            _("Difficulties resolved"),
        ],
        rows=rows,
        total=len(rows),
    )


@exporter("visits")
def my_visits(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The user's own visits, newest first, as "My visits" lists them; household heads' names are
    masked unless the user may see personal data and asked for it."""
    require(user, OutreachPerm.ADD_VISIT)
    person = person_of(user)
    visits = Visit.objects.filter(visitor=person).select_related(
        "village", "township", "household", "enterprise", "campaign"
    )
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for v in visits.iterator(chunk_size=1000):
            head = v.household.head_name if v.household else ""
            yield [
                day_text(v.visited_on),
                v.get_place_kind_display(),
                v.township.name if v.township else "",
                v.village.name if v.village else "",
                v.household.code if v.household else "",
                head if reveal else mask_name(head),
                v.enterprise.name if v.enterprise else "",
                v.campaign.name if v.campaign else "",
                yes_cell(v.contact_card),
                yes_cell(v.urgent_matter),
                yes_cell(v.diary),
                yes_cell(v.assistance_plan),
                yes_cell(v.review_session),
            ]

    return Sheet(
        title=_("My visits"),
        headers=[
            _("Date"),
            _("Place"),
            _("Township"),
            _("Village / community"),
            _("Household"),
            _("Head of household"),
            _("Enterprise"),
            _("Campaign"),
            *(str(item.label) for item in Checklist),  # the default words (campaigns may use their own)
        ],
        rows=rows(),
        total=visits.count(),
        personal_fields=("head_name",) if reveal else (),
    )


@exporter("pairings")
def pairing_list(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The pairings of the user's scope with the list's filters, each with its plan and planned vs
    done in the period; a paired household's head is masked unless allowed and asked for."""
    if not may_list(user):
        require(user, OutreachPerm.VIEW_COVERAGE)
    form = PairingFilterForm(picked(params, PairingFilterForm.base_fields))
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    today = timezone.localdate()
    date_from, date_to = data.get("date_from"), data.get("date_to")
    pairings = filtered(scoped_pairings(user), data).order_by("state", "person__name", "pk")
    reveal = reveal_personal(user, params)

    def place(p: Any) -> list[str]:
        if p.household is not None:
            head = p.household.head_name
            return [str(_("Household")), p.household.village.name, p.household.code,
                    head if reveal else mask_name(head)]  # fmt: skip
        kind = _("Enterprise") if p.unit.kind == UnitKind.ENTERPRISE else _("Village / community")
        return [str(kind), p.unit.name, "", ""]

    def rows() -> Iterator[list[Any]]:
        for p in visits_done(pairings, today, date_from, date_to).iterator(chunk_size=1000):
            row = measure(p, today, date_from, date_to)
            yield [
                p.person.name,
                p.person.unit.name,
                *place(p),
                p.visits_planned,
                p.get_period_display(),
                p.purpose,
                row.planned,
                row.done,
                row.shortfall,
                day_text(row.start),
                day_text(row.end),
                p.get_state_display(),
                day_text(p.started_on),
                day_text(p.ended_on),
            ]

    return Sheet(
        title=_("Pairings"),
        headers=[
            _("Leader or cadre"),
            _("Unit"),
            _("Place"),
            _("Village / community or enterprise"),
            _("Household"),
            _("Head of household"),
            _("Visits planned"),
            _("Per"),
            _("Purpose"),
            _("Planned so far"),
            _("Done"),
            _("Short by"),
            _("Counted from"),
            _("Counted to"),
            _("State"),
            _("Since"),
            _("Ended on"),
        ],
        rows=rows(),
        total=pairings.count(),
        personal_fields=("head_name",) if reveal else (),
    )
