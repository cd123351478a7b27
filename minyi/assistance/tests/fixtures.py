"""The assistance fixture on top of the named actors: 区民政局 (MZ) coordinates, with a coordinator
(handler) and its head; 区卫生健康局 (WJ) delivers medical help, the education bureau education, the
housing bureau housing, MZ itself subsistence and temporary relief. Medical has a two-question
eligibility checklist."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.assistance.choices import AssistanceType
from minyi.assistance.models import Coordination, DeliveryRoute, EligibilityItem
from minyi.demo.assistance import PNG
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Household, Unit
from minyi.org.rules import create_person, create_unit
from minyi.testing import PASSWORD, Actors


def login(username: str, name: str, unit: Unit, role: str) -> User:
    person = create_person(
        name=name, unit=unit, role=role, username=username, password_hash=make_password(PASSWORD), actor=None,
        phone="",
    )  # fmt: skip
    assert person.user is not None
    return person.user


@dataclass
class Assist:
    actors: Actors
    mz: Unit
    health: Unit
    coordinator: User  # handler of MZ: coordinates, masked personal data
    mz_head: User  # unit head of MZ: coordinates, sees personal data (audited)
    handler_health: User
    household2: Household  # another household of 东村
    far_household: Household  # 南村 in the other township
    config: Coordination
    medical_items: list[EligibilityItem]


def build(actors: Actors) -> Assist:
    mz = create_unit(code="MZ", name="区民政局", kind=UnitKind.DEPARTMENT, parent=actors.district, actor=None)
    health = create_unit(
        code="WJ", name="区卫生健康局", kind=UnitKind.DEPARTMENT, parent=actors.district, actor=None
    )
    for type_, unit in (
        (AssistanceType.MEDICAL, health),
        (AssistanceType.EDUCATION, actors.edu),
        (AssistanceType.HOUSING, actors.housing),
        (AssistanceType.SUBSISTENCE, mz),
        (AssistanceType.TEMPORARY, mz),
    ):
        DeliveryRoute.objects.create(type=type_, unit=unit)
    items = [
        EligibilityItem.objects.create(type=AssistanceType.MEDICAL, text="家庭人均收入低于低保标准", sort=1),
        EligibilityItem.objects.create(type=AssistanceType.MEDICAL, text="有住院费用票据", sort=2),
    ]
    return Assist(
        actors=actors,
        mz=mz,
        health=health,
        coordinator=login("coordinator", "韩救助", mz, Role.HANDLER),
        mz_head=login("mz_head", "杨局长", mz, Role.UNIT_HEAD),
        handler_health=login("handler_health", "秦医保", health, Role.HANDLER),
        household2=Household.objects.create(
            code="T1V1-002",
            village=actors.village,
            head_name="李小梅",
            phone="13900002222",
            address="东村一组3号",
        ),
        far_household=Household.objects.create(
            code="T2V1-001", village=actors.other_village, head_name="张远", phone="13900003333"
        ),
        config=Coordination.objects.create(unit=mz),
        medical_items=items,
    )


def photo(name: str = "receipt.png") -> SimpleUploadedFile:
    """An evidence photo as a browser would upload it."""
    return SimpleUploadedFile(name, PNG, content_type="image/png")
