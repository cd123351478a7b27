"""The dashboards' daily appeal counts (models.AppealDayCount), exact on every write.

Same design as the KPI summary (minyi/kpi/summary.py): a write to an appeal marks the local day it
was received as stale (signals below, in the writer's transaction; writers only insert marks), and
before any figure is read ``refresh`` recounts the stale days from the records, one grouped query per
run of days, and removes the marks it has seen. A bulk load past the rules (minyi.demo.volume) marks
everything (``touch_everything``) and the next read rebuilds the table. ``fresh_counts`` counts the
same figures straight from the appeals: the reference the tests hold the summary to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from minyi.appeals.choices import State
from minyi.appeals.models import Appeal, Category
from minyi.dates import day_bounds, local_day
from minyi.kpi.summary import day_runs
from minyi.org.models import Unit
from minyi.replica import may_refresh_summaries
from minyi.reports.models import AppealDayCount, StaleAppealDay

#: The dimensions counted, and the appeal field each comes from.
DIMS = ("channel", "kind", "category", "township")
#: Appeal fields whose change can move a count.
COUNTED_FIELDS = frozenset({"channel", "kind", "category", "township", "lead_unit", "received_at", "state"})
CHUNK = 500

Key = tuple[int | None, str, str]  # (unit id or None, dim, value)


# --- marks ---------------------------------------------------------------------------------------------


def touch(days: Iterable[date]) -> None:
    StaleAppealDay.objects.bulk_create([StaleAppealDay(day=day) for day in sorted(set(days))])


def touch_everything() -> None:
    StaleAppealDay.objects.create(day=None)


def _appeal_saved(
    sender: type[Appeal], instance: Appeal, raw: bool = False, update_fields: Any = None, **_kw: Any
) -> None:
    if raw or (update_fields is not None and not set(update_fields) & COUNTED_FIELDS):
        return
    touch([local_day(instance.received_at)])


def _appeal_deleted(sender: type[Appeal], instance: Appeal, **_kw: Any) -> None:
    touch([local_day(instance.received_at)])


def connect() -> None:
    post_save.connect(_appeal_saved, sender=Appeal, dispatch_uid="reports_appeal_saved")
    post_delete.connect(_appeal_deleted, sender=Appeal, dispatch_uid="reports_appeal_deleted")


# --- counting ------------------------------------------------------------------------------------------


class Owners:
    """For each unit id, the units whose dashboards count its appeals (itself and its parents below
    the district); and each category's level-1 category."""

    def __init__(self) -> None:
        rows = list(Unit.objects.values_list("pk", "parent_id"))
        parent = dict(rows)
        self.chain: dict[int, list[int]] = {}
        for pk, _parent in rows:
            chain, at = [], pk
            while at is not None and parent.get(at) is not None:  # stop below the root
                chain.append(at)
                at = parent[at]
            self.chain[pk] = chain
        categories = dict(Category.objects.values_list("pk", "parent_id"))
        self.root: dict[int, int] = {}
        for pk in categories:
            at = pk
            while categories.get(at) is not None:
                at = categories[at]
            self.root[pk] = at

    def units(self, township: int | None, lead_unit: int | None) -> set[int | None]:
        found: set[int | None] = {None}
        for unit in (township, lead_unit):
            if unit is not None:
                found.update(self.chain.get(unit, [unit]))
        return found


def of_unit(unit: Unit | None) -> Q:
    """The appeals a unit's figures count, as ``Owners`` does: its township's, or led by it or a unit
    below it (everything when None). Used wherever a unit's appeals are counted live."""
    if unit is None:
        return Q()
    subtree = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return Q(township=unit) | Q(lead_unit__in=subtree)


def _counted(appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    return appeals.exclude(state=State.MERGED)


def count_rows(
    appeals: QuerySet[Appeal], owners: Owners, *, by_day: bool = True
) -> dict[tuple[date | None, int | None, str, str], int]:
    """The counts of ``appeals`` by (day, unit, dim, value): one grouped query."""
    fields = ["township", "lead_unit", "channel", "kind", "category"]
    grouped = _counted(appeals).order_by()
    if by_day:
        grouped = grouped.annotate(d=TruncDate("received_at", tzinfo=timezone.get_default_timezone()))
        fields.append("d")
    counts: dict[tuple[date | None, int | None, str, str], int] = defaultdict(int)
    for row in grouped.values(*fields).annotate(n=Count("pk")):
        day = row.get("d")
        category = owners.root.get(row["category"]) if row["category"] is not None else None
        values = {
            "channel": row["channel"],
            "kind": row["kind"],
            "category": "" if category is None else str(category),
            "township": "" if row["township"] is None else str(row["township"]),
        }
        for unit in owners.units(row["township"], row["lead_unit"]):
            for dim in DIMS:
                counts[(day, unit, dim, values[dim])] += row["n"]
    return counts


def _recount(days: list[date] | None) -> int:
    owners = Owners()
    appeals = Appeal.objects.all()
    if days is not None:
        runs = Q()
        for first, last in day_runs(days):
            start, end = day_bounds(first, last)
            runs |= Q(received_at__gte=start, received_at__lt=end)
        appeals = appeals.filter(runs)
        AppealDayCount.objects.filter(day__in=days).delete()
    else:
        AppealDayCount.objects.all().delete()
    rows = [
        AppealDayCount(day=day, unit_id=unit, dim=dim, value=value, n=n)
        for (day, unit, dim, value), n in count_rows(appeals, owners).items()
        if day is not None
    ]
    AppealDayCount.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def refresh() -> int:
    """Recount the stale days (under a lock, one reader at a time) and remove the marks seen."""
    if not may_refresh_summaries():
        return 0
    if not StaleAppealDay.objects.exists():
        return 0
    with transaction.atomic():
        marks = list(StaleAppealDay.objects.select_for_update().order_by("pk").values_list("pk", "day"))
        if not marks:
            return 0
        everything = any(day is None for _pk, day in marks)
        recounted = _recount(None if everything else sorted({day for _pk, day in marks if day}))
        ids = [pk for pk, _day in marks]
        for start in range(0, len(ids), CHUNK):
            StaleAppealDay.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
    return recounted


def rebuild() -> int:
    touch_everything()
    return refresh()


# --- reading -------------------------------------------------------------------------------------------


def _unit_q(unit: Unit | None) -> Q:
    return Q(unit__isnull=True) if unit is None else Q(unit=unit)


def counts(unit: Unit | None, first: date, last: date) -> dict[str, dict[str, int]]:
    """Appeals received in [first, last] that ``unit``'s dashboard counts (None: the district), by
    dimension and value, from the summary (brought up to date first)."""
    refresh()
    found: dict[str, dict[str, int]] = {dim: {} for dim in DIMS}
    rows = (
        AppealDayCount.objects.filter(_unit_q(unit), day__gte=first, day__lte=last)
        .order_by()
        .values_list("dim", "value")
        .annotate(total=Sum("n"))
    )
    for dim, value, total in rows:
        found[dim][value] = total
    return found


def daily(unit: Unit | None, first: date, last: date) -> dict[date, int]:
    """Appeals received per local day in [first, last] for ``unit``'s dashboard."""
    refresh()
    rows = (
        AppealDayCount.objects.filter(_unit_q(unit), dim="channel", day__gte=first, day__lte=last)
        .order_by()
        .values_list("day")
        .annotate(total=Sum("n"))
    )
    return dict(rows)


def fresh_counts(unit: Unit | None, first: date, last: date) -> dict[str, dict[str, int]]:
    """The same as ``counts``, straight from the appeals (slow at a million: the reference)."""
    start, end = day_bounds(first, last)
    appeals = Appeal.objects.filter(received_at__gte=start, received_at__lt=end)
    found: dict[str, dict[str, int]] = {dim: {} for dim in DIMS}
    unit_id = None if unit is None else unit.pk
    for (_day, owner, dim, value), n in count_rows(appeals, Owners(), by_day=False).items():
        if owner == unit_id:
            found[dim][value] = found[dim].get(value, 0) + n
    return found
