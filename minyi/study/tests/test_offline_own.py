"""A plain member records their own attendance offline with the session's code (issue 7): the right
code records them as checked in even weeks later; a missing, wrong or other session's code is refused
with a clear message and saves nothing; a record sent twice counts once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.utils import timezone

from minyi.org.choices import Role
from minyi.org.rules import create_person
from minyi.study import rules
from minyi.study.models import Attendance, Membership, Session
from minyi.study.tests.conftest import Study, build_study
from minyi.study.tests.test_offline import client_for, data_of, post
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare(actors: Actors) -> Study:
    return build_study(actors, attendances=False)


@pytest.fixture
def sailor(bare: Study) -> Membership:
    """A plain member of branch A with a login: responsible for no branch, no organiser."""
    person = create_person(
        name="水手丙", unit=bare.actors.village, role=Role.MEMBER, username="sailor",
        password_hash=make_password(PASSWORD), actor=None,
    )  # fmt: skip
    return rules.enrol_member(person, home_branch=bare.branch_a, actor=None)


def login_of(membership: Membership) -> User:
    user = membership.person.user
    assert user is not None
    return user


@pytest.fixture
def at_sea(bare: Study) -> Session:
    """A session held on a ship 30 days ago: its code window closed long before the phone is back."""
    return rules.add_session(
        bare.tour, starts_at=timezone.now() - dt.timedelta(days=30), topic="海上学习", ship="闽渔8号",
        branches=[bare.branch_a], actor=None,
    )  # fmt: skip


def own(session: Session, membership: Membership, code: Any = None, uid: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "uid": uid or str(uuid.uuid4()),
        "session": session.pk,
        "member": membership.person_id,
    }
    if code is not None:
        record["code"] = code
    return record


def test_a_member_records_own_attendance_with_the_code_weeks_later(
    sailor: Membership, at_sea: Session
) -> None:
    assert at_sea.code_closes_at < timezone.now()
    typed = f" {at_sea.code[:3].lower()} {at_sea.code[3:]} "  # as typed on a phone
    record = own(at_sea, sailor, typed)
    body = post(client_for(login_of(sailor)), {"records": [record]}).json()
    assert body["recorded"] == [record["uid"]] and body["errors"] == []
    attendance = Attendance.objects.get(session=at_sea, person=sailor.person)
    assert str(attendance.uid) == record["uid"]
    assert attendance.mode == "check_in"
    assert attendance.recorded_by == login_of(sailor)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (None, "Type the code of this session to record your own attendance."),
        ("   ", "Type the code of this session to record your own attendance."),
        ("ZZZZZZ", "No session has this check-in code. Check the code and try again."),
        ("12", "A check-in code has 6 letters or digits."),
    ],
)
def test_a_missing_or_wrong_code_is_refused_and_nothing_saved(
    sailor: Membership, at_sea: Session, code: str | None, message: str
) -> None:
    if code == "ZZZZZZ":
        Session.objects.filter(code=code).update(code="YYYYYY")  # make sure no session has it
    record = own(at_sea, sailor, code)
    body = post(client_for(login_of(sailor)), {"records": [record]}).json()
    assert body["recorded"] == []
    assert body["errors"] == [{"index": 0, "uid": record["uid"], "message": message}]
    assert not Attendance.objects.exists()


def test_the_code_of_another_session_is_refused(bare: Study, sailor: Membership, at_sea: Session) -> None:
    other = rules.add_session(
        bare.tour, starts_at=timezone.now() - dt.timedelta(days=2), topic="东村宣讲", place="村部", actor=None
    )
    record = own(at_sea, sailor, other.code)
    body = post(client_for(login_of(sailor)), {"records": [record]}).json()
    assert [e["message"] for e in body["errors"]] == ["This code belongs to another session."]
    assert not Attendance.objects.exists()


def test_a_self_record_sent_twice_counts_once_and_a_changed_one_conflicts(
    bare: Study, sailor: Membership, at_sea: Session
) -> None:
    client = client_for(login_of(sailor))
    record = own(at_sea, sailor, at_sea.code)
    assert post(client, {"records": [record]}).json()["recorded"] == [record["uid"]]
    again = post(client, {"records": [record]}).json()
    assert again["recorded"] == [] and again["already"] == [record["uid"]] and again["errors"] == []
    changed = dict(record, session=bare.s2.pk, code=bare.s2.code)
    conflict = post(client, {"records": [changed]}).json()
    assert [c["uid"] for c in conflict["conflicts"]] == [record["uid"]]
    assert Attendance.objects.count() == 1


def test_a_member_already_checked_in_on_the_spot_counts_once(sailor: Membership, at_sea: Session) -> None:
    rules.check_in(code=at_sea.code, actor=login_of(sailor), now=at_sea.starts_at)
    record = own(at_sea, sailor, at_sea.code)
    body = post(client_for(login_of(sailor)), {"records": [record]}).json()
    assert body["already"] == [record["uid"]] and body["recorded"] == []
    assert Attendance.objects.count() == 1


def test_a_plain_member_still_may_not_record_others_even_with_the_code(
    bare: Study, sailor: Membership, at_sea: Session
) -> None:
    record = own(at_sea, bare.lin, at_sea.code)
    body = post(client_for(login_of(sailor)), {"records": [record]}).json()
    assert [e["message"] for e in body["errors"]] == [
        "You may record attendance only for members of your branch."
    ]
    assert not Attendance.objects.exists()


def test_a_secretary_still_records_themself_without_a_code(bare: Study, at_sea: Session) -> None:
    record = own(at_sea, bare.member)
    body = post(client_for(bare.actors.member), {"records": [record]}).json()
    assert body["recorded"] == [record["uid"]]
    assert Attendance.objects.get(person=bare.member.person).mode == "recorded"


def test_the_page_data_tells_a_plain_member_to_record_only_themself(
    bare: Study, sailor: Membership, at_sea: Session
) -> None:
    data = data_of(login_of(sailor))
    assert data["self_only"] is True and data["me"] == sailor.person_id
    assert [m["id"] for b in data["branches"] for m in b["members"]] == [sailor.person_id]
    assert at_sea.pk in [s["id"] for s in data["sessions"]]
    assert "code" not in {key for s in data["sessions"] for key in s}  # the code is never sent to phones
    secretary = data_of(bare.actors.member)
    assert secretary["self_only"] is False and secretary["villages"] == []
