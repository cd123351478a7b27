"""The dashboards leaders read: panels of figures, each drawn as a chart with its table of numbers and
a link from every number to the list behind it, scoped to what the viewer may see.

The appeal counts come from the daily summary (summary.py, exact on every write); the open, overdue
and due-soon counts are live (few rows, indexed); rates, ledger, coverage and study figures come from
their own apps' functions, so a dashboard never says something the app's own page does not.

A leader's own dashboard (``View.mine``) counts the appeals of the villages they are paired with and
those linked to the items they supervise: a set the daily summary (kept by unit) does not hold, so it
is counted live, with one grouped query (the set is small).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.appeals.choices import OPEN_STATES, Channel, DueStatus, Kind
from minyi.appeals.models import Appeal, Category
from minyi.appeals.rules import due_filter
from minyi.dates import day_bounds
from minyi.insight import board as hotspot_board
from minyi.insight.models import HotspotRun
from minyi.kpi import rules as kpi_rules
from minyi.kpi.choices import Metric
from minyi.kpi.metrics import Period as KpiPeriod
from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign, Issue
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.permissions import person_of
from minyi.outreach.coverage import coverage
from minyi.outreach.leaders import Mine, mine_appeals, mine_of
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
    #: Said instead of "no figures for this period" when the panel is empty for another reason.
    note: str = ""

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


def is_leader(user: User | AnonymousUser) -> bool:
    """Whether the user is a district leader: their dashboard opens on their own part (``Mine``)."""
    person = person_of(user)
    return person is not None and person.is_active and person.role == Role.LEADER


@dataclass(frozen=True)
class View:
    """What a dashboard shows: a period and a unit (None: the district), or a leader's own part."""

    first: date
    last: date
    unit: Unit | None
    campaign: Campaign | None = None
    mine: Mine | None = None


def _list(**params: Any) -> str:
    return f"{reverse('appeals:list')}?{urlencode({k: v for k, v in params.items() if v not in ('', None)})}"


def _mine_counts(mine: Mine, first: date, last: date) -> tuple[dict[str, dict[str, int]], dict[date, int]]:
    """As summary.counts and summary.daily, counted live for a leader's appeals: one grouped query."""
    start, end = day_bounds(first, last)
    appeals = mine_appeals(mine).filter(received_at__gte=start, received_at__lt=end)
    found: dict[str, dict[str, int]] = {dim: {} for dim in summary.DIMS}
    per_day: dict[date, int] = {}
    for (day, owner, dim, value), n in summary.count_rows(appeals, summary.Owners()).items():
        if owner is not None or day is None:
            continue  # the rows for the units above each appeal: the leader's set is counted once
        found[dim][value] = found[dim].get(value, 0) + n
        if dim == "channel":
            per_day[day] = per_day.get(day, 0) + n
    return found, per_day


def _appeal_panels(view: View) -> list[Panel]:
    if view.mine is not None:
        counts, per_day = _mine_counts(view.mine, view.first, view.last)
    else:
        counts = summary.counts(view.unit, view.first, view.last)
        per_day = summary.daily(view.unit, view.first, view.last)
    # A leader's own numbers link to the list of their own part (the list's "my_part" filter).
    mine = {"my_part": "1"} if view.mine is not None else {}
    period = {"received_from": view.first.isoformat(), "received_to": view.last.isoformat(), **mine}
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
    trend = Panel("daily", _("Appeals received per day"), "line")
    day = view.first
    while day <= view.last:
        trend.rows.append(
            Row(day.isoformat(), per_day.get(day, 0), _list(received_from=day, received_to=day, **mine))
        )
        day += timedelta(days=1)
    return [channels, kinds, categories, townships, trend]


def _due_panel(view: View) -> Panel:
    now = timezone.now()
    statuses = (DueStatus.OVERDUE, DueStatus.DUE_SOON)
    if view.mine is not None:
        # One pass over the leader's appeals (their OR of villages and items uses no single index).
        found = mine_appeals(view.mine).aggregate(
            open=Count("pk", filter=Q(state__in=OPEN_STATES)),
            **{status.value: Count("pk", filter=due_filter(status, now)) for status in statuses},
        )
    else:
        appeals = Appeal.objects.filter(summary.of_unit(view.unit))
        found = {"open": appeals.filter(state__in=OPEN_STATES).count()}
        found |= {status.value: appeals.filter(due_filter(status, now)).count() for status in statuses}
    mine = {"my_part": "1"} if view.mine is not None else {}
    panel = Panel("due", _("Open, overdue and due soon (now)"), "bar")
    panel.rows.append(Row(_("Open appeals"), found["open"], _list(state="open", **mine)))
    for status in statuses:
        panel.rows.append(Row(str(status.label), found[status.value], _list(due=status.value, **mine)))
    return panel


def _units_for_rates(unit: Unit | None) -> list[Unit]:
    units = kpi_rules.ranked_units()
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    return list(units)


def _rates(units: list[Unit], periods: list[tuple[date, date]]) -> list[dict[str, tuple[int, int]]]:
    """The district's (or the units') k and n of each rate, for each of the periods (not overlapping)."""
    found = []
    for period_kpis in kpi_rules.count_periods([KpiPeriod(first, last) for first, last in periods], units):
        sums: dict[str, tuple[int, int]] = {metric: (0, 0) for metric in RATES}
        for unit_kpis in period_kpis:
            for metric in RATES:
                rate = unit_kpis.rates[metric]
                k, n = sums[metric]
                sums[metric] = (k + rate.k, n + rate.n)
        found.append(sums)
    return found


def _month_starts(last: date, months: int) -> list[date]:
    starts, at = [], last.replace(day=1)
    for _i in range(months):
        starts.append(at)
        at = (at - timedelta(days=1)).replace(day=1)
    return starts[::-1]


def _rate_panels(view: View) -> list[Panel]:
    if view.mine is not None:
        units = list(Unit.objects.filter(pk__in=view.mine.units).order_by("path"))
    else:
        units = _units_for_rates(view.unit)
    ranking = reverse("kpi:ranking")
    (now,) = _rates(units, [(view.first, view.last)])
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
    months = [
        (start, min((start + timedelta(days=32)).replace(day=1) - timedelta(days=1), view.last))
        for start in _month_starts(view.last, TREND_MONTHS)
    ]
    for (start, end), month in zip(months, _rates(units, months), strict=True):
        trend.rows.append(Row(f"{start:%Y-%m}", 0, f"{ranking}?from={start}&to={end}"))
        for metric in RATES:
            k, n = month[metric]
            trend.series[str(Metric(metric).label)].append(round(k * 100 / n, 1) if n else None)
    return [rates, trend]


def _ledger_panel(view: View) -> Panel:
    ledger = reverse("ledger:list")
    if view.mine is not None:
        figures = ledger_rules.summary(
            campaign=view.campaign, issues=Issue.objects.filter(leader_id=view.mine.user_id)
        )
        panel = Panel("ledger", _("My rectification items by track"), "progress")
        ledger += f"?leader={view.mine.user_id}&"
    else:
        figures = ledger_rules.summary(campaign=view.campaign, unit=view.unit)
        panel = Panel("ledger", _("Rectification items by track"), "progress")
        ledger += "?"
    for row in figures:
        if row.total:
            panel.rows.append(
                Row(str(Track(row.track).label), row.closed, f"{ledger}track={row.track}",
                    text=f"{row.closed} / {row.total}")
            )  # fmt: skip
            panel.series.setdefault(_("Signed off"), []).append(row.closed)
            panel.series.setdefault(_("Not yet"), []).append(row.total - row.closed)
    return panel


def _of(k: int, n: int) -> str:
    return f"{k} / {n} ({percent(k, n)})"


def _outreach_panels(view: View) -> list[Panel]:
    mine = view.mine
    found = coverage(
        within=view.unit,
        date_from=view.first,
        date_to=view.last,
        villages=None if mine is None else mine.villages,
    ).total
    title = _("Visit coverage") if mine is None else _("Visit coverage of my paired villages")
    visits = Panel("coverage", title, "bar", link=reverse("outreach:coverage"))
    for label, k, n in (
        (_("Villages visited"), found.villages_visited, found.villages_total),
        (_("Households visited"), found.households_visited, found.households_total),
        (_("Difficulties resolved"), found.difficulties_resolved, found.difficulties_found),
    ):
        visits.rows.append(Row(label, k, reverse("outreach:coverage"), text=_of(k, n)))
    period = study_rules.Period(campaign=view.campaign, date_from=view.first, date_to=view.last)
    if mine is None:
        figures = study_rules.summary(period, view.unit)
        title = _("Study participation")
    else:
        figures = _mine_study(mine, period)
        title = _("Study participation of my villages' branches")
    branches = reverse("study:branches")
    study = Panel("study", title, "bar", link=reverse("study:summary"))
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


def _mine_study(mine: Mine, period: study_rules.Period) -> dict[str, Any]:
    """The members' figures of study_rules.summary, for the branches working in a leader's villages."""
    reached = study_rules.attended_in(period)
    members = study_rules.members_in(None).filter(current_branch__unit__in=mine.villages)
    figures = members.aggregate(
        total=Count("pk"),
        reached=Count("pk", filter=reached),
        mobile_total=Count("pk", filter=Q(mobile=True)),
        mobile_reached=Count("pk", filter=Q(mobile=True) & reached),
    )
    return {
        "members": {"reached": figures["reached"], "total": figures["total"]},
        "mobile_members": {"reached": figures["mobile_reached"], "total": figures["mobile_total"]},
        "left_behind": figures["total"] - figures["reached"],
    }


def _hotspot_panel() -> Panel:
    """The five hottest of the newest finished hotspot board (the board is district-wide, refreshed
    nightly). Before the first board, or when the newest found none, the panel says so, not "no figures":
    and without any board the nightly refresh is asked for at once."""
    panel = Panel("hotspots", _("Top hotspots"), "bar", link=reverse("insight:hotspots"))
    run = HotspotRun.objects.filter(state=HotspotRun.State.DONE).order_by("-finished_at").first()
    if run is not None:
        for cluster in run.clusters.order_by("rank")[:5]:
            link = reverse("insight:cluster", args=[cluster.pk])
            panel.rows.append(Row(cluster.title, round(cluster.heat, 1), link))
        if not panel.rows:
            panel.note = _(
                "The newest hotspot board (%(first)s to %(last)s, %(appeals)d appeals) found no problem "
                "that three or more people raised."
            ) % {"first": run.starts_on, "last": run.ends_on, "appeals": run.appeals_read}
    elif Appeal.objects.filter(number__isnull=False).exists():
        hotspot_board.ask_refresh()
        panel.note = _(
            "The hotspot board is being computed (it is refreshed every night); look again shortly."
        )
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


def view_for(user: User | AnonymousUser, *, campaign: Campaign | None, unit: Unit | None, mine: bool) -> View:
    """The dashboard chosen on the page: a campaign's or the live one, of a unit, the district, or (``mine``)
    the user's own items, villages and units."""
    own = mine_of(user) if mine else None
    return campaign_view(campaign, unit, mine=own) if campaign else live_view(unit, mine=own)


def live_view(unit: Unit | None, today: date | None = None, *, mine: Mine | None = None) -> View:
    today = today or timezone.localdate()
    return View(first=today - timedelta(days=LIVE_DAYS - 1), last=today, unit=unit, mine=mine)


def campaign_view(
    campaign: Campaign, unit: Unit | None, today: date | None = None, *, mine: Mine | None = None
) -> View:
    today = today or timezone.localdate()
    last = min(campaign.ends_on, today) if campaign.starts_on <= today else campaign.ends_on
    return View(first=campaign.starts_on, last=last, unit=unit, campaign=campaign, mine=mine)
