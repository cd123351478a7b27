"""The daily summary (kpi.models.DailyCount): for each unit and local day, how many records each side of
each rate has — its ``extra`` part, which does not depend on the period — so that ranking a year adds
up some thousand rows instead of counting a million.

How it stays exact on every write: a write to an appeal's records marks the days those records count
on as stale (``touch_*``, called from signals.py and verdicts.py, in the writer's transaction; writers
only insert marks, so they never wait for one another). Before any figure is read, ``refresh``
recomputes the stale days from the records — with the very conditions of metrics.py, one grouped
query per table and date field — and removes the marks it has seen. A mark committed while a
refresh runs stays, and its day is recomputed by the next read. ``rebuild`` recomputes everything
(after a bulk load that bypassed the rules: ``manage.py kpi rebuild``).

The records' dates never move once written (an answer's moment, a follow-up's moment, the moment an
appeal was received or dispatched), so the days of a record before and after a write are the same;
a tool that moves them (a data repair, a test) calls ``touch_appeals`` before and after, as
``shift`` in the tests does, and a bulk load that bypassed the rules ends with ``rebuild``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from minyi.appeals.choices import AssignmentRole
from minyi.appeals.models import Appeal, Assignment
from minyi.dates import local_day
from minyi.kpi.metrics import Period, Side, Source, sides
from minyi.kpi.models import DailyCount, StaleDay, Verdict
from minyi.replica import may_refresh_summaries

#: Stale marks removed per statement (keeps the list of ids within every database's limits).
CHUNK = 500


#: The date fields the summary counts on, by table: a mark names one of them and a day.
RECEIVED, DISPATCHED, ANSWERED = "appeal.received_at", "assignment.dispatched_at", "assignment.finished_at"
FOLLOWED_UP, JUDGED = "verdict.at", "verdict.answered_at"


#: A mark that makes the next read rebuild everything (left by bulk loads that bypassed the rules).
EVERYTHING = "*"


def touch_everything() -> None:
    """Mark every day of every date field stale, and the follow-up verdicts too: the next read
    rebuilds them all (what a bulk load past the rules, such as minyi.demo.volume, asks for)."""
    StaleDay.objects.create(window=EVERYTHING, day=timezone.localdate())


def touch(marks: Iterable[tuple[str, datetime | None]]) -> None:
    """Mark the days of these (date field, moment) pairs stale: their counts on that field are
    recomputed before the next figures are read."""
    days = {(window, local_day(moment)) for window, moment in marks if moment is not None}
    StaleDay.objects.bulk_create([StaleDay(window=window, day=day) for window, day in sorted(days)])


def touch_assignment(assignment: Assignment) -> None:
    if assignment.role == AssignmentRole.LEAD:
        touch([(DISPATCHED, assignment.dispatched_at), (ANSWERED, assignment.finished_at)])


def touch_verdicts(rows: Iterable[Verdict]) -> None:
    touch(mark for v in rows for mark in ((FOLLOWED_UP, v.at), (JUDGED, v.answered_at)))


def touch_appeals(appeal_ids: Iterable[int]) -> None:
    """Mark every day the records of these appeals count on: reception, their lead assignments'
    dispatch and answer, their follow-ups and the answers those judged."""
    ids = list(appeal_ids)
    marks: list[tuple[str, datetime | None]] = [
        (RECEIVED, received)
        for received in Appeal.objects.filter(pk__in=ids).values_list("received_at", flat=True)
    ]
    lead = Assignment.objects.filter(appeal_id__in=ids, role=AssignmentRole.LEAD)
    for dispatched, finished in lead.values_list("dispatched_at", "finished_at"):
        marks += [(DISPATCHED, dispatched), (ANSWERED, finished)]
    for at, answered in Verdict.objects.filter(appeal_id__in=ids).values_list("at", "answered_at"):
        marks += [(FOLLOWED_UP, at), (JUDGED, answered)]
    touch(marks)


# --- recomputing days --------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A date field the summary counts on, with the sides counted by it."""

    source: Source
    field: str
    sides: list[tuple[str, Side]]

    @property
    def name(self) -> str:
        return f"{self.source.name}.{self.field}"


def windows() -> dict[str, Window]:
    """The summarized sides, by the date field they count on ("assignment.dispatched_at" …)."""
    found: dict[str, Window] = {}
    for name, side in sides():
        if side.source.summarized:
            window = found.setdefault(
                f"{side.source.name}.{side.window}", Window(side.source, side.window, [])
            )
            window.sides.append((name, side))
    return found


def day_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days joined into (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def count_days(window: Window, days: Iterable[date] | None) -> list[DailyCount]:
    """The counts of ``window``'s sides on ``days`` (None: on every day), from the records: one
    grouped query, by unit and local day, a conditional count per side."""
    source = window.source
    rows = source.model._default_manager.filter(source.base, **{f"{source.unit_field}__isnull": False})
    if days is not None:
        runs = [Period(a, b).holds(source.model, window.field) for a, b in day_runs(days)]
        rows = rows.filter(reduce(or_, runs))
    grouped = (
        rows.annotate(kpi_day=TruncDate(window.field, tzinfo=timezone.get_default_timezone()))
        .order_by()
        .values(source.unit_field, "kpi_day")
        .annotate(**{f"c{i}": Count("pk", filter=side.extra) for i, (_name, side) in enumerate(window.sides)})
    )
    counts: list[DailyCount] = []
    for row in grouped:
        for i, (name, _side) in enumerate(window.sides):
            if n := row[f"c{i}"]:
                counts.append(DailyCount(day=row["kpi_day"], unit_id=row[source.unit_field], key=name, n=n))
    return counts


def refresh() -> int:
    """Recompute the stale days (under a lock, so that two readers do not recompute at once) and
    remove the marks seen; after a bulk load, rebuild everything. Return how many counts were
    recomputed."""
    if not may_refresh_summaries():
        return 0
    if not StaleDay.objects.exists():  # the usual case when nothing was written since the last read
        return 0
    with transaction.atomic():
        marks = list(StaleDay.objects.select_for_update().order_by("pk").values_list("pk", "window", "day"))
        if any(name == EVERYTHING for _pk, name, _day in marks):
            from minyi.kpi import verdicts  # (verdicts marks days through this module)

            verdicts.rebuild()
            return rebuild()
        stale: dict[str, set[date]] = defaultdict(set)
        recounted = 0
        for _pk, name, day in marks:
            stale[name].add(day)
        every = windows()
        for name, days in stale.items():
            window = every[name]
            fresh = count_days(window, days)
            recounted += len(fresh)
            keys = [key for key, _side in window.sides]
            DailyCount.objects.filter(day__in=sorted(days), key__in=keys).delete()
            DailyCount.objects.bulk_create(fresh, batch_size=2000)
        ids = [pk for pk, _name, _day in marks]
        for start in range(0, len(ids), CHUNK):
            StaleDay.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
    return recounted


def rebuild() -> int:
    """Recompute every count from the records; return how many (unit, day, side) counts there are."""
    with transaction.atomic():
        seen = list(StaleDay.objects.select_for_update().values_list("pk", flat=True))
        fresh = [count for window in windows().values() for count in count_days(window, None)]
        DailyCount.objects.all().delete()
        DailyCount.objects.bulk_create(fresh, batch_size=5000)
        # Only the marks seen before counting: a write committed meanwhile is recounted next time.
        for start in range(0, len(seen), CHUNK):
            StaleDay.objects.filter(pk__in=seen[start : start + CHUNK]).delete()
    return len(fresh)


def sums(period: Period, unit_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """The summed daily counts of the period per unit and side (after ``refresh``)."""
    return sums_by_period([period], unit_ids)[0]


def sums_by_period(periods: Sequence[Period], unit_ids: Sequence[int]) -> list[dict[int, dict[str, int]]]:
    """``sums`` of each of several periods that do not overlap, in one query."""
    totals: list[dict[int, dict[str, int]]] = [defaultdict(dict) for _period in periods]
    if not periods:
        return totals
    which = Case(
        *(When(day__gte=p.first, day__lte=p.last, then=Value(i)) for i, p in enumerate(periods)),
        output_field=IntegerField(),
    )
    rows = (
        DailyCount.objects.filter(unit_id__in=unit_ids)
        .filter(day__gte=min(p.first for p in periods), day__lte=max(p.last for p in periods))
        .annotate(period=which)
        .filter(period__isnull=False)
        .order_by()
        .values("period", "unit_id", "key")
        .annotate(n=Sum("n"))
        .values_list("period", "unit_id", "key", "n")
    )
    for i, unit_id, name, n in rows:
        totals[i][unit_id][name] = n
    return totals
