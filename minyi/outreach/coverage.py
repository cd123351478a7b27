"""Visit coverage (进村入户): villages and households visited / total, by township and by visitor, for
a period, with the places not yet visited. Every figure is an aggregate query (COUNT / COUNT
DISTINCT, NOT EXISTS for the not-yet-visited lists), so the cost does not grow with a loop over
households; the page and ``manage.py outreach coverage`` share ``coverage``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from minyi.appeals.choices import State
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Household, Person, Unit
from minyi.outreach.models import Difficulty, Visit

#: An appeal made of a difficulty counts as resolved once it is answered or closed.
RESOLVED_APPEAL_STATES = (State.REPLIED, State.CLOSED)


@dataclass
class Row:
    """Coverage figures of one township (or of the whole scope, as the total)."""

    code: str
    name: str
    villages_total: int = 0
    villages_visited: int = 0
    households_total: int = 0
    households_visited: int = 0
    difficulties_found: int = 0
    difficulties_resolved: int = 0

    @property
    def villages_percent(self) -> float:
        return round(100 * self.villages_visited / self.villages_total, 1) if self.villages_total else 0.0

    @property
    def households_percent(self) -> float:
        return (
            round(100 * self.households_visited / self.households_total, 1) if self.households_total else 0.0
        )


@dataclass
class VisitorRow:
    """What one leader or cadre did in the period."""

    person_id: int
    name: str
    unit: str
    visits: int
    villages_visited: int
    households_visited: int
    difficulties_found: int


@dataclass
class Coverage:
    """The figures for a scope and a period; the not-visited lists are querysets to page through."""

    date_from: date | None
    date_to: date | None
    total: Row
    townships: list[Row] = field(default_factory=list)
    visitors: list[VisitorRow] = field(default_factory=list)
    within: Unit | None = None
    #: Only these villages (ids), e.g. the ones a leader is paired with; None: every village in scope.
    villages: frozenset[int] | None = None

    def villages_not_visited(self) -> QuerySet[Unit]:
        return _villages(self.within, self.villages).filter(
            ~Exists(_visits(self.date_from, self.date_to).filter(village=OuterRef("pk")))
        )

    def households_not_visited(self) -> QuerySet[Household]:
        visited = _visits(self.date_from, self.date_to).filter(household=OuterRef("pk"))
        return _households(self.within, self.villages).filter(~Exists(visited)).select_related("village")

    def as_json(self) -> dict[str, Any]:
        def row(r: Row) -> dict[str, Any]:
            return {
                **asdict(r),
                "villages_percent": r.villages_percent,
                "households_percent": r.households_percent,
            }

        return {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "within": self.within.code if self.within else None,
            "total": row(self.total),
            "townships": [row(r) for r in self.townships],
            "visitors": [asdict(v) for v in self.visitors],
            "villages_not_visited": list(self.villages_not_visited().values_list("code", flat=True)),
        }


def _villages(within: Unit | None, only: Collection[int] | None = None) -> QuerySet[Unit]:
    villages = Unit.objects.filter(kind__in=RESIDENTIAL_KINDS, is_active=True)
    if only is not None:
        villages = villages.filter(pk__in=only)
    return villages.filter(path__startswith=within.path) if within is not None else villages


def _households(within: Unit | None, only: Collection[int] | None = None) -> QuerySet[Household]:
    households = Household.objects.all()
    if only is not None:
        households = households.filter(village__in=only)
    return households.filter(village__path__startswith=within.path) if within is not None else households


def _visits(date_from: date | None, date_to: date | None) -> QuerySet[Visit]:
    visits = Visit.objects.all()
    if date_from is not None:
        visits = visits.filter(visited_on__gte=date_from)
    if date_to is not None:
        visits = visits.filter(visited_on__lte=date_to)
    return visits


def period_of(
    campaign: Campaign | None, date_from: date | None, date_to: date | None
) -> tuple[date | None, date | None]:
    """The period asked for: the campaign's dates when one is given, else from/to (either open)."""
    if campaign is not None:
        return campaign.starts_on, campaign.ends_on
    return date_from, date_to


def coverage(
    *,
    within: Unit | None = None,
    campaign: Campaign | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    villages: Collection[int] | None = None,
    by_visitor: bool = True,
) -> Coverage:
    """Coverage of the villages and households under ``within`` (None: everything) by visits in the
    period (a campaign's dates, or from/to), by township and by visitor; only of ``villages`` (ids:
    villages or enterprises, e.g. a leader's pairings) when given. ``by_visitor=False`` leaves the
    per-visitor rows out (the dashboards and the bulletin read the totals only)."""
    date_from, date_to = period_of(campaign, date_from, date_to)
    only = None if villages is None else frozenset(villages)
    visits = _visits(date_from, date_to)
    if within is not None:
        visits = visits.filter(
            Q(village__path__startswith=within.path) | Q(enterprise__path__startswith=within.path)
        )
    if only is not None:
        visits = visits.filter(Q(village__in=only) | Q(enterprise__in=only))
    townships: dict[int | None, Row] = {}
    names = Unit.objects.filter(kind=UnitKind.TOWNSHIP)
    if within is not None:
        names = names.filter(Q(path__startswith=within.path) | Q(pk__in=_villages(within).values("parent")))
    if only is not None:
        names = names.filter(pk__in=_villages(within, only).values("parent"))
    for town in names.order_by("path"):
        townships[town.pk] = Row(code=town.code, name=town.name)

    def at(key: int | None) -> Row:
        if key not in townships:
            townships[key] = Row(code="", name="—")
        return townships[key]

    for item in _villages(within, only).values("parent").annotate(n=Count("id")):
        at(item["parent"]).villages_total = item["n"]
    for item in _households(within, only).values("village__parent").annotate(n=Count("id")):
        at(item["village__parent"]).households_total = item["n"]
    for item in visits.values("township").annotate(
        villages=Count("village", distinct=True), households=Count("household", distinct=True)
    ):
        row = at(item["township"])
        row.villages_visited, row.households_visited = item["villages"], item["households"]
    resolved = Q(handled_on_spot=True) | Q(appeal__state__in=RESOLVED_APPEAL_STATES)
    difficulties = Difficulty.objects.filter(visit__in=visits.values("pk"))
    for item in difficulties.values("visit__township").annotate(
        found=Count("id"), resolved=Count("id", filter=resolved)
    ):
        row = at(item["visit__township"])
        row.difficulties_found, row.difficulties_resolved = item["found"], item["resolved"]
    total = Row(code=within.code if within else "", name=within.name if within else "")
    # Distinct across townships: totals are counted again, not summed (a household visited by two
    # cadres of two townships is one household).
    overall = visits.aggregate(
        villages=Count("village", distinct=True), households=Count("household", distinct=True)
    )
    total.villages_visited, total.households_visited = overall["villages"], overall["households"]
    rows = [r for r in townships.values() if r.villages_total or r.villages_visited or r.difficulties_found]
    total.villages_total = sum(r.villages_total for r in rows)
    total.households_total = sum(r.households_total for r in rows)
    total.difficulties_found = sum(r.difficulties_found for r in rows)
    total.difficulties_resolved = sum(r.difficulties_resolved for r in rows)
    visitors = _visitor_rows(visits) if by_visitor else []
    return Coverage(
        date_from=date_from,
        date_to=date_to,
        total=total,
        townships=rows,
        visitors=visitors,
        within=within,
        villages=only,
    )


def _visitor_rows(visits: QuerySet[Visit]) -> list[VisitorRow]:
    """Visits, villages, households and difficulties per visitor (one grouped query, one for names)."""
    found = {
        item["visitor"]: item
        for item in visits.values("visitor").annotate(
            visits=Count("id", distinct=True),
            villages=Count("village", distinct=True),
            households=Count("household", distinct=True),
            found=Count("difficulties"),
        )
    }
    people = Person.objects.filter(pk__in=found).select_related("unit").order_by("unit__path", "name")
    return [
        VisitorRow(
            person_id=person.pk,
            name=person.name,
            unit=person.unit.name,
            visits=found[person.pk]["visits"],
            villages_visited=found[person.pk]["villages"],
            households_visited=found[person.pk]["households"],
            difficulties_found=found[person.pk]["found"],
        )
        for person in people
    ]
