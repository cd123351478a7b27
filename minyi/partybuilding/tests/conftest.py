"""Village party branches for the tests: 海城镇 (T1) gets five villages with their branches (东村 and 西村
of the named actors, and 北村, 中村, 上村), 青山镇 (T2) its 南村 branch; a campaign; the township's unit
head who agrees sign-offs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.utils import timezone

from minyi.ledger import rules as ledger_rules
from minyi.ledger.models import Campaign, Issue
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Unit
from minyi.org.rules import create_person, create_unit
from minyi.testing import PASSWORD, Actors


@dataclass
class Villages:
    campaign: Campaign
    branches: dict[str, Unit]  # by village code: T1V1 … T1V5, T2V1
    town_head: User
    other_head: User  # unit head of 青山镇
    past: date  # a day in the campaign, before today


def _login(name: str, unit: Unit, role: str, username: str) -> User:
    person = create_person(
        name=name, unit=unit, role=role, username=username, password_hash=make_password(PASSWORD), actor=None
    )
    assert person.user is not None
    return person.user


@pytest.fixture
def villages(actors: Actors) -> Villages:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="ZD",
        name="软弱涣散村党组织整顿",
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=90),
    )
    parents = {"T1V1": actors.village, "T1V2": actors.village2, "T2V1": actors.other_village}
    for code, name in (("T1V3", "北村"), ("T1V4", "中村"), ("T1V5", "上村")):
        parents[code] = create_unit(
            code=code, name=name, kind=UnitKind.VILLAGE, parent=actors.town, actor=None
        )
    branches = {
        code: create_unit(code=f"{code}P", name=f"{village.name}党支部", kind=UnitKind.PARTY_BRANCH,
                          parent=village, actor=None)
        for code, village in parents.items()
    }  # fmt: skip
    return Villages(
        campaign=campaign,
        branches=branches,
        town_head=_login("王镇长", actors.town, Role.UNIT_HEAD, "town_head"),
        other_head=_login("李镇长", actors.other_town, Role.UNIT_HEAD, "other_head"),
        past=today - timedelta(days=60),
    )


def sign_off(actors: Actors, villages: Villages, issue: Issue) -> Issue:
    """The township's handler asks, its head agrees, the supervising leader approves."""
    ledger_rules.submit_for_signoff(issue, actor=actors.town_handler, evidence="整顿完成，镇党委验收合格。")
    ledger_rules.agree_signoff(issue, actor=villages.town_head)
    return ledger_rules.decide_signoff(issue, actor=actors.leader, approve=True)
