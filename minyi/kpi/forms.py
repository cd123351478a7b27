"""The KPI pages' and command's parameters (period, metric, part), parsed once with clear messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.kpi.choices import DEFAULT_METRIC, Metric, Part
from minyi.kpi.metrics import Period, this_year

#: Dates outside these years are refused (typing errors, and no records exist there).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


@dataclass(frozen=True)
class KpiQuery:
    """A period and a metric (and, for a drill-down, a side of the rate)."""

    period: Period
    metric: Metric
    part: Part = Part.DENOMINATOR

    def params(self) -> dict[str, str]:
        """The period and metric as GET parameters (for links between the pages)."""
        return {
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "metric": self.metric,
        }


def _date(raw: str, name: str) -> date:
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date; write the %(name)s date as YYYY-MM-DD.")
            % {"value": raw, "name": name},
            code="date",
        ) from None
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            _("Choose dates between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST},
            code="range",
        )
    return value


def parse(
    raw_from: str | None,
    raw_to: str | None,
    raw_metric: str | None,
    raw_part: str | None = None,
    today: date | None = None,
) -> KpiQuery:
    """The query asked for; a missing value takes its default (to: today; from: the first of January
    of the end's year; satisfaction; the denominator). Raises ValidationError with every problem found."""
    today = today or timezone.localdate()
    errors: list[ValidationError] = []
    last = today
    try:
        last = _date(raw_to, _("to")) if raw_to else today
    except ValidationError as error:
        errors.append(error)
    first = this_year(last).first  # the calendar year of the period's end
    try:
        first = _date(raw_from, _("from")) if raw_from else first
    except ValidationError as error:
        errors.append(error)
    if not errors and first > last:
        errors.append(
            ValidationError(
                _("The period starts on %(first)s, after it ends on %(last)s; swap the dates.")
                % {"first": first, "last": last},
                code="order",
            )
        )
    metric = raw_metric or DEFAULT_METRIC
    if metric not in Metric.values:
        errors.append(
            ValidationError(
                _("There is no metric “%(value)s”; choose one of: %(choices)s.")
                % {"value": metric, "choices": ", ".join(Metric.values)},
                code="metric",
            )
        )
    part = raw_part or Part.DENOMINATOR
    if part not in Part.values:
        errors.append(
            ValidationError(
                _("Choose part=numerator or part=denominator, not “%(value)s”.") % {"value": part},
                code="part",
            )
        )
    if errors:
        raise ValidationError(errors)
    return KpiQuery(period=Period(first, last), metric=Metric(metric), part=Part(part))


def parse_params(params: QueryDict, today: date | None = None) -> KpiQuery:
    """``parse`` of a request's GET parameters (from, to, metric, part)."""
    return parse(params.get("from"), params.get("to"), params.get("metric"), params.get("part"), today)
