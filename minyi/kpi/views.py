"""The KPI pages under /kpi/: the ranking of all units (with its Excel export) and the drill-down to
the records behind each number. Who may see them: ``kpi.view_ranking``; which appeals a drill-down
lists: ``minyi.org.permissions.visible`` (回避 and scopes hold)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from minyi.appeals.choices import AssignmentState
from minyi.appeals.models import Appeal, Assignment
from minyi.audit.rules import record
from minyi.dates import day_text, minute_text
from minyi.kpi.access import KpiPerm, visible_records
from minyi.kpi.choices import LOWER_IS_BETTER, Metric, Part
from minyi.kpi.forms import KpiQuery, parse, parse_params
from minyi.kpi.models import Verdict
from minyi.kpi.rules import DEFINITIONS, MIN_VOLUME, Ranking, Rate, UnitKpis, count_all, ranking, source_of
from minyi.ledger.models import Issue
from minyi.org.models import Unit
from minyi.org.permissions import require
from minyi.paging import window
from minyi.privacy import mask_text
from minyi.replica import reads_from_replica

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


@dataclass(frozen=True)
class Cell:
    """One rate as the table shows it: "k/n = 86.4 %", its bound, and links to the records."""

    metric: Metric
    rate: Rate
    numerator_url: str
    denominator_url: str

    @property
    def text(self) -> str:
        return percent(self.rate.rate)

    @property
    def bound(self) -> str:
        if self.rate.n == 0:
            return ""
        if self.metric in LOWER_IS_BETTER:
            return "≤ " + percent(self.rate.upper)
        return "≥ " + percent(self.rate.lower)


def _cells(kpis: UnitKpis, query: KpiQuery) -> list[Cell]:
    period = {"from": query.period.first.isoformat(), "to": query.period.last.isoformat()}

    def url(metric: str, part: str) -> str:
        path = reverse("kpi:records", args=[kpis.unit.code, metric])
        return f"{path}?{urlencode({**period, 'part': part})}"

    return [
        Cell(Metric(metric), rate, url(metric, Part.NUMERATOR), url(metric, Part.DENOMINATOR))
        for metric, rate in kpis.rates.items()
    ]


def _explained(**context: Any) -> dict[str, Any]:
    """What every KPI page shows beside its figures: the metrics, their formulas, the minimum volume."""
    return {
        "metrics": Metric.choices,
        "formulas": [(metric.label, definition.formula) for metric, definition in DEFINITIONS.items()],
        "min_volume": MIN_VOLUME,
        **context,
    }


def _bad_request(request: HttpRequest, template: str, error: ValidationError, **context: Any) -> HttpResponse:
    """The page again with what was wrong, answered 400 (nothing is counted)."""
    return render(request, template, _explained(errors=error.messages, **context), status=400)


@login_required
@require_GET
@reads_from_replica
def ranking_page(request: HttpRequest) -> HttpResponse:
    """All units ranked by the chosen metric's Wilson bound, every rate with its records one click away."""
    require(request.user, KpiPerm.VIEW_RANKING)
    try:
        query = parse_params(request.GET)
    except ValidationError as error:
        return _bad_request(request, "kpi/ranking.html", error, raw=request.GET)
    result = ranking(query.period, query.metric)
    return render(
        request,
        "kpi/ranking.html",
        _explained(
            query=query,
            result=result,
            ranked=[(r.rank, r.kpis.unit, _cells(r.kpis, query)) for r in result.ranked],
            too_few=[(k.unit, _cells(k, query)) for k in result.too_few],
            chosen=DEFINITIONS[query.metric],
            rule=ranking_rule(result),
            export_query=urlencode(query.params()),
        ),
    )


# --- the records behind a number ---------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One counted record: the appeal (or ledger item) and what put it into the count."""

    number: str
    title: str
    state: str
    facts: list[str]
    issue_pk: int | None = None


def _line(row: Model) -> Line:
    if isinstance(row, Issue):
        facts = [_("Deadline: %(date)s") % {"date": day_text(row.deadline)}]
        if row.signed_off_at:
            facts.append(_("Signed off: %(date)s") % {"date": minute_text(row.signed_off_at)})
        return Line("", row.title, row.get_state_display(), facts, issue_pk=row.pk)
    if isinstance(row, Appeal):
        facts = [_("Closed: %(date)s") % {"date": minute_text(row.closed_at)}] if row.closed_at else []
        return Line(row.number or "", mask_text(row.title), row.get_state_display(), facts)
    if isinstance(row, Assignment):
        appeal = row.appeal
        facts = [
            _("Dispatched: %(date)s") % {"date": minute_text(row.dispatched_at)},
            _("Accept or return by: %(date)s") % {"date": minute_text(row.return_by)},
            _("Accepted: %(date)s") % {"date": minute_text(row.accepted_at, "—")},
        ]
        if row.returned_at:
            facts.append(_("Returned: %(date)s") % {"date": minute_text(row.returned_at)})
        if row.finished_at and row.state == AssignmentState.DONE:
            facts.append(_("Answered: %(date)s") % {"date": minute_text(row.finished_at)})
            facts.append(_("Deadline: %(date)s") % {"date": minute_text(row.deadline)})
        return Line(appeal.number or "", mask_text(appeal.title), row.get_state_display(), facts)
    assert isinstance(row, Verdict)
    facts = [
        _("Follow-up: %(date)s, %(result)s")
        % {"date": minute_text(row.at), "result": row.get_result_display()},
        _("Answer judged: %(date)s") % {"date": minute_text(row.answered_at, "—")},
    ]
    return Line(row.appeal.number or "", mask_text(row.appeal.title), row.appeal.get_state_display(), facts)


@login_required
@require_GET
@reads_from_replica
def records_page(request: HttpRequest, code: str, metric: str) -> HttpResponse:
    """The records behind one number of the ranking (part=numerator or denominator), paged."""
    require(request.user, KpiPerm.VIEW_RANKING)
    unit = get_object_or_404(Unit, code=code)
    try:
        query = parse(request.GET.get("from"), request.GET.get("to"), metric, request.GET.get("part"))
    except ValidationError as error:
        return _bad_request(request, "kpi/records.html", error, unit=unit)
    rows, page = window(
        visible_records(request.user, query.metric, query.part, unit, query),
        request.GET.get("page"),
        size=PAGE_SIZE,
        last=1000,
    )
    rate = count_all(query.period, [unit])[0].rates[query.metric]
    back = {
        "from": query.period.first.isoformat(),
        "to": query.period.last.isoformat(),
        "metric": query.metric,
    }
    other = Part.NUMERATOR if query.part == Part.DENOMINATOR else Part.DENOMINATOR
    return render(
        request,
        "kpi/records.html",
        {
            "unit": unit,
            "query": query,
            "definition": DEFINITIONS[query.metric],
            "rate": rate,
            "rate_text": percent(rate.rate),
            "count": rate.k if query.part == Part.NUMERATOR else rate.n,
            "lines": [_line(row) for row in rows],
            "page": page,
            "back_query": urlencode(back),
            "other_part": other,
            "other_query": urlencode({**back, "part": other}),
            "issues": source_of(query.metric, query.part).appeal_field is None,
        },
    )


# --- Excel -------------------------------------------------------------------------------------


@login_required
@require_GET
@reads_from_replica
def export(request: HttpRequest) -> HttpResponse:
    """The ranking as an Excel sheet (the same figures as the page), audited."""
    require(request.user, KpiPerm.VIEW_RANKING)
    try:
        query = parse_params(request.GET)
    except ValidationError as error:
        return _bad_request(request, "kpi/ranking.html", error, raw=request.GET)
    result = ranking(query.period, query.metric)
    record("kpi.export", actor=request.user, detail=query.params())
    # Offices keep these sheets in the site's language (Chinese), whatever the exporter's own.
    with translation.override(settings.LANGUAGE_CODE):
        content = _workbook(result)
        filename = _("unit-ranking") + f"-{query.period.first:%Y%m%d}-{query.period.last:%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _workbook(result: Ranking) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Ranking"))
    sheet.append([_("Period"), f"{result.period.first:%Y-%m-%d} — {result.period.last:%Y-%m-%d}"])
    sheet.append([_("Ranked by"), str(result.metric.label), ranking_rule(result)])
    sheet.append([])
    header = [_("Rank"), _("Unit")]
    for metric in DEFINITIONS:
        header += [f"{metric.label} k", f"{metric.label} n", f"{metric.label} %", _("bound")]
    sheet.append(header)

    def row(rank: str, kpis: UnitKpis) -> list[Any]:
        values: list[Any] = [rank, kpis.unit.name]
        for metric in DEFINITIONS:
            r = kpis.rates[metric]
            bound = r.upper if metric in LOWER_IS_BETTER else r.lower
            values += [r.k, r.n, None if r.rate is None else round(r.rate * 100, 1), round(bound * 100, 1)]
        return values

    for ranked in result.ranked:
        sheet.append(row(str(ranked.rank), ranked.kpis))
    for kpis in result.too_few:
        sheet.append(row(_("Too few to rank"), kpis))
    sheet.append([])
    for metric, definition in DEFINITIONS.items():
        sheet.append([str(metric.label), str(definition.formula)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ranking_rule(result: Ranking) -> str:
    """The sentence saying how the units are ranked (on the page and in the export)."""
    if result.by_upper_bound:
        return _(
            "Ranked by the cautious figure that allows for chance, lowest first; units with fewer than "
            "%(n)d records in the denominator are not ranked."
        ) % {"n": MIN_VOLUME}
    return _(
        "Ranked by the cautious figure that allows for chance, highest first; units with fewer than "
        "%(n)d records in the denominator are not ranked."
    ) % {"n": MIN_VOLUME}
