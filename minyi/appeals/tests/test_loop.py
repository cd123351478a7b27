"""Every transition rule of the appeal loop (docs/design.md, "The appeal loop")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minyi.appeals import rules
from minyi.appeals.choices import (
    AssignmentState,
    DueStatus,
    EventKind,
    FollowupBy,
    RejectReason,
    Satisfaction,
    State,
    WaitingFor,
)
from minyi.appeals.models import Appeal, AppealEvent, Assignment
from minyi.appeals.tests.factories import dispatched, in_progress, lead_assignment, new_appeal, replied
from minyi.testing import Actors
from minyi.workdays.rules import add_working_days
from minyi.worker.models import Job

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def sms_texts() -> list[str]:
    return [job.payload["text"] for job in Job.objects.filter(kind="notify.sms").order_by("id")]


# --- intake --------------------------------------------------------------------------------


def test_submission_gets_a_number_and_a_query_code_that_finds_it(actors: Actors) -> None:
    submission = rules.submit(channel="mailbox", kind="complaint", title="路灯坏了", body="村口路灯不亮。")
    appeal = submission.appeal
    assert appeal.number and appeal.number.startswith(f"{timezone.localdate():%Y%m%d}")
    assert len(submission.query_code) == 8
    assert submission.query_code not in appeal.query_code_hash
    assert rules.find_for_citizen(appeal.number, submission.query_code.lower()) == appeal
    assert rules.find_for_citizen(appeal.number, "WRONG234") is None
    assert rules.find_for_citizen("nonexistent", submission.query_code) is None
    assert appeal.events.get().kind == EventKind.RECEIVED


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "长" * 101}, "title"),
        ({"body": ""}, "body"),
        ({"body": "长" * 4001}, "body"),
    ],
)
def test_bad_text_is_refused_and_nothing_is_saved(actors: Actors, fields: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        new_appeal(actors, **fields)
    assert field in error.value.message_dict
    assert Appeal.objects.count() == 0


def test_village_outside_the_chosen_township_is_refused(actors: Actors) -> None:
    with pytest.raises(ValidationError) as error:
        new_appeal(actors, township=actors.town, village=actors.other_village)
    assert "village" in error.value.message_dict
    with pytest.raises(ValidationError):
        new_appeal(actors, village=actors.edu)  # a department is no village
    assert Appeal.objects.count() == 0


def test_photo_is_checked_by_content_not_by_name(actors: Actors) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is a program", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        new_appeal(actors, files=[fake])
    assert "files" in error.value.message_dict
    assert Appeal.objects.count() == 0
    real = SimpleUploadedFile("whatever.bin", PNG, content_type="application/octet-stream")
    attachment = new_appeal(actors, files=[real]).attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "whatever.bin"


def test_oversized_file_is_refused(actors: Actors) -> None:
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (10 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError):
        new_appeal(actors, files=[big])
    assert Appeal.objects.count() == 0


# --- dispatch --------------------------------------------------------------------------------


def test_dispatch_sets_lead_and_co_units_with_a_working_day_deadline(actors: Actors) -> None:
    appeal = new_appeal(actors)
    before = timezone.now()
    appeal = rules.dispatch(
        appeal,
        lead=actors.edu,
        co_units=[actors.town],
        instructions="请会同海城镇办理",
        actor=actors.dispatcher,
    )
    assert appeal.state == State.DISPATCHED
    assert appeal.lead_unit == actors.edu
    roles = {a.unit.code: a.role for a in appeal.assignments.all()}
    assert roles == {"EDU": "lead", "T1": "co"}
    expected = add_working_days(before, 5).at
    assert abs((appeal.deadline - expected).total_seconds()) < 1  # type: ignore[operator]
    assert "已交办至区教育局" in sms_texts()[-1]


def test_dispatch_with_a_deadline_in_the_past_is_refused(actors: Actors) -> None:
    appeal = new_appeal(actors)
    with pytest.raises(rules.AppealError, match="未来"):
        rules.dispatch(
            appeal, lead=actors.edu, actor=actors.dispatcher, deadline=timezone.now() - timedelta(hours=1)
        )
    appeal.refresh_from_db()
    assert appeal.state == State.RECEIVED
    assert not appeal.assignments.exists()


def test_only_dispatchers_dispatch(actors: Actors) -> None:
    appeal = new_appeal(actors)
    with pytest.raises(PermissionDenied):
        rules.dispatch(appeal, lead=actors.edu, actor=actors.handler_edu)


def test_dispatching_twice_is_an_illegal_transition(actors: Actors) -> None:
    appeal = dispatched(actors)
    with pytest.raises(rules.IllegalTransition):
        rules.dispatch(appeal, lead=actors.housing, actor=actors.dispatcher)


def test_appeal_about_a_unit_is_never_dispatched_to_it_or_below_it(actors: Actors) -> None:
    appeal = new_appeal(actors, concerns_unit=actors.town)
    for target in (actors.town, actors.village):
        with pytest.raises(rules.AppealError, match="回避"):
            rules.dispatch(appeal, lead=target, actor=actors.dispatcher)
    with pytest.raises(rules.AppealError):
        rules.dispatch(appeal, lead=actors.edu, co_units=[actors.village], actor=actors.dispatcher)
    assert rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher).state == State.DISPATCHED


def test_stale_form_gets_a_version_conflict_and_changes_nothing(actors: Actors) -> None:
    appeal = new_appeal(actors)
    seen_version = appeal.version
    rules.correct(appeal, actor=actors.dispatcher, expected_version=seen_version, urgency="urgent")
    with pytest.raises(rules.VersionConflict):
        rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher, expected_version=seen_version)
    appeal.refresh_from_db()
    assert appeal.state == State.RECEIVED
    assert appeal.urgency == "urgent"


# --- the unit's work ------------------------------------------------------------------------


def test_accepting_moves_the_appeal_to_in_progress(actors: Actors) -> None:
    appeal = in_progress(actors)
    assert appeal.state == State.IN_PROGRESS
    assert lead_assignment(appeal).accepted_at is not None


def test_another_units_handler_cannot_accept(actors: Actors) -> None:
    appeal = dispatched(actors)
    with pytest.raises(PermissionDenied):
        rules.accept(lead_assignment(appeal), actor=actors.handler_housing)
    with pytest.raises(rules.IllegalTransition):
        rules.accept(lead_assignment(appeal), actor=actors.handler_edu) and rules.accept(
            lead_assignment(appeal), actor=actors.handler_edu
        )


def test_returning_sends_the_appeal_back_to_the_dispatcher(actors: Actors) -> None:
    appeal = rules.dispatch(
        new_appeal(actors), lead=actors.edu, co_units=[actors.town], actor=actors.dispatcher
    )
    appeal = rules.return_to_dispatcher(
        lead_assignment(appeal), actor=actors.handler_edu, reason="不属于教育局职责"
    )
    assert appeal.state == State.RECEIVED
    assert appeal.lead_unit is None
    states = set(Assignment.objects.filter(appeal=appeal).values_list("state", flat=True))
    assert states == {AssignmentState.RETURNED, AssignmentState.WITHDRAWN}
    assert rules.dispatch(appeal, lead=actors.housing, actor=actors.dispatcher).lead_unit == actors.housing


def test_return_needs_a_reason_and_must_come_within_the_limit(actors: Actors) -> None:
    appeal = dispatched(actors)
    assignment = lead_assignment(appeal)
    with pytest.raises(rules.AppealError):
        rules.return_to_dispatcher(assignment, actor=actors.handler_edu, reason=" ")
    Assignment.objects.filter(pk=assignment.pk).update(return_by=timezone.now() - timedelta(minutes=1))
    with pytest.raises(rules.AppealError, match="退回期限"):
        rules.return_to_dispatcher(assignment, actor=actors.handler_edu, reason="不归我们管")


def test_approved_extension_moves_the_deadline_by_working_days(actors: Actors) -> None:
    appeal = in_progress(actors)
    assignment = lead_assignment(appeal)
    old = appeal.deadline
    extension = rules.request_extension(assignment, actor=actors.handler_edu, days=3, reason="需要协调资金")
    rules.decide_extension(extension, actor=actors.dispatcher, approve=True)
    appeal.refresh_from_db()
    assert appeal.deadline == add_working_days(old, 3).at  # type: ignore[arg-type]
    assert "需要延期" in sms_texts()[-1]


def test_denied_extension_keeps_the_deadline_and_limits_hold(actors: Actors) -> None:
    appeal = in_progress(actors)
    assignment = lead_assignment(appeal)
    extension = rules.request_extension(assignment, actor=actors.handler_edu, days=2, reason="材料未齐")
    with pytest.raises(rules.IllegalTransition):
        rules.request_extension(assignment, actor=actors.handler_edu, days=1, reason="再要一天")
    rules.decide_extension(extension, actor=actors.dispatcher, approve=False, note="请按期办结")
    assert Appeal.objects.get(pk=appeal.pk).deadline == appeal.deadline
    with pytest.raises(rules.AppealError):
        rules.request_extension(assignment, actor=actors.handler_edu, days=11, reason="太多")
    with pytest.raises(PermissionDenied):
        rules.decide_extension(
            rules.request_extension(assignment, actor=actors.handler_edu, days=1, reason="一天"),
            actor=actors.handler_edu,
            approve=True,
        )


def test_pause_moves_the_deadline_by_the_working_days_it_lasted(actors: Actors) -> None:
    appeal = in_progress(actors)
    pause = rules.pause_clock(
        appeal, actor=actors.handler_edu, waiting_for=WaitingFor.THIRD_PARTY, reason="等待鉴定"
    )
    appeal.refresh_from_db()
    assert rules.due_status(appeal) == DueStatus.PAUSED
    # the pause began ten days ago (shift it back by hand: time cannot pass in a test)
    started = timezone.now() - timedelta(days=10)
    type(pause).objects.filter(pk=pause.pk).update(started_at=started)
    deadline = appeal.deadline
    appeal = rules.resume_clock(appeal, actor=actors.handler_edu)
    from minyi.workdays.rules import working_days_between

    lost = working_days_between(started, timezone.now())
    assert lost >= 6
    assert appeal.deadline == add_working_days(deadline, lost).at  # type: ignore[arg-type]
    assert appeal.paused_at is None


def test_information_from_the_citizen_restarts_a_clock_waiting_for_them(actors: Actors) -> None:
    appeal = in_progress(actors)
    rules.pause_clock(
        appeal, actor=actors.handler_edu, waiting_for=WaitingFor.CITIZEN, reason="请提供具体位置"
    )
    assert "需要您补充" in sms_texts()[-1]
    appeal = rules.add_citizen_information(appeal, text="在村口小卖部旁边")
    assert appeal.paused_at is None
    assert appeal.events.filter(kind=EventKind.RESUMED).exists()


# --- replies and follow-ups -----------------------------------------------------------------


def test_reply_needs_the_unit_heads_approval_before_it_reaches_the_citizen(actors: Actors) -> None:
    appeal = in_progress(actors)
    reply = rules.draft_reply(appeal, actor=actors.handler_edu, body="已修复。", publish=True)
    appeal.refresh_from_db()
    assert appeal.state == State.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        rules.approve_reply(reply, actor=actors.handler_edu)
    rules.send_back_reply(reply, actor=actors.head_edu, note="请写明修复时间和责任人")
    reply = rules.draft_reply(
        appeal, actor=actors.handler_edu, body="11月20日由村委会更换路灯三盏，已恢复照明。"
    )
    rules.approve_reply(reply, actor=actors.head_edu)
    appeal.refresh_from_db()
    assert appeal.state == State.REPLIED
    assert appeal.replied_at is not None
    assert "已有答复" in sms_texts()[-1]
    assert set(appeal.assignments.values_list("state", flat=True)) == {AssignmentState.DONE}


def test_unsatisfied_follow_up_reopens_and_the_second_round_closes(actors: Actors) -> None:
    appeal = replied(actors)
    rules.follow_up(appeal, result=Satisfaction.UNSATISFIED, by=FollowupBy.CITIZEN, comment="只修了一个")
    appeal.refresh_from_db()
    assert appeal.state == State.REOPENED
    appeal = rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    reply = rules.draft_reply(appeal, actor=actors.handler_edu, body="三盏路灯已全部更换。")
    rules.approve_reply(reply, actor=actors.head_edu)
    rules.follow_up(appeal, result=Satisfaction.SATISFIED, by=FollowupBy.CALL, actor=actors.operator)
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.DISPATCHED) == 2
    assert kinds[-1] == EventKind.CLOSED


def test_follow_up_before_a_reply_is_illegal(actors: Actors) -> None:
    appeal = in_progress(actors)
    with pytest.raises(rules.IllegalTransition):
        rules.follow_up(appeal, result=Satisfaction.SATISFIED, by=FollowupBy.CITIZEN)


def test_operator_call_follow_up_needs_the_permission(actors: Actors) -> None:
    appeal = replied(actors)
    with pytest.raises(PermissionDenied):
        rules.follow_up(appeal, result=Satisfaction.SATISFIED, by=FollowupBy.CALL, actor=actors.handler_edu)


# --- reject, merge, close ------------------------------------------------------------------


def test_reject_with_reason_and_never_as_duplicate(actors: Actors) -> None:
    appeal = new_appeal(actors)
    with pytest.raises(rules.AppealError):
        rules.reject(appeal, actor=actors.dispatcher, reason=RejectReason.DUPLICATE, note="重复")
    rules.reject(appeal, actor=actors.dispatcher, reason=RejectReason.OUT_OF_SCOPE, note="属于司法程序")
    appeal.refresh_from_db()
    assert appeal.state == State.REJECTED
    assert "不予受理" in sms_texts()[-1]
    with pytest.raises(rules.IllegalTransition):
        rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)


def test_merged_citizen_receives_the_masters_reply_and_a_merge_can_be_undone(actors: Actors) -> None:
    master = new_appeal(actors)
    duplicate = new_appeal(actors, citizen_phone="13900002222", citizen_name="李四")
    rules.merge(duplicate, into=master, actor=actors.dispatcher)
    duplicate.refresh_from_db()
    assert duplicate.state == State.MERGED
    rules.unmerge(duplicate, actor=actors.dispatcher)
    duplicate.refresh_from_db()
    assert duplicate.state == State.RECEIVED
    rules.merge(duplicate, into=master, actor=actors.dispatcher)
    rules.dispatch(master, lead=actors.edu, actor=actors.dispatcher)
    rules.accept(lead_assignment(master), actor=actors.handler_edu)
    rules.approve_reply(
        rules.draft_reply(master, actor=actors.handler_edu, body="已修复。"), actor=actors.head_edu
    )
    phones = {
        job.payload["phone"]
        for job in Job.objects.filter(kind="notify.sms")
        if "已有答复" in job.payload["text"]
    }
    assert phones == {"13900001111", "13900002222"}


def test_cannot_merge_into_itself(actors: Actors) -> None:
    appeal = new_appeal(actors)
    with pytest.raises(rules.AppealError):
        rules.merge(appeal, into=appeal, actor=actors.dispatcher)


def test_every_transition_leaves_an_event_and_an_audit_record(actors: Actors) -> None:
    from minyi.audit.models import AuditEvent

    appeal = replied(actors)
    kinds = list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True))
    assert kinds == ["received", "dispatched", "accepted", "reply_drafted", "replied"]
    audited = set(AuditEvent.objects.filter(object_id=str(appeal.pk)).values_list("action", flat=True))
    assert {"appeals.dispatched", "appeals.accepted", "appeals.replied"} <= audited


def test_due_status_and_filters_follow_the_deadline(actors: Actors) -> None:
    appeal = in_progress(actors)
    assert rules.due_status(appeal) == DueStatus.ON_TRACK
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    appeal.refresh_from_db()
    assert rules.due_status(appeal) == DueStatus.OVERDUE
    assert list(Appeal.objects.filter(rules.due_filter(DueStatus.OVERDUE))) == [appeal]
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() + timedelta(hours=2))
    appeal.refresh_from_db()
    assert rules.due_status(appeal) == DueStatus.DUE_SOON
    assert list(Appeal.objects.filter(rules.due_filter(DueStatus.DUE_SOON))) == [appeal]
