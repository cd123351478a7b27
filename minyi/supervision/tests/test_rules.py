"""Supervision rules: the SLA sweep (idempotent, escalating), leaders' notices, the unit's answers and
the briefing. Time moves by passing ``now=`` to the sweep; deadlines come from the real dispatch."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from minyi.appeals import rules as appeals
from minyi.appeals.choices import WaitingFor
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import dispatched, in_progress, lead_assignment, replied
from minyi.ledger import rules as ledger
from minyi.ledger.choices import EventKind, Track
from minyi.ledger.models import Campaign, Issue, IssueEvent
from minyi.org.models import StaffNotice
from minyi.supervision import jobs, rules
from minyi.supervision.choices import AnswerStatus, Level
from minyi.supervision.models import Notice
from minyi.testing import Actors
from minyi.workdays.rules import add_working_days
from minyi.worker.models import Job

pytestmark = pytest.mark.django_db


def told(user_id: int) -> list[str]:
    """The in-app notices a user got from supervision (links to a notice or the briefing)."""
    return list(
        StaffNotice.objects.filter(user_id=user_id, link__startswith="/supervision/")
        .order_by("id")
        .values_list("text", flat=True)
    )


def due(appeal: Appeal) -> datetime:
    assert appeal.deadline is not None
    return appeal.deadline


def working_noon(start: datetime, days: int) -> datetime:
    """Noon of the ``days``-th working day after ``start``'s day (a moment well inside that day)."""
    return add_working_days(start, days).at - timedelta(hours=12)


@pytest.fixture
def campaign(actors: Actors) -> Campaign:
    return Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                                   ends_on=date(2027, 12, 31))  # fmt: skip


def new_item(actors: Actors, campaign: Campaign, deadline: date) -> Issue:
    return ledger.create_issue(campaign=campaign, title="东村路灯长期不亮", track=Track.FIX_NOW,
                               lead_unit=actors.edu, leader=actors.leader, deadline=deadline,
                               actor=actors.dispatcher)  # fmt: skip


# --- the sweep ---------------------------------------------------------------------------------


def test_running_the_sweep_twice_issues_and_delivers_each_notice_once(
    actors: Actors, campaign: Campaign
) -> None:
    soon = dispatched(actors)
    late = dispatched(actors, title="西村垃圾无人清运")
    Appeal.objects.filter(pk=late.pk).update(deadline=due(soon) - timedelta(days=1, hours=2))
    new_item(actors, campaign, deadline=timezone.localdate(due(soon)) - timedelta(days=1))
    now = due(soon) - timedelta(hours=1)
    first = rules.sweep(now=now)
    jobs_after_first, told_after_first = Job.objects.count(), StaffNotice.objects.count()
    second = rules.sweep(now=now)
    third = rules.sweep(now=now + timedelta(minutes=30))
    assert first == {"due_soon": 1, "yellow": 2, "red": 0, "briefed": 0}
    assert second == third == {"due_soon": 0, "yellow": 0, "red": 0, "briefed": 0}
    assert Notice.objects.count() == 3
    assert (Job.objects.count(), StaffNotice.objects.count()) == (jobs_after_first, told_after_first)


def test_due_soon_reminds_the_handlers_and_reaches_the_outbox(actors: Actors) -> None:
    appeal = dispatched(actors)
    sms_before = Job.objects.filter(kind="notify.sms", payload__phone="13800003333").count()
    rules.sweep(now=due(appeal) - timedelta(hours=1))
    notice = Notice.objects.get()
    assert (notice.level, notice.appeal, notice.unit, notice.issued_by) == (
        Level.DUE_SOON,
        appeal,
        actors.edu,
        None,
    )
    assert notice.answer_by > timezone.localdate(due(appeal) - timedelta(hours=1))
    assert told(actors.handler_edu.pk) and not told(actors.head_edu.pk)
    # 钱承办 chose each notice at once and has a phone: the SMS is in the outbox.
    sms = Job.objects.filter(kind="notify.sms", payload__phone="13800003333")
    assert sms.count() == sms_before + 1
    assert appeal.number in sms.order_by("-id")[0].payload["text"]


def test_overdue_work_escalates_yellow_then_red_then_is_named_in_the_briefing(actors: Actors) -> None:
    appeal = dispatched(actors)
    deadline = due(appeal)
    assert rules.sweep(now=deadline + timedelta(hours=1))["yellow"] == 1
    yellow = Notice.objects.get(level=Level.YELLOW)
    assert told(actors.head_edu.pk) and not told(actors.leader.pk)

    red_time = working_noon(deadline, rules.RED_AFTER)
    assert rules.sweep(now=red_time - timedelta(days=1))["red"] == 0  # only two working days late
    assert rules.sweep(now=red_time)["red"] == 1
    red = Notice.objects.get(level=Level.RED)
    assert red.deadline == yellow.deadline == deadline
    assert told(actors.leader.pk), "the district's leader hears of a red notice about an appeal"
    assert rules.briefing(red_time) == []

    briefing_time = working_noon(red_time, rules.ANSWER_DAYS + 1)
    assert rules.sweep(now=briefing_time)["briefed"] == 1
    red.refresh_from_db()
    assert red.briefed_at == briefing_time
    rows = rules.briefing(briefing_time)
    assert [(row.notice, row.unit, row.answered) for row in rows] == [(red, "区教育局", False)]
    assert rows[0].overdue_days and rows[0].overdue_days >= rules.RED_AFTER
    assert rules.sweep(now=briefing_time + timedelta(hours=1)) == {
        "due_soon": 0, "yellow": 0, "red": 0, "briefed": 0
    }  # fmt: skip
    assert Notice.objects.count() == 2


def test_work_already_long_overdue_gets_the_red_notice_at_once(actors: Actors) -> None:
    appeal = dispatched(actors)
    rules.sweep(now=working_noon(due(appeal), rules.RED_AFTER + 1))
    assert list(Notice.objects.values_list("level", flat=True)) == [Level.RED]


def test_an_answered_yellow_notice_waits_for_red_but_an_unanswered_one_escalates(
    actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "RED_AFTER", 10)  # so only the unanswered yellow notice can turn red
    answered, silent = dispatched(actors), dispatched(actors, title="西村垃圾无人清运")
    deadline = due(answered)
    rules.sweep(now=deadline + timedelta(hours=1))
    rules.answer_notice(
        Notice.objects.get(appeal=answered), actor=actors.head_edu, text="已派人处理，周五前完成"
    )
    later = working_noon(deadline, rules.ANSWER_DAYS + 2)
    assert rules.sweep(now=later)["red"] == 1
    assert Notice.objects.get(level=Level.RED).appeal == silent


def test_paused_and_answered_appeals_are_not_swept(actors: Actors) -> None:
    paused = dispatched(actors)
    appeals.pause_clock(
        paused, actor=actors.handler_edu, waiting_for=WaitingFor.CITIZEN, reason="请提供具体位置"
    )
    assert rules.sweep(now=due(paused) + timedelta(hours=1)) == {
        "due_soon": 0, "yellow": 0, "red": 0, "briefed": 0
    }  # fmt: skip
    assert not Notice.objects.exists()


def test_an_extension_gives_a_new_deadline_that_escalates_afresh(actors: Actors) -> None:
    appeal = in_progress(actors)
    rules.sweep(now=due(appeal) - timedelta(hours=1))
    extension = appeals.request_extension(lead_assignment(appeal), actor=actors.handler_edu, days=3,
                                          reason="需要协调施工队")  # fmt: skip
    appeals.decide_extension(extension, actor=actors.dispatcher, approve=True)
    appeal.refresh_from_db()
    rules.sweep(now=due(appeal) - timedelta(hours=1))
    assert Notice.objects.filter(appeal=appeal, level=Level.DUE_SOON).count() == 2


def test_items_get_reminders_and_notices_on_their_timeline(actors: Actors, campaign: Campaign) -> None:
    today = timezone.localdate()
    item = new_item(actors, campaign, deadline=today + timedelta(days=30))
    day_after = timezone.make_aware(datetime.combine(item.deadline + timedelta(days=1), datetime.min.time()))
    rules.sweep(now=day_after + timedelta(hours=9))
    notice = Notice.objects.get(issue=item)
    assert notice.level == Level.YELLOW and notice.unit == actors.edu
    rules.answer_notice(notice, actor=actors.handler_edu, text="资金已到位，下周完工")
    events = list(IssueEvent.objects.filter(issue=item).values_list("kind", flat=True))
    assert events[-2:] == [EventKind.NOTICE, EventKind.NOTICE_ANSWERED]
    red_time = working_noon(day_after, rules.RED_AFTER)
    rules.sweep(now=red_time)
    assert told(actors.leader.pk), "the item's supervising leader hears of the red notice"


def test_the_sweep_command_prints_counts_and_the_briefing_command_its_rows(actors: Actors) -> None:
    out = StringIO()
    call_command("supervision", "sweep", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"due_soon": 0, "yellow": 0, "red": 0, "briefed": 0}
    out = StringIO()
    call_command("supervision", "briefing", "--json", stdout=out)
    assert json.loads(out.getvalue()) == []


# --- by hand ---------------------------------------------------------------------------------


def test_only_leaders_issue_notices_by_hand_with_a_future_answer_date(actors: Actors) -> None:
    appeal = dispatched(actors)
    tomorrow = timezone.localdate() + timedelta(days=1)
    for someone in (actors.dispatcher, actors.head_edu, actors.handler_edu, actors.auditor, actors.nobody):
        with pytest.raises(PermissionDenied):
            rules.issue_notice(appeal, actor=someone, text="请说明进展", answer_by=tomorrow)
    with pytest.raises(ValidationError) as error:
        rules.issue_notice(appeal, actor=actors.leader, text="请说明进展", answer_by=None)
    assert "answer_by" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        rules.issue_notice(appeal, actor=actors.leader, text="请说明进展", answer_by=date(2020, 1, 1))
    assert "answer_by" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        rules.issue_notice(appeal, actor=actors.leader, text="  ", answer_by=tomorrow)
    assert "text" in error.value.message_dict
    assert not Notice.objects.exists()

    notice = rules.issue_notice(appeal, actor=actors.leader, text="请三日内说明进展", answer_by=tomorrow)
    assert (notice.level, notice.issued_by, notice.unit) == (Level.MANUAL, actors.leader, actors.edu)
    assert told(actors.head_edu.pk) and told(actors.handler_edu.pk)
    assert "郑领导" in told(actors.handler_edu.pk)[-1]


def test_notices_are_issued_only_about_work_in_hand(actors: Actors) -> None:
    with pytest.raises(ValidationError):
        rules.issue_notice(
            replied(actors), actor=actors.leader, text="请说明", answer_by=timezone.localdate()
        )
    assert not Notice.objects.exists()


# --- answers ---------------------------------------------------------------------------------


def test_only_the_unit_answers_and_only_once(actors: Actors) -> None:
    appeal = dispatched(actors)
    notice = rules.issue_notice(appeal, actor=actors.leader, text="请说明", answer_by=timezone.localdate())
    for someone in (actors.handler_housing, actors.outsider, actors.leader, actors.dispatcher):
        with pytest.raises(PermissionDenied):
            rules.answer_notice(notice, actor=someone, text="不是我们的")
    with pytest.raises(ValidationError):
        rules.answer_notice(notice, actor=actors.handler_edu, text="   ")
    answered = rules.answer_notice(notice, actor=actors.handler_edu, text="已于今日修复")
    assert answered.answer_status() == AnswerStatus.ON_TIME and not answered.late
    assert told(actors.leader.pk)[-1].startswith("区教育局")  # the issuer hears of the answer
    with pytest.raises(ValidationError):
        rules.answer_notice(notice, actor=actors.head_edu, text="再答一次")
    notice.refresh_from_db()
    assert (notice.answer, notice.answered_by) == ("已于今日修复", actors.handler_edu)


def test_an_answer_after_the_answer_date_is_recorded_as_late(actors: Actors) -> None:
    appeal = dispatched(actors)
    # The appeal was due three weeks ago and the sweep ran ten days ago; the unit answers only today.
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - timedelta(days=21))
    rules.sweep(now=timezone.now() - timedelta(days=10))
    notice = Notice.objects.get(appeal=appeal)
    assert notice.answer_status() == AnswerStatus.OVERDUE and notice.late
    assert list(Notice.objects.late()) == [notice]
    answered = rules.answer_notice(notice, actor=actors.head_edu, text="拖延了，已整改")
    assert answered.answer_status() == AnswerStatus.LATE and answered.late
    assert list(Notice.objects.late()) == [notice]
    on_time = rules.issue_notice(
        dispatched(actors), actor=actors.leader, text="请说明", answer_by=timezone.localdate()
    )
    rules.answer_notice(on_time, actor=actors.handler_edu, text="已说明")
    assert list(Notice.objects.late()) == [notice]


# --- the weekly briefing ---------------------------------------------------------------------


def test_the_weekly_briefing_tells_leaders_and_dispatchers_once_on_mondays(actors: Actors) -> None:
    appeal = dispatched(actors)
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - timedelta(days=21))
    rules.sweep(now=timezone.now() - timedelta(days=10))  # red at once, its answer date long past
    assert len(rules.briefing()) == 1
    monday = date(2026, 11, 30)
    jobs.run_briefing({"slot": (monday + timedelta(days=1)).isoformat()})  # a Tuesday: nothing
    assert not told(actors.dispatcher.pk)
    jobs.run_briefing({"slot": monday.isoformat()})
    jobs.run_briefing({"slot": monday.isoformat()})  # the job ran again: nobody is told twice
    assert len(told(actors.dispatcher.pk)) == 1 and len(told(actors.leader.pk)) >= 1
    assert "区教育局 1" in told(actors.dispatcher.pk)[0]
    assert not told(actors.handler_housing.pk)
