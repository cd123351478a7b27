"""The demo study (issue 7): the campaign's figures that do not depend on the district's size — 13
research topics, 268 reports, 212 discussions, 50+ lecture-tour sessions, 4 floating and 12 temporary
branches, 1,590 mobile members, 396 members at sea reached in 8 sessions on the ships, 86 discs and
680 books — read back by ``manage.py study summary``; and the sheets that refuse bad lines whole."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from minyi.audit.models import AuditEvent
from minyi.demo import ledger as ledger_demo
from minyi.demo import study as demo
from minyi.ledger.models import Campaign
from minyi.org.choices import Role
from minyi.org.models import Person
from minyi.study.choices import ActivityKind, AttendanceMode, BranchKind, VenueKind
from minyi.study.imports import RollRow, import_attendance, import_roll
from minyi.study.models import Activity, Attendance, Branch, Material, Membership, Session

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]  # seeded once: conftest.py


def summary() -> dict[str, Any]:
    code = Campaign.objects.get(name=ledger_demo.CAMPAIGN_NAME).code
    out = StringIO()
    call_command("study", "summary", "--campaign", code, "--json", stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def test_summary_reads_the_campaign_figures(seeded: str) -> None:
    figures = summary()
    assert figures["activities"] == {"lecture_tour": 6, "report": 268, "discussion": 212, "research": 13}
    assert figures["materials"]["disc"] == 86
    assert figures["materials"]["book"] == 680
    assert figures["materials"]["brochure"] > 0
    assert figures["mobile_members"]["total"] == 1590
    assert 4500 <= figures["members"]["total"] <= 5000
    assert 0 < figures["left_behind"] < 300
    assert figures["sessions"] == Session.objects.count()
    assert (
        "4 floating, 12 temporary" in seeded and "1,590 mobile" in seeded and "396 members at sea" in seeded
    )
    assert "86 discs, 680 books" in seeded


def test_branches_floating_temporary_and_regular(seeded: str) -> None:
    kinds = {kind: Branch.objects.filter(kind=kind).count() for kind in BranchKind.values}
    # one regular branch per village party branch (100) and per department (30)
    assert kinds == {BranchKind.REGULAR: 130, BranchKind.FLOATING: 4, BranchKind.TEMPORARY: 12}
    floating = Branch.objects.filter(kind=BranchKind.FLOATING).select_related("responsible__user")
    assert {b.responsible.user.username for b in floating if b.responsible.user} == {
        f"t03fp0{n}-member-1" for n in range(1, 5)
    }
    assert all(b.party_unit is not None for b in floating)
    assert not Membership.objects.filter(current_branch__kind=BranchKind.TEMPORARY, mobile=False).exists()
    assert not Membership.objects.filter(current_branch__kind=BranchKind.FLOATING, mobile=False).exists()


def test_activities_topics_and_lecture_tours(seeded: str) -> None:
    topics = Activity.objects.filter(kind=ActivityKind.RESEARCH)
    assert topics.count() == 13
    assert all(topic.owners.exists() and topic.result for topic in topics)
    tours = Session.objects.filter(activity__kind=ActivityKind.LECTURE_TOUR)
    assert tours.count() >= 50
    venues = set(Activity.objects.filter(kind=ActivityKind.LECTURE_TOUR).values_list("venue_kind", flat=True))
    assert set(VenueKind.values) <= venues
    assert Activity.objects.filter(kind=ActivityKind.REPORT).count() == 268
    assert Activity.objects.filter(kind=ActivityKind.DISCUSSION).count() >= 200


def test_396_members_at_sea_reached_in_8_sessions_sent_by_the_captains(seeded: str) -> None:
    at_sea = Session.objects.exclude(ship="")
    assert at_sea.count() == 8
    attendances = Attendance.objects.filter(session__in=at_sea)
    assert attendances.values("person").distinct().count() == 396
    assert set(attendances.values_list("mode", flat=True)) == {AttendanceMode.RECORDED}
    # each by the responsible member of the member's floating branch, through the offline batch path
    for attendance in attendances.select_related("recorded_by", "person__membership__current_branch")[:60]:
        branch = attendance.person.membership.current_branch
        assert branch.kind == BranchKind.FLOATING
        assert attendance.recorded_by is not None
        assert attendance.recorded_by.person.pk == branch.responsible_id
    assert (
        AuditEvent.objects.filter(
            action="study.attendance",
            object_id__in=[str(pk) for pk in attendances.values_list("pk", flat=True)],
        ).count()
        == 396
    )
    # Members at sea study only at sea; some of them were not reached (left behind).
    sea_people = Membership.objects.filter(current_branch__kind=BranchKind.FLOATING).values("person")
    land = Attendance.objects.filter(person__in=sea_people, session__ship="")
    assert not land.exists()
    assert Membership.objects.filter(current_branch__kind=BranchKind.FLOATING).count() > 396


def test_materials_go_to_the_floating_and_temporary_branches(seeded: str) -> None:
    books = Material.objects.filter(kind="book")
    discs = Material.objects.filter(kind="disc")
    assert sum(books.values_list("count", flat=True)) == 680
    assert sum(discs.values_list("count", flat=True)) == 86
    assert set(books.values_list("branch__kind", flat=True)) == {BranchKind.FLOATING, BranchKind.TEMPORARY}


def test_demo_member_is_on_a_roll_and_responsible_for_its_branch(seeded: str) -> None:
    member = User.objects.get(username="member")
    membership = Membership.objects.select_related("home_branch").get(person__user=member)
    assert membership.home_branch.responsible.user == member
    assert membership.home_branch.code == "T03V01P"
    client = Client()
    client.force_login(member)
    assert client.get(reverse("study:check_in")).status_code == 200


def test_a_second_seed_changes_nothing(seeded: str) -> None:
    counts = [
        Branch.objects.count(),
        Membership.objects.count(),
        Activity.objects.count(),
        Session.objects.count(),
        Attendance.objects.count(),
        Material.objects.count(),
        Person.objects.count(),
    ]
    assert demo.seed() == {}
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Study:" not in out.getvalue()
    assert [
        Branch.objects.count(),
        Membership.objects.count(),
        Activity.objects.count(),
        Session.objects.count(),
        Attendance.objects.count(),
        Material.objects.count(),
        Person.objects.count(),
    ] == counts


# --- sheets ----------------------------------------------------------------------------------------


def test_a_roll_with_a_bad_line_is_refused_whole(seeded: str) -> None:
    branch = Branch.objects.get(code="T01V01P")
    admin = User.objects.get(username="admin")
    newcomer = Person.objects.create(name="新党员", unit=branch.unit, role=Role.MEMBER)
    cadre = Person.objects.filter(role=Role.CADRE).first()
    on_roll = Membership.objects.filter(home_branch=branch).select_related("person").first()
    assert cadre is not None and on_roll is not None
    rows = [
        RollRow(newcomer, branch),
        RollRow(cadre, branch),
        RollRow(on_roll.person, branch),
        RollRow(newcomer, branch),
    ]
    before = Membership.objects.count(), AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_roll(rows, actor=admin)
    assert [m.split(":")[0] for m in refused.value.messages] == ["Line 2", "Line 3", "Line 4"]
    assert (Membership.objects.count(), AuditEvent.objects.count()) == before
    assert import_roll(rows[:1], actor=admin) == 1


def test_a_sign_in_sheet_with_a_bad_line_is_refused_whole(seeded: str) -> None:
    session = Session.objects.filter(activity__kind=ActivityKind.DISCUSSION).first()
    assert session is not None
    present = Attendance.objects.filter(session=session).values("person")
    fresh = list(
        Membership.objects.exclude(person__in=present).filter(is_active=True).select_related("person")[:2]
    )
    already = Membership.objects.filter(person__in=present).select_related("person").first()
    assert already is not None
    dispatcher = User.objects.get(username="dispatcher")
    before = Attendance.objects.count(), AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_attendance(session, [fresh[0], already, fresh[1], fresh[0]], actor=dispatcher)
    assert [m.split(":")[0] for m in refused.value.messages] == ["Line 2", "Line 4"]
    assert "already recorded" in refused.value.messages[0]
    assert (Attendance.objects.count(), AuditEvent.objects.count()) == before
    assert import_attendance(session, fresh, actor=dispatcher) == 2
    assert Attendance.objects.count() == before[0] + 2
