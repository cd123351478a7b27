"""A hand-counted study fixture: two branches (one floating, at sea), four members (two mobile), four
sessions (three in the campaign), five attendances and materials.

Campaign STUDY26 (2026-10-01 … 2026-12-31):
- lecture tour (campaign): S1 2026-10-10 at 东村 (branch A): 陈党员 by code, 林党员 recorded;
  S2 2026-10-20 on the ship 闽渔8号 (branch B): 海员甲 recorded by the branch's responsible member.
- discussion (campaign): S3 2026-11-05 (A and B invited): 陈党员 online.
- research topic (campaign): no sessions.
- report (no campaign): S4 2026-09-15: 林党员 recorded.
Materials: books 30 → A on 10-12, books 20 → B on 10-21, discs 5 → 海员乙 on 10-21, brochures 50 → A on 09-01.
海员乙 (mobile, no login) never attends: left behind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from minyi.ledger.models import Campaign
from minyi.org.choices import Role
from minyi.org.models import Person
from minyi.org.rules import create_person
from minyi.study import rules
from minyi.study.choices import ActivityKind, BranchKind, MaterialKind, VenueKind
from minyi.study.models import Activity, Branch, Membership, Session
from minyi.testing import PASSWORD, Actors


def at(day: str, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)), timezone.get_default_timezone()
    )


@dataclass
class Study:
    actors: Actors
    campaign: Campaign
    branch_a: Branch
    branch_b: Branch
    member: Membership  # 陈党员, actors.member
    lin: Membership
    fisher1: Membership  # responsible member of branch B, with login "fisher"
    fisher2: Membership
    tour: Activity
    discussion: Activity
    research: Activity
    report: Activity
    s1: Session
    s2: Session
    s3: Session
    s4: Session


def build_study(actors: Actors, *, attendances: bool = True) -> Study:
    hashed = make_password(PASSWORD)
    cadre = actors.cadre.person
    chen = actors.member.person

    def member(name: str, username: str | None = None, phone: str = "") -> Person:
        return create_person(
            name=name,
            unit=actors.village,
            role=Role.MEMBER,
            actor=None,
            phone=phone,
            username=username,
            password_hash=hashed if username else None,
        )

    lin = member("林党员")
    fisher1 = member("海员甲", "fisher")
    fisher2 = member("海员乙", phone="13700007777")
    campaign = Campaign.objects.create(
        code="STUDY26", name="学习教育", starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31)
    )
    a = rules.create_branch(
        code="BA",
        name="东村党支部",
        kind=BranchKind.REGULAR,
        unit=actors.village,
        liaison=cadre,
        responsible=chen,
        actor=None,
    )
    b = rules.create_branch(
        code="BB",
        name="海上流动党支部",
        kind=BranchKind.FLOATING,
        unit=actors.town,
        liaison=cadre,
        responsible=fisher1,
        actor=None,
    )
    m_chen = rules.enrol_member(chen, home_branch=a, actor=None)
    m_lin = rules.enrol_member(lin, home_branch=a, actor=None)
    m_f1 = rules.enrol_member(
        fisher1, home_branch=a, current_branch=b, mobile=True, whereabouts="闽渔8号", actor=None
    )
    m_f2 = rules.enrol_member(fisher2, home_branch=a, current_branch=b, mobile=True, actor=None)
    tour = rules.create_activity(
        kind=ActivityKind.LECTURE_TOUR,
        title="巡回宣讲进村",
        unit=actors.town,
        campaign=campaign,
        venue_kind=VenueKind.VILLAGES,
        actor=None,
    )
    discussion = rules.create_activity(
        kind=ActivityKind.DISCUSSION, title="专题讨论", unit=actors.town, campaign=campaign, actor=None
    )
    research = rules.create_activity(
        kind=ActivityKind.RESEARCH,
        title="渔民增收课题",
        unit=actors.town,
        campaign=campaign,
        owners=[cadre],
        actor=None,
    )
    report = rules.create_activity(kind=ActivityKind.REPORT, title="辅导讲座", unit=actors.town, actor=None)
    s1 = rules.add_session(
        tour, starts_at=at("2026-10-10"), topic="宣讲一", place="东村", branches=[a], actor=None
    )
    s2 = rules.add_session(
        tour, starts_at=at("2026-10-20"), topic="海上宣讲", ship="闽渔8号", branches=[b], actor=None
    )
    s3 = rules.add_session(
        discussion, starts_at=at("2026-11-05"), topic="讨论", place="镇政府", branches=[a, b], actor=None
    )
    s4 = rules.add_session(report, starts_at=at("2026-09-15"), topic="讲座", place="镇政府", actor=None)
    if attendances:
        rules.check_in(code=s1.code, actor=actors.member, now=s1.starts_at)
        rules.record_attendance(s1, m_lin, actor=actors.cadre)
        result = rules.record_attendance_batch(
            [{"uid": "6a1f4b43-0000-4000-8000-000000000001", "session": s2.pk, "member": fisher1.pk}],
            actor=fisher1.user,  # type: ignore[arg-type]
        )
        assert result.recorded
        rules.attend_online(s3, actor=actors.member, now=s3.starts_at + dt.timedelta(hours=2))
        rules.record_attendance(s4, m_lin, actor=actors.cadre)
        rules.hand_out(
            kind=MaterialKind.BOOK,
            title="学习读本",
            count=30,
            handed_on=dt.date(2026, 10, 12),
            branch=a,
            actor=None,
        )
        rules.hand_out(
            kind=MaterialKind.BOOK,
            title="学习读本",
            count=20,
            handed_on=dt.date(2026, 10, 21),
            branch=b,
            actor=None,
        )
        rules.hand_out(
            kind=MaterialKind.DISC,
            title="光盘",
            count=5,
            handed_on=dt.date(2026, 10, 21),
            membership=m_f2,
            actor=None,
        )
        rules.hand_out(
            kind=MaterialKind.BROCHURE,
            title="手册",
            count=50,
            handed_on=dt.date(2026, 9, 1),
            branch=a,
            actor=None,
        )
    return Study(
        actors, campaign, a, b, m_chen, m_lin, m_f1, m_f2, tour, discussion, research, report, s1, s2, s3, s4
    )


@pytest.fixture
def study(actors: Actors) -> Study:
    return build_study(actors)
