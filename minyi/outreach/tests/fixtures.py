"""A hand-counted outreach fixture: 3 villages, 7 households, visits by two cadres in January and
February 2026 (the figures the coverage tests expect are worked out in the test module)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from minyi.ledger.models import Campaign
from minyi.org.choices import Role
from minyi.org.models import Household
from minyi.org.rules import create_person
from minyi.outreach import rules
from minyi.outreach.rules import DifficultyInput
from minyi.testing import PASSWORD, Actors


def cadre_of(actors: Actors, username: str = "cadre2") -> User:
    """A cadre of the other township (青山镇)."""
    person = create_person(
        name="蒋干部", unit=actors.other_town, role=Role.CADRE, phone="", username=username,
        password_hash=make_password(PASSWORD), actor=None,
    )  # fmt: skip
    assert person.user is not None
    return person.user


@dataclass
class Fixture:
    cadre2: User
    households: dict[str, Household]
    campaign: Campaign


def build(actors: Actors) -> Fixture:
    households = {"T1V1-001": actors.household}
    for code, village in (
        ("T1V1-002", actors.village), ("T1V1-003", actors.village), ("T1V2-001", actors.village2),
        ("T1V2-002", actors.village2), ("T2V1-001", actors.other_village), ("T2V1-002", actors.other_village),
    ):  # fmt: skip
        households[code] = Household.objects.create(code=code, village=village, head_name=f"户主{code}")
    campaign = Campaign.objects.create(
        code="JAN", name="一月走访", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31)
    )
    cadre2 = cadre_of(actors)
    h = households
    rules.record_visit(
        actor=actors.cadre, visited_on=date(2026, 1, 5), village=actors.village, household=h["T1V1-001"],
        campaign=campaign,
        difficulties=[DifficultyInput("屋顶漏雨", handled_on_spot=True, resolution="当场联系村里修补")],
    )  # fmt: skip
    rules.record_visit(
        actor=actors.cadre, visited_on=date(2026, 1, 6), village=actors.village, household=h["T1V1-002"],
        difficulties=[DifficultyInput("孩子上学路远")],
    )  # fmt: skip
    rules.record_visit(actor=actors.cadre, visited_on=date(2026, 2, 10), village=actors.village,
                       household=h["T1V1-001"])  # fmt: skip
    rules.record_visit(actor=actors.cadre, visited_on=date(2026, 2, 11), village=actors.village2)
    rules.record_visit(actor=cadre2, visited_on=date(2026, 1, 20), village=actors.other_village,
                       household=h["T2V1-001"])  # fmt: skip
    rules.record_visit(actor=cadre2, visited_on=date(2026, 2, 15), village=actors.other_village,
                       household=h["T2V1-002"])  # fmt: skip
    return Fixture(cadre2=cadre2, households=households, campaign=campaign)
