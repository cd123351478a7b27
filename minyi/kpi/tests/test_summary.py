"""The KPI tables kept on every write — follow-up verdicts and the daily summary — equal a fresh count
from the records after a mixed series of writes, and give the known answers."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from minyi.appeals import rules
from minyi.appeals.choices import Satisfaction
from minyi.appeals.models import Appeal, Followup
from minyi.demo.volume.appeals import generate
from minyi.kpi import summary
from minyi.kpi.choices import Metric
from minyi.kpi.metrics import Period
from minyi.kpi.models import DailyCount, Verdict
from minyi.kpi.rules import count_all, count_periods, fresh_count
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
    moved,
    shift,
)
from minyi.org.models import Unit
from minyi.testing import Actors

pytestmark = pytest.mark.django_db
SAT, BASIC, UNSAT = Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED


def verdicts() -> list[tuple[Any, ...]]:
    return list(Verdict.objects.order_by("pk").values_list())


def daily() -> set[tuple[Any, ...]]:
    summary.refresh()
    return set(DailyCount.objects.values_list("day", "unit_id", "key", "n"))


def by_rectification(actors: Actors, appeal: Appeal, unit: Unit) -> Appeal:
    """A signed-off rectification item led by ``unit`` answers the appeal (ledger sign-off does this)."""
    rules.answer_by_rectification(appeal, actor=actors.leader, unit=unit, body="已整改完毕。", issue_id=1)
    appeal.refresh_from_db()
    return appeal


@pytest.fixture
def mixed(actors: Actors) -> None:
    """Answers, follow-ups, reopens, returns, answers by rectification items, moved histories."""
    edu = Staff(actors.edu, actors.handler_edu, actors.head_edu)
    housing = Staff(actors.housing, actors.handler_housing, housing_head(actors))
    follow_up(actors, answer(actors, edu), SAT)
    # Rejected at EDU, then answered by HOUSING.
    second = follow_up(actors, answer(actors, edu), UNSAT)
    follow_up(actors, answer(actors, housing, second), BASIC)
    # Rejected twice at EDU, then answered by HOUSING.
    third = follow_up(actors, answer(actors, edu), UNSAT)
    third = follow_up(actors, answer(actors, edu, third), UNSAT)
    follow_up(actors, answer(actors, housing, third), SAT)
    # Rejected at EDU, then answered by 海城镇's rectification item while no unit held it — rejected too.
    fourth = follow_up(actors, answer(actors, edu), UNSAT)
    follow_up(actors, by_rectification(actors, fourth, actors.town), UNSAT)
    # EDU held it when HOUSING's rectification item answered it: the answer finished EDU's assignment.
    fifth = by_rectification(actors, accept(dispatch(actors, edu), edu), actors.housing)
    follow_up(actors, fifth, SAT)
    # Returned by EDU, handed to HOUSING, still waiting; one left waiting past its limit.
    returned = dispatch(actors, edu)
    rules.return_to_dispatcher(lead(returned), actor=actors.handler_edu, reason="不属于本局职责")
    dispatch(actors, housing, Appeal.objects.get(pk=returned.pk))
    shift(lead(dispatch(actors, edu)), return_by=timezone.now() - timedelta(minutes=1))
    # Histories of last month and of two months ago, and a closing without follow-up.
    moved(follow_up(actors, answer(actors, edu), SAT), timedelta(days=20))
    moved(follow_up(actors, answer(actors, edu), UNSAT), LONG_AGO)
    rules.close(answer(actors, edu), actor=actors.dispatcher, note="联系不上来电人")


def test_verdicts_kept_on_every_write_equal_a_fresh_rebuild_with_known_answers(
    actors: Actors, mixed: None
) -> None:
    kept, counts = verdicts(), daily()
    assert len(kept) == 11
    out = StringIO()
    call_command("kpi", "rebuild", stdout=out)
    assert "11 follow-up verdicts" in out.getvalue()
    assert verdicts() == kept
    assert daily() == counts

    figures = {k.unit.code: k.rates for k in count_all(PERIOD, [actors.edu, actors.housing, actors.town])}

    def kn(unit: str, metric: str) -> tuple[int, int]:
        return figures[unit][metric].k, figures[unit][metric].n

    # The latest follow-up per appeal in the period: EDU's first, fifth and last month's; the others
    # ended at HOUSING or 海城镇 (or two months ago).
    assert kn("EDU", Metric.SATISFACTION) == (3, 3)
    assert kn("HOUSING", Metric.SATISFACTION) == (2, 2)
    assert kn("T1", Metric.SATISFACTION) == (0, 1)
    assert kn("EDU", Metric.REOPEN) == (4, 8)  # eight answers this month, four of them rejected
    assert kn("HOUSING", Metric.REOPEN) == (0, 2)
    assert kn("T1", Metric.REOPEN) == (0, 0)  # answered without an assignment: no answer to share
    assert kn("EDU", Metric.RETURN) == (1, 10)  # ten dispatched to EDU this month, one returned
    assert kn("EDU", Metric.RESPONSE) == (8, 9)  # all accepted in time but the one left past its limit


@pytest.mark.parametrize(
    "period",
    [
        PERIOD,
        Period(PERIOD.first, TODAY - timedelta(days=1)),  # later follow-ups came after this period
        Period(TODAY, TODAY),
        Period(TODAY - LONG_AGO - timedelta(days=1), TODAY),
        Period(TODAY - timedelta(days=400), TODAY - timedelta(days=200)),  # nothing happened
    ],
)
def test_the_summary_equals_a_fresh_count_after_mixed_writes(
    actors: Actors, mixed: None, period: Period
) -> None:
    units = list(Unit.objects.all())
    assert count_all(period, units) == fresh_count(period, units)


def test_months_counted_together_equal_each_month_counted_fresh(actors: Actors, mixed: None) -> None:
    """The dashboard's trend counts six months in the queries of one (count_periods)."""
    units = list(Unit.objects.all())
    months = [
        Period(TODAY - timedelta(days=60), TODAY - timedelta(days=31)),
        Period(TODAY - timedelta(days=30), TODAY - timedelta(days=2)),
        Period(TODAY - timedelta(days=1), TODAY),
    ]
    together = count_periods(months, units)
    assert together == [fresh_count(month, units) for month in months]
    assert any(k.rates[Metric.SATISFACTION].n for k in together[-1])  # the mixed writes are counted


def test_a_rebuild_repairs_tables_that_drifted(actors: Actors, mixed: None) -> None:
    kept, counts = verdicts(), daily()
    Verdict.objects.update(unit=actors.housing, next_at=None)  # as if written by a bulk load
    DailyCount.objects.update(n=99)
    call_command("kpi", "rebuild", stdout=StringIO())
    assert verdicts() == kept
    assert daily() == counts


def test_a_bulk_load_past_the_rules_is_counted_by_the_next_read(actors: Actors) -> None:
    loaded = generate(300, seed=7)
    assert loaded["followups"] > 0  # the volume holds follow-ups, returns and reopens
    units = list(Unit.objects.all())
    year = Period(TODAY - timedelta(days=400), TODAY)
    assert count_all(year, units) == fresh_count(year, units)
    assert Verdict.objects.count() == Followup.objects.count() == loaded["followups"]
    assert any(k.rates[Metric.REOPEN].k for k in count_all(year, units))
    assert any(k.rates[Metric.RETURN].k for k in count_all(year, units))
