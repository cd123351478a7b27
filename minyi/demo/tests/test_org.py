"""The demo district: its shape, its logins, its determinism, and the command's safety rails."""

from __future__ import annotations

import random
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client

from minyi.audit.models import AuditEvent
from minyi.demo import org as demo
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Household, Person, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug(settings: Any) -> None:
    settings.DEBUG = True  # pytest-django turns it off; the command refuses to run without it


def seed_demo(*args: str) -> str:
    """The command without its demo appeals (minyi.appeals tests those): the district alone."""
    out = StringIO()
    call_command("seed_demo", "--without-appeals", *args, stdout=out)
    return out.getvalue()


def kinds() -> dict[str, int]:
    return dict(Unit.objects.order_by().values_list("kind").annotate(n=Count("id")))


def test_demo_district_is_shaped_like_a_coastal_district(django_assert_max_num_queries: Any) -> None:
    # Bulk statements, not one query per row: about 110,000 rows are written (plus ~20 statements
    # loading the holiday calendar and the ~60 categories of the built-in tree).
    with django_assert_max_num_queries(160):
        out = seed_demo()

    found = kinds()
    assert Unit.objects.get(code="HB").name == "海滨区"
    assert found[UnitKind.DISTRICT] == 1
    assert 25 <= found[UnitKind.DEPARTMENT] <= 35
    assert found[UnitKind.TOWNSHIP] == 7
    assert found[UnitKind.VILLAGE] + found[UnitKind.COMMUNITY] == 100
    assert found[UnitKind.VILLAGE] > found[UnitKind.COMMUNITY] > 10
    assert 8 <= found[UnitKind.ENTERPRISE] <= 12
    assert Household.objects.count() == 109_200  # the campaign's 10.9万 (走访100个村10.9万农户)
    assert 45 <= Person.objects.filter(role=Role.LEADER, unit__code="HB").count() <= 55
    assert Unit.objects.filter(code="QZLX", name="区群众路线教育实践活动办公室").exists()
    # Every village and community has its party branch; four branches float at sea.
    assert (
        Unit.objects.filter(kind=UnitKind.PARTY_BRANCH, parent__kind__in=["village", "community"]).count()
        == 100
    )
    floating = Unit.objects.filter(kind=UnitKind.PARTY_BRANCH, name__contains="海上流动党支部")
    assert floating.count() == 4
    assert all(Person.objects.filter(unit=branch, role=Role.MEMBER).exists() for branch in floating)
    # Every department and township has a head and someone to handle its appeals.
    for unit in Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP]):
        roles = set(unit.people.values_list("role", flat=True))
        assert {Role.UNIT_HEAD, Role.HANDLER} <= roles, unit.name
    assert "Households: 109,200" in out
    assert AuditEvent.objects.filter(action="org.demo.seed").count() == 1


def test_every_role_has_a_demo_login_that_works() -> None:
    out = seed_demo()

    for username, role, unit_code, _title in demo.DEMO_LOGINS:
        person = Person.objects.select_related("user", "unit").get(user__username=username)
        assert (person.role, person.unit.code) == (role, unit_code)
        assert list(person.user.groups.values_list("name", flat=True)) == [f"role:{role}"]  # type: ignore[union-attr]
        client = Client()
        assert client.login(username=username, password=demo.DEMO_PASSWORD), username
        assert client.get("/").status_code == 200
        assert f"  {username}  " in out
    assert {p.role for p in Person.objects.filter(user__isnull=False)} == set(Role.values)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser  # the Django admin, with the admin role's rights only
    client = Client()
    assert client.login(username="superadmin", password=demo.DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert "minyi-demo-2026" in out


def test_demo_district_is_the_same_on_every_run() -> None:
    seed_demo()

    # Fixed facts of the fixed seed: a change here changes every demo and screenshot.
    assert Unit.objects.get(code="T01V01").name == "沙屿社区"
    assert Unit.objects.get(code="T03V01").name == "后洋村"
    first = Household.objects.order_by("code").first()
    assert first is not None
    assert (first.code, first.head_name, first.phone, first.address) == (
        "T01V01-0001",
        "魏杰",
        "13311396607",
        "沙屿社区1幢101室",
    )
    assert Person.objects.get(title="区委书记").name == "戴成丽"
    assert Person.objects.get(user__username="leader").title == "区委常委、常务副区长"
    # The pure builders give the same answer twice, and a village's first households do not depend
    # on how many it gets.
    assert demo.build_units(random.Random(demo.SEED)) == demo.build_units(random.Random(demo.SEED))
    few = list(demo.household_rows("T01V01", "沙屿社区", UnitKind.COMMUNITY, 5))
    many = list(demo.household_rows("T01V01", "沙屿社区", UnitKind.COMMUNITY, 500))
    assert few == many[:5]
    # Every unit's materialised path is its parent's path plus its own code.
    for unit in Unit.objects.select_related("parent"):
        parent_path = unit.parent.path if unit.parent else "/"
        assert unit.path == f"{parent_path}{unit.code}/", unit.code
        assert unit.depth == (unit.parent.depth + 1 if unit.parent else 0), unit.code


def test_second_run_changes_nothing() -> None:
    seed_demo("--password", "another-pass-42")
    before = (kinds(), Person.objects.count(), Household.objects.count(), get_user_model().objects.count())

    out = seed_demo()

    after = (kinds(), Person.objects.count(), Household.objects.count(), get_user_model().objects.count())
    assert after == before
    assert "already loaded" in out
    assert "  operator  " in out
    # The default password was not the one the logins got, so it is not shown as theirs.
    assert demo.DEMO_PASSWORD not in out
    assert Client().login(username="operator", password="another-pass-42")


def test_scale_makes_exactly_that_many_households_and_refuses_without_debug(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed_demo("--scale", "20000")
    assert not Unit.objects.exists()

    seed_demo("--scale", "20000", "--force")

    assert Household.objects.count() == 20_000
    per_village = Household.objects.values("village").annotate(n=Count("id")).values_list("n", flat=True)
    assert len(per_village) == 100
    assert min(per_village) >= 150
    assert Household.objects.filter(code="T01V01-0001").exists()


def test_seed_function_takes_any_total_and_reports_counts() -> None:
    result = demo.seed(households=150)

    assert result["created"]
    assert result["households"] == Household.objects.count() == 150
    assert result["units"][UnitKind.TOWNSHIP] == 7
    assert result["people"][Role.LEADER] == Person.objects.filter(role=Role.LEADER).count()
    assert result["logins"] == 10
    assert not demo.seed()["created"]


def test_refuses_to_mix_with_other_data_using_demo_names() -> None:
    get_user_model().objects.create_user(username="dispatcher", password="x-pass-123")

    with pytest.raises(CommandError, match="dispatcher"):
        seed_demo()

    assert not Unit.objects.exists()


def test_migrate_and_seed_in_one_command() -> None:
    out = seed_demo("--migrate", "--scale", "500")
    assert Unit.objects.filter(code="HB").exists() and Household.objects.count() == 500
    assert "Households: 500" in out
