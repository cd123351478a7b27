"""Planned vs done of pairings (挂钩联系): how many visits each pairing's plan asked for so far and how
many visits the paired person actually made to the place.

The plan counts calendar periods ("2 visits per month" means each calendar month), from the month
(quarter, year) the pairing started in to the one that holds the end of the window; the period the
pairing started in counts in full. A period counts as *due* once it is over (before today, and inside
the window); the shortfall is what the due periods asked for minus what was done, so nobody is marked
short on the first day of a month.

A visit counts for a pairing when the paired person made it, inside the window and the pairing's own
dates, to the place: the household (household pairings), any place in the village (village pairings:
the village itself or one of its households) or the enterprise. Counting is one query: a correlated
COUNT subquery per pairing row, not a query per pairing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from minyi.outreach.choices import PlanPeriod
from minyi.outreach.models import Pairing, Visit

MONTHS_PER_PERIOD = {PlanPeriod.MONTH: 1, PlanPeriod.QUARTER: 3, PlanPeriod.YEAR: 12}


@dataclass
class Progress:
    """One pairing's plan against what was done, in the window [start, end]."""

    pairing: Pairing
    start: date
    end: date
    planned: int  # visits the plan asks for in the periods begun so far (the current one included)
    due: int  # visits the plan asks for in the periods already over
    done: int

    @property
    def shortfall(self) -> int:
        """Visits missing from the periods already over (0 when on track)."""
        return max(0, self.due - self.done)

    @property
    def behind(self) -> bool:
        return self.shortfall > 0

    @property
    def percent(self) -> int:
        """Done as a share of planned so far (100 when nothing was planned yet)."""
        return min(100, round(100 * self.done / self.planned)) if self.planned else 100


def _index(day: date, months: int) -> int:
    """The number of the calendar period (of ``months`` months) that holds ``day``."""
    return (day.year * 12 + day.month - 1) // months


def _period_end(index: int, months: int) -> date:
    """The last day of calendar period number ``index``."""
    year, month = divmod((index + 1) * months, 12)
    return date(year, month + 1, 1) - timedelta(days=1)


def plan_counts(pairing: Pairing, start: date, end: date, today: date) -> tuple[int, int]:
    """(planned, due) for the pairing in the window [start, end] as seen on ``today``."""
    if end < start:
        return 0, 0
    months = MONTHS_PER_PERIOD[PlanPeriod(pairing.period)]
    first, last = _index(start, months), _index(end, months)
    begun = last - first + 1
    last_end = _period_end(last, months)
    over = begun if last_end <= end and last_end < today else begun - 1
    return pairing.visits_planned * begun, pairing.visits_planned * over


def window(pairing: Pairing, today: date, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The days of the pairing that count: from its start (or ``date_from``) to its end, ``date_to``
    or today, whichever comes first."""
    start = max(pairing.started_on, date_from) if date_from else pairing.started_on
    end = min(d for d in (today, pairing.ended_on, date_to) if d is not None)
    return start, end


def visits_done(
    pairings: QuerySet[Pairing], today: date, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Pairing]:
    """``pairings`` annotated with ``done``: the visits counted for each (see the module docstring)."""
    visits = Visit.objects.filter(
        Q(household=OuterRef("household")) | Q(village=OuterRef("unit")) | Q(enterprise=OuterRef("unit")),
        visitor=OuterRef("person"),
        visited_on__gte=OuterRef("started_on"),
        visited_on__lte=Coalesce(OuterRef("ended_on"), Value(today)),
    )
    if date_from is not None:
        visits = visits.filter(visited_on__gte=date_from)
    visits = visits.filter(visited_on__lte=min(today, date_to) if date_to else today)
    count = visits.order_by().values("visitor").annotate(n=Count("pk")).values("n")
    return pairings.annotate(done=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)))


def measure(
    pairing: Pairing, today: date, date_from: date | None = None, date_to: date | None = None
) -> Progress:
    """Planned vs done of one pairing annotated by ``visits_done`` (no query)."""
    start, end = window(pairing, today, date_from, date_to)
    planned, due = plan_counts(pairing, start, end, today)
    done = pairing.done if end >= start else 0  # type: ignore[attr-defined]  # set by visits_done
    return Progress(pairing, start, end, planned, due, done)


def progress(
    pairings: QuerySet[Pairing], today: date, date_from: date | None = None, date_to: date | None = None
) -> list[Progress]:
    """Planned vs done of each pairing, in one query (the pairings with their counts)."""
    annotated = visits_done(
        pairings.select_related("person", "unit", "household__village"), today, date_from, date_to
    )
    return [measure(pairing, today, date_from, date_to) for pairing in annotated]
