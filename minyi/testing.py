"""Named actors for tests: a small district with every role, in the right and the wrong unit.

Tests of every app build on ``make_actors`` (through the ``actors`` fixture in conftest.py) so they
read like the work: ``actors.dispatcher``, ``actors.handler_edu``, ``actors.outsider``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from minyi.org.choices import Role, UnitKind
from minyi.org.models import Household, Unit
from minyi.org.rules import create_person, create_unit

PASSWORD = "test-pass-123"  # noqa: S105  (test-only password of the named actors)


@dataclass
class Actors:
    district: Unit
    office: Unit  # the campaign / hotline office, a department of the district
    edu: Unit  # 教育局
    housing: Unit  # 住建局
    town: Unit  # 海城镇
    village: Unit  # 东村, in town
    village2: Unit  # 西村, in town
    other_town: Unit  # 青山镇
    other_village: Unit  # 南村, in other_town
    household: Household
    operator: User
    dispatcher: User
    handler_edu: User
    handler_housing: User
    head_edu: User
    town_handler: User
    leader: User
    cadre: User
    member: User
    auditor: User
    admin: User
    outsider: User  # a handler of the other township: sees nothing of ``town``
    nobody: User  # a login with no person record


def make_actors() -> Actors:
    """Create the test district and one login per role (all with password ``PASSWORD``)."""
    hashed = make_password(PASSWORD)

    def unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        return create_unit(code=code, name=name, kind=kind, parent=parent, actor=None)

    def login(username: str, name: str, at: Unit, role: str, phone: str = "") -> User:
        person = create_person(
            name=name, unit=at, role=role, phone=phone, username=username, password_hash=hashed, actor=None
        )
        assert person.user is not None
        return person.user

    district = unit("D", "海滨区", UnitKind.DISTRICT, None)
    office = unit("OFFICE", "区群众路线办", UnitKind.DEPARTMENT, district)
    edu = unit("EDU", "区教育局", UnitKind.DEPARTMENT, district)
    housing = unit("HOUSING", "区住建局", UnitKind.DEPARTMENT, district)
    town = unit("T1", "海城镇", UnitKind.TOWNSHIP, district)
    village = unit("T1V1", "东村", UnitKind.VILLAGE, town)
    village2 = unit("T1V2", "西村", UnitKind.VILLAGE, town)
    other_town = unit("T2", "青山镇", UnitKind.TOWNSHIP, district)
    other_village = unit("T2V1", "南村", UnitKind.VILLAGE, other_town)
    household = Household.objects.create(
        code="T1V1-001", village=village, head_name="王大海", phone="13900001111", address="东村三组18号"
    )
    admin = login("admin", "系统管理员", office, Role.ADMIN)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    return Actors(
        district=district,
        office=office,
        edu=edu,
        housing=housing,
        town=town,
        village=village,
        village2=village2,
        other_town=other_town,
        other_village=other_village,
        household=household,
        operator=login("operator", "李话务", office, Role.OPERATOR),
        dispatcher=login("dispatcher", "赵交办", office, Role.DISPATCHER, "13800002222"),
        handler_edu=login("handler_edu", "钱承办", edu, Role.HANDLER, "13800003333"),
        handler_housing=login("handler_housing", "孙承办", housing, Role.HANDLER),
        head_edu=login("head_edu", "周局长", edu, Role.UNIT_HEAD),
        town_handler=login("town_handler", "吴镇干", town, Role.HANDLER),
        leader=login("leader", "郑领导", district, Role.LEADER),
        cadre=login("cadre", "冯干部", town, Role.CADRE),
        member=login("member", "陈党员", village, Role.MEMBER),
        auditor=login("auditor", "褚督导", office, Role.AUDITOR),
        admin=admin,
        outsider=login("outsider", "卫外人", other_town, Role.HANDLER),
        nobody=_plain_user("nobody", hashed),
    )


def _plain_user(username: str, hashed: str) -> User:
    user = User(username=username, password=hashed)
    user.save()
    return user
