"""Every KPI formula on hand-made records with known answers (built through the loop's rules), the
Wilson bound against published values, and the ranking rule that keeps tiny units off the top."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from minyi.appeals import rules
from minyi.appeals.choices import RejectReason, Satisfaction
from minyi.appeals.models import Appeal, Assignment
from minyi.appeals.tests.factories import new_appeal
from minyi.kpi import summary
from minyi.kpi.choices import Metric
from minyi.kpi.metrics import Period
from minyi.kpi.rules import MIN_VOLUME, Rate, UnitKpis, count_all, fresh_count, rank_units, records, wilson
from minyi.kpi.tests.builders import (
    LONG_AGO,
    PERIOD,
    TODAY,
    Staff,
    accept,
    answer,
    dispatch,
    follow_up,
    housing_head,
    lead,
    ledger_items,
    moved,
    shift,
)
from minyi.org.models import Unit
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def edu(actors: Actors) -> Staff:
    return Staff(actors.edu, actors.handler_edu, actors.head_edu)


@pytest.fixture
def housing(actors: Actors) -> Staff:
    return Staff(actors.housing, actors.handler_housing, housing_head(actors))


def rate(unit: Unit, metric: str) -> tuple[int, int]:
    r = count_all(PERIOD, [unit])[0].rates[metric]
    return r.k, r.n


def counted(metric: str, part: str, unit: Unit) -> set[int]:
    """The appeals (ids) behind one side of a rate, by the drill-down's own query."""
    rows = records(metric, part, unit, PERIOD)
    return {row.pk if isinstance(row, Appeal) else row.appeal_id for row in rows}


# --- response and return -----------------------------------------------------------------------


def test_response_counts_acceptances_within_the_limit_and_return_counts_misrouted(
    actors: Actors, edu: Staff, housing: Staff
) -> None:
    in_time = accept(dispatch(actors, edu), edu)
    late = dispatch(actors, edu)
    # The unit let its limit pass before accepting: move the limit, which the dispatch rule set, back.
    shift(lead(late), return_by=timezone.now() - timedelta(minutes=5))
    accept(late, edu)
    misrouted = dispatch(actors, edu)
    rules.return_to_dispatcher(lead(misrouted), actor=actors.handler_edu, reason="不属于本局职责")
    dispatch(actors, housing, Appeal.objects.get(pk=misrouted.pk))  # now HOUSING's, not EDU's
    waiting = dispatch(actors, edu)  # its limit has not passed: not yet counted by the response rate
    ignored = dispatch(actors, edu)
    shift(lead(ignored), return_by=timezone.now() - timedelta(minutes=5))  # limit passed, never accepted
    last_month = accept(dispatch(actors, edu), edu)
    moved(last_month, LONG_AGO)

    assert rate(actors.edu, Metric.RESPONSE) == (1, 3)  # in_time of in_time, late, ignored
    assert counted(Metric.RESPONSE, "denominator", actors.edu) == {in_time.pk, late.pk, ignored.pk}
    assert rate(actors.edu, Metric.RETURN) == (1, 5)  # misrouted of all five dispatched this month
    assert counted(Metric.RETURN, "numerator", actors.edu) == {misrouted.pk}
    assert waiting.pk in counted(Metric.RETURN, "denominator", actors.edu)
    assert rate(actors.housing, Metric.RETURN) == (0, 1)


# --- on time, reopen, satisfaction -------------------------------------------------------------


def test_on_time_counts_answers_given_by_their_deadline(actors: Actors, edu: Staff) -> None:
    on_time = answer(actors, edu)
    late = answer(actors, edu)
    done = lead(late)
    assert done.finished_at is not None
    shift(done, deadline=done.finished_at - timedelta(hours=1))  # answered an hour after its deadline
    old = answer(actors, edu)
    moved(old, LONG_AGO)
    accept(dispatch(actors, edu), edu)  # still being worked on: not an answer

    assert rate(actors.edu, Metric.ON_TIME) == (1, 2)
    assert counted(Metric.ON_TIME, "numerator", actors.edu) == {on_time.pk}
    assert counted(Metric.ON_TIME, "denominator", actors.edu) == {on_time.pk, late.pk}


def test_reopen_and_satisfaction_charge_the_unit_whose_answer_was_judged(
    actors: Actors, edu: Staff, housing: Staff
) -> None:
    # Rejected once, answered again by EDU, then satisfied.
    twice = follow_up(actors, answer(actors, edu), Satisfaction.UNSATISFIED)
    twice = follow_up(actors, answer(actors, edu, twice), Satisfaction.SATISFIED)
    satisfied = follow_up(actors, answer(actors, edu), Satisfaction.SATISFIED)
    basic = follow_up(actors, answer(actors, edu), Satisfaction.BASIC)
    reopened = follow_up(actors, answer(actors, edu), Satisfaction.UNSATISFIED)  # left waiting
    # Rejected at EDU, then handed to HOUSING, whose answer satisfied the citizen.
    moved_on = follow_up(actors, answer(actors, edu), Satisfaction.UNSATISFIED)
    moved_on = follow_up(actors, answer(actors, housing, moved_on), Satisfaction.SATISFIED)
    old = follow_up(actors, answer(actors, edu), Satisfaction.UNSATISFIED)
    moved(old, LONG_AGO)

    # EDU answered six times this month (twice ×2, satisfied, basic, reopened, moved_on) and three of
    # those answers were rejected.
    assert rate(actors.edu, Metric.REOPEN) == (3, 6)
    assert counted(Metric.REOPEN, "numerator", actors.edu) == {twice.pk, reopened.pk, moved_on.pk}
    assert rate(actors.housing, Metric.REOPEN) == (0, 1)
    # The latest follow-up of each appeal counts: twice (satisfied), satisfied, basic, reopened
    # (unsatisfied); moved_on's latest follow-up judged HOUSING's answer.
    assert rate(actors.edu, Metric.SATISFACTION) == (3, 4)
    final = {twice.pk, satisfied.pk, basic.pk, reopened.pk}
    assert counted(Metric.SATISFACTION, "denominator", actors.edu) == final
    assert rate(actors.housing, Metric.SATISFACTION) == (1, 1)
    # Both follow-ups of ``twice`` judged EDU, but only the latest one counts.
    assert len(records(Metric.SATISFACTION, "denominator", actors.edu, PERIOD)) == 4


def test_a_follow_up_after_the_period_does_not_hide_the_one_inside_it(actors: Actors, edu: Staff) -> None:
    appeal = follow_up(actors, answer(actors, edu), Satisfaction.UNSATISFIED)
    appeal = follow_up(actors, answer(actors, edu, appeal), Satisfaction.SATISFIED)
    yesterday = Period(PERIOD.first, TODAY - timedelta(days=1))
    moved(appeal, timedelta(days=2))  # the whole story two days ago…
    second = appeal.followups.order_by("-at").first()
    assert second is not None
    shift(second, at=timezone.now())  # …but the satisfied follow-up came today, after ``yesterday``
    inside = count_all(yesterday, [actors.edu])[0].rates
    assert (inside[Metric.SATISFACTION].k, inside[Metric.SATISFACTION].n) == (0, 1)
    assert rate(actors.edu, Metric.SATISFACTION) == (1, 1)


# --- resolution and sign-off -------------------------------------------------------------------


def test_resolution_counts_appeals_received_in_the_period_that_are_closed(actors: Actors, edu: Staff) -> None:
    closed = follow_up(actors, answer(actors, edu), Satisfaction.SATISFIED)
    unreachable = answer(actors, edu)
    closed_without_follow_up = rules.close(unreachable, actor=actors.dispatcher, note="联系不上来电人")
    working = accept(dispatch(actors, edu), edu)
    answered = answer(actors, edu)
    rejected = new_appeal(actors)
    rules.reject(rejected, actor=actors.dispatcher, reason=RejectReason.OUT_OF_SCOPE, note="不属于本区")
    old = follow_up(actors, answer(actors, edu), Satisfaction.SATISFIED)
    moved(old, LONG_AGO)

    assert rate(actors.edu, Metric.RESOLUTION) == (2, 4)
    assert counted(Metric.RESOLUTION, "numerator", actors.edu) == {closed.pk, closed_without_follow_up.pk}
    assert counted(Metric.RESOLUTION, "denominator", actors.edu) == {
        closed.pk,
        closed_without_follow_up.pk,
        working.pk,
        answered.pk,
    }


def test_sign_off_counts_items_due_in_the_period_that_are_signed_off(actors: Actors) -> None:
    items = ledger_items(actors)
    assert rate(actors.edu, Metric.SIGN_OFF) == (1, 2)
    due = records(Metric.SIGN_OFF, "denominator", actors.edu, PERIOD)
    assert {i.pk for i in due} == {items["done"].pk, items["open"].pk}


# --- the bound and the ranking -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "lower", "upper"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_bound_matches_published_values(k: int, n: int, lower: float, upper: float) -> None:
    low, high = wilson(k, n)
    assert (round(low, 4), round(high, 4)) == (lower, upper)


def test_no_records_give_no_rate_and_the_widest_bound() -> None:
    assert Rate.of(0, 0) == Rate(k=0, n=0, rate=None, lower=0.0, upper=1.0)


def kpis(code: str, k: int, n: int, metric: str = Metric.SATISFACTION) -> UnitKpis:
    unit = Unit(code=code, name=code, path=f"/D/{code}/")
    return UnitKpis(unit=unit, rates={metric: Rate.of(k, n)})


def test_a_tiny_unit_does_not_top_the_ranking_by_chance() -> None:
    units = [kpis("PERFECT_OF_3", 3, 3), kpis("TEN_OF_10", 10, 10), kpis("95_OF_100", 95, 100)]
    ranked, too_few = rank_units(units, Metric.SATISFACTION)
    # 10/10 = 100 % beats 95/100 = 95 % on the raw share, but 95 of 100 is surer (0.888 > 0.722).
    assert [(r.rank, r.kpis.unit.code) for r in ranked] == [(1, "95_OF_100"), (2, "TEN_OF_10")]
    assert [k.unit.code for k in too_few] == ["PERFECT_OF_3"]
    assert MIN_VOLUME == 10


def test_rates_where_less_is_better_rank_by_the_upper_bound_lowest_first() -> None:
    units = [kpis("NONE_OF_10", 0, 10, Metric.REOPEN), kpis("2_OF_200", 2, 200, Metric.REOPEN)]
    ranked, _too_few = rank_units(units, Metric.REOPEN)
    # 0/10 looks perfect, but its upper bound (0.278) is far above 2/200's (0.036).
    assert [r.kpis.unit.code for r in ranked] == ["2_OF_200", "NONE_OF_10"]


def test_equal_bounds_share_a_place() -> None:
    ranked, _ = rank_units([kpis("A", 9, 10), kpis("B", 9, 10), kpis("C", 5, 10)], Metric.SATISFACTION)
    assert [(r.rank, r.kpis.unit.code) for r in ranked] == [(1, "A"), (1, "B"), (3, "C")]


def test_all_units_are_counted_with_a_fixed_number_of_queries(
    actors: Actors, edu: Staff, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    follow_up(actors, answer(actors, edu), Satisfaction.SATISFIED)
    units = list(Unit.objects.all())
    with django_assert_num_queries(4):  # from the records: assignments, appeals, verdicts, ledger items
        fresh = fresh_count(PERIOD, units)
    summary.refresh()
    # From the summary: stale days, the summed days, ledger items, and what depends on the moment or
    # the period's end (waiting assignments, later follow-ups).
    with django_assert_num_queries(5):
        summed = count_all(PERIOD, units)
    assert summed == fresh and len(summed) == len(units)
    assert Assignment.objects.exists()
