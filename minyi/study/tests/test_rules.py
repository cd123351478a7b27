"""Study rules: check-in codes and their window, online and recorded attendance, the idempotent batch,
materials, members left behind and reminders."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from minyi.org.models import StaffNotice
from minyi.study import rules
from minyi.study.choices import MaterialKind
from minyi.study.models import Attendance, Material, Reminder
from minyi.study.tests.conftest import Study, build_study
from minyi.testing import Actors
from minyi.worker.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare(actors: Actors) -> Study:
    return build_study(actors, attendances=False)


def test_member_checks_in_once_with_the_code(bare: Study) -> None:
    attendance = rules.check_in(code=bare.s1.code.lower(), actor=bare.actors.member, now=bare.s1.starts_at)
    assert attendance.mode == "check_in" and attendance.person == bare.member.person
    with pytest.raises(ValidationError) as error:
        rules.check_in(code=bare.s1.code, actor=bare.actors.member, now=bare.s1.starts_at)
    assert error.value.code == "duplicate"
    assert Attendance.objects.count() == 1


def test_expired_code_is_refused_and_nothing_saved(bare: Study) -> None:
    later = bare.s1.starts_at + dt.timedelta(hours=3, minutes=1)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        rules.check_in(code=bare.s1.code, actor=bare.actors.member, now=later)
    assert error.value.messages == ["This check-in code has expired."]
    with pytest.raises(ValidationError) as early:
        rules.check_in(
            code=bare.s1.code, actor=bare.actors.member, now=bare.s1.starts_at - dt.timedelta(hours=2)
        )
    assert early.value.code == "not_open"
    assert not Attendance.objects.exists()


def test_window_is_configurable(bare: Study, settings: object) -> None:
    settings.MINYI_STUDY_CHECKIN_CLOSES_AFTER = 30  # type: ignore[attr-defined]
    session = rules.add_session(bare.tour, starts_at=bare.s1.starts_at, topic="短", place="东村", actor=None)
    assert session.code_closes_at - session.starts_at == dt.timedelta(minutes=30)


def test_code_of_another_session_is_refused_on_this_sessions_page(bare: Study) -> None:
    with pytest.raises(ValidationError) as error:
        rules.check_in(code=bare.s2.code, actor=bare.actors.member, session=bare.s1, now=bare.s1.starts_at)
    assert error.value.code == "other_session"
    with pytest.raises(ValidationError) as malformed:
        rules.check_in(code="12", actor=bare.actors.member, now=bare.s1.starts_at)
    assert malformed.value.code == "malformed"
    assert not Attendance.objects.exists()


def test_only_members_on_a_roll_check_in(bare: Study) -> None:
    with pytest.raises(ValidationError) as error:
        rules.check_in(code=bare.s1.code, actor=bare.actors.cadre, now=bare.s1.starts_at)
    assert error.value.code == "not_member"


def test_online_attendance_needs_an_invited_branch(bare: Study) -> None:
    with pytest.raises(ValidationError) as error:
        rules.attend_online(bare.s2, actor=bare.actors.member, now=bare.s2.starts_at)
    assert error.value.code == "not_invited"
    assert rules.attend_online(bare.s3, actor=bare.actors.member, now=bare.s3.starts_at).mode == "online"


def test_only_the_responsible_member_or_an_organiser_records_for_others(bare: Study) -> None:
    with pytest.raises(PermissionDenied):
        rules.record_attendance(bare.s1, bare.lin, actor=bare.actors.outsider)
    fisher = bare.fisher1.person.user
    assert fisher is not None
    with pytest.raises(PermissionDenied):  # 林党员 is not on 海员甲's branch
        rules.record_attendance(bare.s1, bare.lin, actor=fisher)
    assert rules.record_attendance(bare.s2, bare.fisher2, actor=fisher).mode == "recorded"


def test_batch_keeps_valid_records_and_reports_each_bad_one(bare: Study) -> None:
    fisher = bare.fisher1.person.user
    assert fisher is not None
    good = [str(uuid.uuid4()), str(uuid.uuid4())]
    batch: list[object] = [
        {"uid": good[0], "session": bare.s2.pk, "member": bare.fisher1.person.pk},
        {"uid": "not-a-uuid", "session": bare.s2.pk, "member": bare.fisher2.person.pk},
        {"uid": str(uuid.uuid4()), "session": "x", "member": bare.fisher2.person.pk},
        "garbage",
        {"uid": str(uuid.uuid4()), "session": 999999, "member": bare.fisher2.person.pk},
        {"uid": str(uuid.uuid4()), "session": bare.s2.pk, "member": bare.lin.person.pk},  # not his branch
        {"uid": good[1], "session": bare.s2.pk, "member": bare.fisher2.person.pk},
    ]
    with translation.override("en"):
        result = rules.record_attendance_batch(batch, actor=fisher)
    assert result.recorded == good
    assert [p.index for p in result.errors] == [1, 2, 3, 4, 5]
    assert result.errors[0].message == "The record has no valid id (uid)."
    assert "session" in result.errors[1].message
    assert result.errors[3].message == "No such session."
    assert Attendance.objects.count() == 2


def test_batch_sent_twice_counts_once_and_a_conflict_is_reported(bare: Study) -> None:
    fisher = bare.fisher1.person.user
    assert fisher is not None
    uid = str(uuid.uuid4())
    batch = [{"uid": uid, "session": bare.s2.pk, "member": bare.fisher2.person.pk}]
    assert rules.record_attendance_batch(batch, actor=fisher).recorded == [uid]
    again = rules.record_attendance_batch(batch, actor=fisher)
    assert again.recorded == [] and again.already == [uid]
    conflict = rules.record_attendance_batch(
        [{"uid": uid, "session": bare.s3.pk, "member": bare.fisher2.person.pk}], actor=fisher
    )
    assert [p.uid for p in conflict.conflicts] == [uid]
    other_phone = rules.record_attendance_batch(
        [{"uid": str(uuid.uuid4()), "session": bare.s2.pk, "member": bare.fisher2.person.pk}], actor=fisher
    )
    assert len(other_phone.already) == 1
    assert Attendance.objects.count() == 1
    assert rules.record_attendance_batch("nope", actor=fisher).errors


def test_material_goes_to_a_branch_or_a_member(bare: Study) -> None:
    day = dt.date(2026, 10, 1)
    with pytest.raises(ValidationError):
        rules.hand_out(kind=MaterialKind.BOOK, title="书", count=1, handed_on=day, actor=None)
    with pytest.raises(ValidationError):
        rules.hand_out(
            kind=MaterialKind.BOOK, title="书", count=0, handed_on=day, branch=bare.branch_a, actor=None
        )
    with pytest.raises(PermissionDenied):
        rules.hand_out(
            kind=MaterialKind.BOOK,
            title="书",
            count=1,
            handed_on=day,
            branch=bare.branch_a,
            actor=bare.actors.outsider,
        )
    assert not Material.objects.exists()


def test_left_behind_lists_mobile_members_first(study: Study) -> None:
    period = rules.Period(study.campaign)
    behind = list(rules.left_behind(rules.members_in(None), period))
    assert [m.person.name for m in behind] == ["海员乙"]
    narrow = rules.Period(None, dt.date(2026, 10, 15), dt.date(2026, 10, 31))
    names = [m.person.name for m in rules.left_behind(rules.members_in(None), narrow)]
    assert names == ["海员乙", "林党员", "陈党员"]


def test_reminders_are_sent_once_per_member_and_period(study: Study) -> None:
    period = rules.Period(None, dt.date(2026, 10, 15), dt.date(2026, 10, 31))
    assert rules.send_reminders(rules.members_in(None), period, actor=study.actors.cadre) == 3
    assert rules.send_reminders(rules.members_in(None), period, actor=study.actors.cadre) == 0
    assert Reminder.objects.count() == 3
    assert StaffNotice.objects.filter(user=study.actors.member).count() == 1  # in the app, with a login
    assert Job.objects.filter(payload__phone="13700007777").count() == 1  # by SMS, without one
