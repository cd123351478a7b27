"""What each KPI counts (考评指标): every rate defined once, as a numerator and a denominator Side.

A Side is the rows of one table (a Source) whose date (``window``) lies in the period and that meet
``extra``. Two rates also depend on the moment or on the period's end; that part is ``adjust``:
rows added to (+1) or taken from (−1) the rest. ``Side.condition`` joins them into the one condition
that the drill-down lists and the fresh count counts; the daily summary (summary.py) stores the
``extra`` part per day — it does not change with the period — and the ranking adds ``adjust`` live.

Where the brief's wording could not be followed against the records as they are, the nearest honest
definition is used (FORMULAS say so on the page):

- On-time and reopen count *answers* (a lead assignment finished by a reply), not appeals by their
  ``lead_unit``/``replied_at``: a reopen clears the appeal's lead unit and a second answer overwrites
  ``replied_at``, so the appeal row forgets who answered late or was rejected.
- A reopen has no unit on its event; it is charged, through its follow-up (every reopen is written by
  ``appeals.rules.follow_up`` together with an unsatisfied follow-up), to the unit whose answer the
  citizen rejected, in the period of that answer — so that it is a share of the same answers the
  denominator counts (k ≤ n, and a bound can be computed).
- Response leaves out assignments still waiting whose limit to accept has not passed yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minyi.appeals.choices import AssignmentRole, AssignmentState, Satisfaction, State
from minyi.appeals.models import Appeal, Assignment
from minyi.dates import day_start
from minyi.kpi.choices import Metric, Part
from minyi.kpi.models import Verdict
from minyi.ledger.choices import IssueState
from minyi.ledger.models import Issue

# --- the period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local dates (the project's time zone), both inclusive; ``now``, when given, is the
    moment the figures are taken (else the moment they are counted)."""

    first: date
    last: date
    now: datetime | None = field(default=None, compare=False)

    @property
    def moment(self) -> datetime:
        return self.now or timezone.now()

    @property
    def start(self) -> datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """The first moment after the period (the half-open end of [start, end))."""
        return day_start(self.last + timedelta(days=1))

    def holds(self, model: type[models.Model], name: str) -> Q:
        """The field ``name`` of ``model`` (a date or a moment) lies in the period."""
        if isinstance(model._meta.get_field(name), models.DateTimeField):
            return Q(**{f"{name}__gte": self.start, f"{name}__lt": self.end})
        return Q(**{f"{name}__gte": self.first, f"{name}__lte": self.last})


def this_year(today: date | None = None) -> Period:
    """This calendar year up to ``today`` (the default period)."""
    today = today or timezone.localdate()
    return Period(date(today.year, 1, 1), today)


# --- sources and sides -------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A table the KPIs count: the rows that count at all, the field naming their unit, the field
    naming their appeal (None for ledger items), the date ordering a drill-down, and whether the
    daily summary keeps its counts (ledger items are few enough to count live)."""

    name: str
    model: type[models.Model]
    unit_field: str
    base: Q
    appeal_field: str | None
    order_field: str
    summarized: bool = True


LEAD_ASSIGNMENTS = Source(
    "assignment", Assignment, "unit", Q(role=AssignmentRole.LEAD), "appeal", "dispatched_at"
)
APPEALS = Source(
    "appeal", Appeal, "lead_unit", ~Q(state__in=[State.REJECTED, State.MERGED]), "pk", "received_at"
)
VERDICTS = Source("verdict", Verdict, "unit", Q(), "appeal", "at")
ISSUES = Source("issue", Issue, "lead_unit", Q(), None, "deadline", summarized=False)


@dataclass(frozen=True)
class Side:
    """One side of a rate: the rows of ``source`` whose ``window`` lies in the period and that meet
    ``extra``, with the rows of ``adjust`` added (+1, disjoint from ``extra``) or taken away (−1, a
    part of ``extra``)."""

    source: Source
    window: str
    extra: Q = field(default_factory=Q)
    adjust: Callable[[Period], Q] | None = None
    adjust_sign: int = 0

    def in_period(self, period: Period) -> Q:
        return period.holds(self.source.model, self.window)

    def condition(self, period: Period) -> Q:
        """Exactly the rows counted (what the drill-down lists)."""
        if self.adjust is None:
            return self.in_period(period) & self.extra
        if self.adjust_sign > 0:
            return self.in_period(period) & (self.extra | self.adjust(period))
        return self.in_period(period) & self.extra & ~self.adjust(period)

    def adjustment(self, period: Period) -> Q:
        """The rows ``adjust`` adds or takes away in ``period`` (counted live, beside the summary)."""
        assert self.adjust is not None
        taken = self.extra if self.adjust_sign < 0 else Q()
        return self.in_period(period) & taken & self.adjust(period)


@dataclass(frozen=True)
class Definition:
    metric: Metric
    numerator: Side
    denominator: Side
    formula: Promise

    def side(self, part: str) -> Side:
        return self.numerator if part == Part.NUMERATOR else self.denominator


def key(metric: str, part: str) -> str:
    """The name of one side in the daily summary, e.g. "on_time.numerator"."""
    return f"{metric}.{part}"


# --- the definitions ---------------------------------------------------------------------------

_KEPT = ~Q(state__in=[AssignmentState.RETURNED, AssignmentState.WITHDRAWN])
_OK = [Satisfaction.SATISFIED, Satisfaction.BASIC]


def _not_yet_due(period: Period) -> Q:
    """Still waiting to be accepted, with time left to accept or return it."""
    return Q(state=AssignmentState.PENDING, return_by__gt=period.moment)


def _superseded_after(period: Period) -> Q:
    """A later follow-up came, but after the period: within the period this one was the latest."""
    return Q(next_at__gte=period.end)


def _satisfied_superseded_after(period: Period) -> Q:
    return _superseded_after(period) & Q(result__in=_OK)


#: The formulas as written on the page (and in the Excel export).
FORMULAS: dict[Metric, Promise] = {
    Metric.RESPONSE: _(
        "Response rate = the unit's lead assignments dispatched in the period and accepted no later than "
        "their limit to accept or return ÷ its lead assignments dispatched in the period, less those it "
        "returned (counted by the return rate), those withdrawn, and those still waiting whose limit has "
        "not yet passed."
    ),
    Metric.RETURN: _(
        "Return (misrouting) rate = the unit's lead assignments dispatched in the period that it returned "
        "÷ all its lead assignments dispatched in the period."
    ),
    Metric.ON_TIME: _(
        "On-time rate = the unit's answers (lead assignments finished by a reply) given in the period no "
        "later than their deadline ÷ its answers given in the period. An appeal answered twice, after a "
        "reopen, counts twice."
    ),
    Metric.RESOLUTION: _(
        "Resolution rate = appeals the unit holds as lead unit, received in the period and now closed ÷ "
        "appeals it holds as lead unit received in the period; rejected and merged appeals are left out, "
        "and appeals waiting to be dispatched again count for no unit."
    ),
    Metric.SATISFACTION: _(
        "Satisfaction rate = follow-ups in the period judging the unit's answers that were satisfied or "
        "basically satisfied ÷ all follow-ups in the period judging its answers; only the latest "
        "follow-up of each appeal in the period counts."
    ),
    Metric.REOPEN: _(
        "Reopen rate = the unit's answers given in the period that the citizen found unsatisfactory, so "
        "that the appeal was reopened ÷ its answers given in the period (reopens are counted by the date "
        "of the rejected answer, so that they are a share of the same answers)."
    ),
    Metric.SIGN_OFF: _(
        "Issue sign-off rate = rectification items led by the unit with their deadline in the period that "
        "are signed off ÷ items led by the unit with their deadline in the period."
    ),
}

_ANSWERED = Side(LEAD_ASSIGNMENTS, "finished_at", Q(state=AssignmentState.DONE))

DEFINITIONS: dict[Metric, Definition] = {
    d.metric: d
    for d in (
        Definition(
            Metric.RESPONSE,
            Side(
                LEAD_ASSIGNMENTS,
                "dispatched_at",
                _KEPT & Q(accepted_at__isnull=False, accepted_at__lte=F("return_by")),
            ),
            Side(LEAD_ASSIGNMENTS, "dispatched_at", _KEPT, adjust=_not_yet_due, adjust_sign=-1),
            FORMULAS[Metric.RESPONSE],
        ),
        Definition(
            Metric.RETURN,
            Side(LEAD_ASSIGNMENTS, "dispatched_at", Q(state=AssignmentState.RETURNED)),
            Side(LEAD_ASSIGNMENTS, "dispatched_at"),
            FORMULAS[Metric.RETURN],
        ),
        Definition(
            Metric.ON_TIME,
            Side(
                LEAD_ASSIGNMENTS, "finished_at", Q(state=AssignmentState.DONE, finished_at__lte=F("deadline"))
            ),
            _ANSWERED,
            FORMULAS[Metric.ON_TIME],
        ),
        Definition(
            Metric.RESOLUTION,
            Side(APPEALS, "received_at", Q(state=State.CLOSED)),
            Side(APPEALS, "received_at"),
            FORMULAS[Metric.RESOLUTION],
        ),
        Definition(
            Metric.SATISFACTION,
            Side(
                VERDICTS,
                "at",
                Q(next_at__isnull=True, result__in=_OK),
                adjust=_satisfied_superseded_after,
                adjust_sign=1,
            ),
            Side(VERDICTS, "at", Q(next_at__isnull=True), adjust=_superseded_after, adjust_sign=1),
            FORMULAS[Metric.SATISFACTION],
        ),
        Definition(
            Metric.REOPEN,
            Side(VERDICTS, "answered_at", Q(result=Satisfaction.UNSATISFIED, assignment__isnull=False)),
            _ANSWERED,
            FORMULAS[Metric.REOPEN],
        ),
        Definition(
            Metric.SIGN_OFF,
            Side(ISSUES, "deadline", Q(state=IssueState.SIGNED_OFF)),
            Side(ISSUES, "deadline"),
            FORMULAS[Metric.SIGN_OFF],
        ),
    )
}


def sides() -> list[tuple[str, Side]]:
    """Every side of every rate with its summary key."""
    return [
        (key(metric, part), definition.side(part))
        for metric, definition in DEFINITIONS.items()
        for part in Part.values
    ]
