"""The dashboards leaders read: panels of figures, each drawn as a chart with its table of numbers and
a link from every number to the list behind it, scoped to what the viewer may see.

The appeal counts come from the daily summary (summary.py, exact on every write); the open, overdue
and due-soon counts are live (few rows, indexed); rates, ledger, coverage and study figures come from
their own apps' functions, so a dashboard never says something the app's own page does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.appeals.choices import OPEN_STATES, Channel, DueStatus, Kind
from minyi.appeals.models import Appeal, Category
from minyi.appeals.rules import due_filter
from minyi.kpi import rules as kpi_rules
from minyi.kpi.choices import Metric
from minyi.kpi.metrics import Period as KpiPeriod
from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.outreach.coverage import coverage
from minyi.reports import summary
from minyi.reports.numbers import percent
from minyi.study import rules as study_rules

#: The live overview looks back this many days.
LIVE_DAYS = 30
#: Months of rate trend shown.
TREND_MONTHS = 6
RATES = (Metric.RESPONSE, Metric.RESOLUTION, Metric.SATISFACTION)


@dataclass
class Row:
    label: str
    value: float
    link: str = ""
    text: str = ""  # how the value is written in the table (e.g. a percentage)


@dataclass
class Panel:
    key: str
    title: str
    chart: str  # bar, pie, line, progress
    rows: list[Row] = field(default_factory=list)
    #: For line charts with several series: series name → values (same order as rows' labels).
    series: dict[str, list[float | None]] = field(default_factory=dict)
    link: str = ""

    @property
    def empty(self) -> bool:
        return not any(row.value for row in self.rows) and not any(
            v for values in self.series.values() for v in values if v
        )

    @property
    def columns(self) -> list[str]:
        """The table's value columns: one per series of a line chart, else the figure."""
        return list(self.series) if self.chart == "line" and self.series else [_("Figure")]

    @property
    def table(self) -> list[tuple[Row, list[str]]]:
        """Each row with its cells as written in the table view (the chart's numbers)."""
        if self.chart == "line" and self.series:
            return [
                (row, ["—" if values[i] is None else f"{values[i]}%" for values in self.series.values()])
                for i, row in enumerate(self.rows)
            ]
        return [(row, [row.text or f"{row.value:g}"]) for row in self.rows]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "chart": self.chart,
            "labels": [row.label for row in self.rows],
            "values": [row.value for row in self.rows],
            "links": [row.link for row in self.rows],
            "series": self.series,
        }


@dataclass(frozen=True)
class View:
    """What a dashboard shows: a period and a unit (None: the district)."""

    first: date
    last: date
    unit: Unit | None
    campaign: Campaign | None = None


def _list(**params: Any) -> str:
    return f"{reverse('appeals:list')}?{urlencode({k: v for k, v in params.items() if v not in ('', None)})}"


def _appeal_panels(view: View) -> list[Panel]:
    counts = summary.counts(view.unit, view.first, view.last)
    period = {"received_from": view.first.isoformat(), "received_to": view.last.isoformat()}
    channels = Panel("channel", _("Appeals by channel"), "bar")
    for channel in Channel:
        if n := counts["channel"].get(channel.value, 0):
            channels.rows.append(Row(str(channel.label), n, _list(channel=channel.value, **period)))
    kinds = Panel("kind", _("Appeals by kind"), "pie")
    for kind in Kind:
        if n := counts["kind"].get(kind.value, 0):
            kinds.rows.append(Row(str(kind.label), n, _list(kind=kind.value, **period)))
    names = dict(Category.objects.filter(parent__isnull=True).values_list("pk", "name"))
    categories = Panel("category", _("Appeals by category"), "bar")
    for value, n in sorted(counts["category"].items(), key=lambda item: -item[1]):
        label = names.get(int(value), "?") if value else _("Not yet categorised")
        categories.rows.append(Row(label, n, _list(category=value, **period) if value else ""))
    towns = dict(
        Unit.objects.filter(pk__in=[int(v) for v in counts["township"] if v]).values_list("pk", "name")
    )
    townships = Panel("township", _("Appeals by township"), "bar")
    for value, n in sorted(counts["township"].items(), key=lambda item: -item[1]):
        label = towns.get(int(value), "?") if value else _("No township")
        townships.rows.append(Row(label, n, _list(township=value, **period) if value else ""))
    per_day = summary.daily(view.unit, view.first, view.last)
    trend = Panel("daily", _("Appeals received per day"), "line")
    day = view.first
    while day <= view.last:
        trend.rows.append(
            Row(day.isoformat(), per_day.get(day, 0), _list(received_from=day, received_to=day))
        )
        day += timedelta(days=1)
    return [channels, kinds, categories, townships, trend]


def _in_unit(unit: Unit | None) -> Q:
    """The appeals a unit's dashboard counts (as summary.Owners: its township's, or led by it or below)."""
    if unit is None:
        return Q()
    subtree = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return Q(township=unit) | Q(lead_unit__in=subtree)


def _due_panel(view: View) -> Panel:
    appeals = Appeal.objects.filter(_in_unit(view.unit))
    now = timezone.now()
    panel = Panel("due", _("Open, overdue and due soon (now)"), "bar")
    panel.rows.append(
        Row(_("Open appeals"), appeals.filter(state__in=OPEN_STATES).count(), _list(state="open"))
    )
    for status in (DueStatus.OVERDUE, DueStatus.DUE_SOON):
        n = appeals.filter(due_filter(status, now)).count()
        panel.rows.append(Row(str(status.label), n, _list(due=status.value)))
    return panel


def _units_for_rates(unit: Unit | None) -> list[Unit]:
    units = kpi_rules.ranked_units()
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    return list(units)


def _rates(units: list[Unit], first: date, last: date) -> dict[str, tuple[int, int]]:
    sums: dict[str, tuple[int, int]] = {metric: (0, 0) for metric in RATES}
    for unit_kpis in kpi_rules.count_all(KpiPeriod(first, last), units):
        for metric in RATES:
            rate = unit_kpis.rates[metric]
            k, n = sums[metric]
            sums[metric] = (k + rate.k, n + rate.n)
    return sums


def _month_starts(last: date, months: int) -> list[date]:
    starts, at = [], last.replace(day=1)
    for _i in range(months):
        starts.append(at)
        at = (at - timedelta(days=1)).replace(day=1)
    return starts[::-1]


def _rate_panels(view: View) -> list[Panel]:
    units = _units_for_rates(view.unit)
    ranking = reverse("kpi:ranking")
    now = _rates(units, view.first, view.last)
    rates = Panel("rates", _("Response, resolution and satisfaction"), "bar")
    for metric in RATES:
        k, n = now[metric]
        value = round(k * 100 / n, 1) if n else 0
        rates.rows.append(
            Row(str(Metric(metric).label), value, f"{ranking}?metric={metric}", text=percent(k, n))
        )
    trend = Panel("rate_trend", _("Rates by month"), "line")
    for metric in RATES:
        trend.series[str(Metric(metric).label)] = []
    for start in _month_starts(view.last, TREND_MONTHS):
        end = min((start + timedelta(days=32)).replace(day=1) - timedelta(days=1), view.last)
        month = _rates(units, start, end)
        trend.rows.append(Row(f"{start:%Y-%m}", 0, f"{ranking}?from={start}&to={end}"))
        for metric in RATES:
            k, n = month[metric]
            trend.series[str(Metric(metric).label)].append(round(k * 100 / n, 1) if n else None)
    return [rates, trend]


def _ledger_panel(view: View) -> Panel:
    figures = ledger_rules.summary(campaign=view.campaign, unit=view.unit)
    panel = Panel("ledger", _("Rectification items by track"), "progress")
    ledger = reverse("ledger:list")
    for row in figures:
        if row.total:
            panel.rows.append(
                Row(str(Track(row.track).label), row.closed, f"{ledger}?track={row.track}",
                    text=f"{row.closed} / {row.total}")
            )  # fmt: skip
            panel.series.setdefault(_("Signed off"), []).append(row.closed)
            panel.series.setdefault(_("Not yet"), []).append(row.total - row.closed)
    return panel


def _of(k: int, n: int) -> str:
    return f"{k} / {n} ({percent(k, n)})"


def _outreach_panels(view: View) -> list[Panel]:
    found = coverage(within=view.unit, date_from=view.first, date_to=view.last).total
    visits = Panel("coverage", _("Visit coverage"), "bar", link=reverse("outreach:coverage"))
    for label, k, n in (
        (_("Villages visited"), found.villages_visited, found.villages_total),
        (_("Households visited"), found.households_visited, found.households_total),
        (_("Difficulties resolved"), found.difficulties_resolved, found.difficulties_found),
    ):
        visits.rows.append(Row(label, k, reverse("outreach:coverage"), text=_of(k, n)))
    period = study_rules.Period(campaign=view.campaign, date_from=view.first, date_to=view.last)
    figures = study_rules.summary(period, view.unit)
    branches = reverse("study:branches")
    study = Panel("study", _("Study participation"), "bar", link=reverse("study:summary"))
    members, mobile = figures["members"], figures["mobile_members"]
    study.rows += [
        Row(
            _("Members reached"), members["reached"], branches, text=_of(members["reached"], members["total"])
        ),
        Row(
            _("Mobile members reached"),
            mobile["reached"],
            branches,
            text=_of(mobile["reached"], mobile["total"]),
        ),
        Row(_("Left behind"), figures["left_behind"], branches),
    ]
    return [visits, study]


def _hotspot_panel() -> Panel:
    """The five hottest of the newest finished hotspot board (the board is district-wide)."""
    from minyi.insight.models import HotspotRun

    panel = Panel("hotspots", _("Top hotspots"), "bar", link=reverse("insight:hotspots"))
    run = HotspotRun.objects.filter(state=HotspotRun.State.DONE).order_by("-finished_at").first()
    if run is not None:
        for cluster in run.clusters.order_by("rank")[:5]:
            link = reverse("insight:cluster", args=[cluster.pk])
            panel.rows.append(Row(cluster.title, round(cluster.heat, 1), link))
    return panel


def panels(view: View, *, hotspots: bool = True) -> list[Panel]:
    """Every panel of the dashboard for ``view``."""
    found = _appeal_panels(view)
    found.append(_due_panel(view))
    found += _rate_panels(view)
    found.append(_ledger_panel(view))
    found += _outreach_panels(view)
    if hotspots:
        found.append(_hotspot_panel())
    return found


def live_view(unit: Unit | None, today: date | None = None) -> View:
    today = today or timezone.localdate()
    return View(first=today - timedelta(days=LIVE_DAYS - 1), last=today, unit=unit)


def campaign_view(campaign: Campaign, unit: Unit | None, today: date | None = None) -> View:
    today = today or timezone.localdate()
    last = min(campaign.ends_on, today) if campaign.starts_on <= today else campaign.ends_on
    return View(first=campaign.starts_on, last=last, unit=unit, campaign=campaign)
