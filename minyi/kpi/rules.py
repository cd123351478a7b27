"""Unit KPIs (考评): counting every unit at once, the Wilson bound, the ranking and the records behind
a number (drill-down). What each rate counts is defined once in metrics.py.

``count_all`` reads the daily summary (summary.py, brought up to date first) and adds what depends on
the moment or the period's end, counted live; ``fresh_count`` counts the same from the records
directly, one grouped query per table (the reference the summary is tested against).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet

from minyi.appeals.forms.staff import DISPATCH_KINDS
from minyi.kpi import summary
from minyi.kpi.choices import LOWER_IS_BETTER, Metric, Part
from minyi.kpi.metrics import DEFINITIONS, Period, Side, Source, key, sides
from minyi.org.models import Unit

#: A unit with fewer records than this in a metric's denominator is listed, not ranked (不参与排名).
MIN_VOLUME = 10
#: The normal quantile of the 95 % Wilson interval.
Z = 1.96


# --- rates and the Wilson bound ----------------------------------------------------------------


def wilson(k: int, n: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials; (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Rate:
    """k of n, the share (None when n is 0) and its 95 % Wilson interval."""

    k: int
    n: int
    rate: float | None
    lower: float
    upper: float

    @classmethod
    def of(cls, k: int, n: int) -> Rate:
        lower, upper = wilson(k, n)
        return cls(k=k, n=n, rate=k / n if n else None, lower=lower, upper=upper)


@dataclass(frozen=True)
class UnitKpis:
    """Every rate of one unit in one period."""

    unit: Unit
    rates: dict[str, Rate]


def ranked_units() -> QuerySet[Unit]:
    """The units that get appeals: departments and townships (the dispatch targets)."""
    return Unit.objects.filter(kind__in=DISPATCH_KINDS, is_active=True).order_by("path")


def _grouped(
    source: Source,
    unit_ids: Sequence[int],
    named: list[tuple[str, Q]],
    into: dict[int, dict[str, int]],
    sign: int = 1,
) -> None:
    """One grouped query on ``source``: a conditional count per (name, condition), added to ``into``."""
    rows = (
        source.model._default_manager.filter(source.base, **{f"{source.unit_field}__in": unit_ids})
        .filter(reduce(or_, (condition for _name, condition in named)))
        .order_by()
        .values(source.unit_field)
        .annotate(**{f"c{i}": Count("pk", filter=condition) for i, (_name, condition) in enumerate(named)})
    )
    for row in rows:
        counts = into[row[source.unit_field]]
        for i, (name, _condition) in enumerate(named):
            counts[name] = counts.get(name, 0) + sign * row[f"c{i}"]


def _by_source(
    chosen: list[tuple[str, Side]], condition: Callable[[Side], Q]
) -> dict[str, list[tuple[str, Q]]]:
    groups: dict[str, list[tuple[str, Q]]] = defaultdict(list)
    for name, side in chosen:
        groups[side.source.name].append((name, condition(side)))
    return groups


def _sources() -> dict[str, Source]:
    return {side.source.name: side.source for _name, side in sides()}


def _kpis(units: Sequence[Unit], counts: dict[int, dict[str, int]]) -> list[UnitKpis]:
    def rate(unit: Unit, metric: str) -> Rate:
        mine = counts.get(unit.pk, {})
        return Rate.of(mine.get(key(metric, Part.NUMERATOR), 0), mine.get(key(metric, Part.DENOMINATOR), 0))

    return [
        UnitKpis(unit=unit, rates={metric: rate(unit, metric) for metric in DEFINITIONS}) for unit in units
    ]


def count_all(period: Period, units: Sequence[Unit]) -> list[UnitKpis]:
    """Every rate of every unit: the daily summary's sums, plus the parts that depend on the moment or
    on the period's end and the tables too small to summarize, counted live (one query per table)."""
    return count_periods([period], units)[0]


def count_periods(periods: Sequence[Period], units: Sequence[Unit]) -> list[list[UnitKpis]]:
    """``count_all`` of each of several periods that do not overlap (e.g. the months of a trend) in the
    queries of one: the summary's sums and each live count grouped by period as well as by unit."""
    summary.refresh()
    ids = [unit.pk for unit in units]
    counts: list[dict[int, dict[str, int]]] = [
        defaultdict(dict, sums) for sums in summary.sums_by_period(periods, ids)
    ]
    everything = sides()
    live = [(name, side) for name, side in everything if not side.source.summarized]
    _grouped_by_period(periods, live, lambda side, period: side.condition(period), ids, counts)
    for sign in (1, -1):
        adjusted = [
            (n, s) for n, s in everything if s.source.summarized and s.adjust and s.adjust_sign == sign
        ]
        _grouped_by_period(periods, adjusted, lambda side, period: side.adjustment(period), ids, counts, sign)
    return [_kpis(units, period_counts) for period_counts in counts]


def _grouped_by_period(
    periods: Sequence[Period],
    chosen: list[tuple[str, Side]],
    condition: Callable[[Side, Period], Q],
    unit_ids: Sequence[int],
    counts: list[dict[int, dict[str, int]]],  # one per period, each a defaultdict(dict)
    sign: int = 1,
) -> None:
    """One grouped query per source for all the periods: each count is named by its period's index."""
    sources = _sources()
    groups: dict[str, list[tuple[str, Q]]] = defaultdict(list)
    for i, period in enumerate(periods):
        for name, side in chosen:
            groups[side.source.name].append((f"{i}:{name}", condition(side, period)))
    for source_name, named in groups.items():
        found: dict[int, dict[str, int]] = defaultdict(dict)
        _grouped(sources[source_name], unit_ids, named, found, sign)
        for unit_id, tagged_counts in found.items():
            for tagged, n in tagged_counts.items():
                index, name = tagged.split(":", 1)
                mine = counts[int(index)][unit_id]
                mine[name] = mine.get(name, 0) + n


def fresh_count(period: Period, units: Sequence[Unit]) -> list[UnitKpis]:
    """Every rate of every unit counted from the records alone: one grouped query per table, a
    conditional count per side (the reference for the summary; slow at a million appeals)."""
    ids = [unit.pk for unit in units]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    sources = _sources()
    for name, named in _by_source(sides(), lambda side: side.condition(period)).items():
        _grouped(sources[name], ids, named, counts)
    return _kpis(units, counts)


# --- the ranking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """A unit's place (equal bounds share a place) and its figures."""

    rank: int
    kpis: UnitKpis


@dataclass(frozen=True)
class Ranking:
    period: Period
    metric: Metric
    ranked: list[Ranked]
    too_few: list[UnitKpis]

    @property
    def by_upper_bound(self) -> bool:
        return self.metric in LOWER_IS_BETTER


def rank_units(everyone: Sequence[UnitKpis], metric: str) -> tuple[list[Ranked], list[UnitKpis]]:
    """Rank by ``metric``'s Wilson bound — the lower bound, highest first; for rates where less is
    better, the upper bound, lowest first — and put units with fewer than MIN_VOLUME records in the
    denominator aside (too few to rank, most records first). Equal bounds share a place."""
    chosen = Metric(metric)

    def bound(u: UnitKpis) -> float:
        rate = u.rates[chosen]
        return rate.upper if chosen in LOWER_IS_BETTER else -rate.lower

    enough = sorted(
        (u for u in everyone if u.rates[chosen].n >= MIN_VOLUME),
        key=lambda u: (bound(u), -u.rates[chosen].n, u.unit.path),
    )
    ranked: list[Ranked] = []
    for place, kpis in enumerate(enough, start=1):
        tied = bool(ranked) and bound(ranked[-1].kpis) == bound(kpis)
        ranked.append(Ranked(rank=ranked[-1].rank if tied else place, kpis=kpis))
    too_few = sorted(
        (u for u in everyone if u.rates[chosen].n < MIN_VOLUME),
        key=lambda u: (-u.rates[chosen].n, u.unit.path),
    )
    return ranked, too_few


def ranking(period: Period, metric: str, units: Sequence[Unit] | None = None) -> Ranking:
    """Every unit that gets appeals (or ``units``), counted and ranked by ``metric`` (rank_units)."""
    ranked, too_few = rank_units(count_all(period, list(ranked_units()) if units is None else units), metric)
    return Ranking(period=period, metric=Metric(metric), ranked=ranked, too_few=too_few)


def ranking_json(result: Ranking) -> dict[str, Any]:
    """The ranking as `manage.py kpi ranking --json` prints it (rates and bounds rounded to 4 places)."""

    def unit(kpis: UnitKpis, rank: int | None) -> dict[str, Any]:
        return {
            "rank": rank,
            "unit": kpis.unit.code,
            "name": kpis.unit.name,
            "metrics": {
                metric: {
                    "k": r.k,
                    "n": r.n,
                    "rate": None if r.rate is None else round(r.rate, 4),
                    "lower": round(r.lower, 4),
                    "upper": round(r.upper, 4),
                }
                for metric, r in kpis.rates.items()
            },
        }

    return {
        "from": result.period.first.isoformat(),
        "to": result.period.last.isoformat(),
        "metric": str(result.metric),
        "ranked_by": "wilson_upper_ascending" if result.by_upper_bound else "wilson_lower_descending",
        "min_volume": MIN_VOLUME,
        "ranked": [unit(r.kpis, r.rank) for r in result.ranked],
        "too_few_to_rank": [unit(k, None) for k in result.too_few],
    }


# --- the records behind a number ---------------------------------------------------------------


def records(metric: str, part: str, unit: Unit, period: Period) -> QuerySet[Any]:
    """Exactly the rows counted in ``unit``'s ``part`` of ``metric`` (newest first)."""
    side = DEFINITIONS[Metric(metric)].side(Part(part))
    source = side.source
    return (
        source.model._default_manager.filter(source.base, **{source.unit_field: unit})
        .filter(side.condition(period))
        .order_by(f"-{source.order_field}", "-pk")
    )


def source_of(metric: str, part: str) -> Source:
    return DEFINITIONS[Metric(metric)].side(Part(part)).source
