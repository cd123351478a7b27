"""The permission module: role × scope, for every condition."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from minyi.audit.access import AuditPerm
from minyi.org.models import Person
from minyi.org.permissions import OrgPerm, can, scope_filter
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_district_wide_roles_see_every_unit(actors: Actors) -> None:
    for user in (actors.dispatcher, actors.operator, actors.leader, actors.auditor, actors.admin):
        assert can(user, OrgPerm.VIEW_UNIT, actors.other_village), user.username


def test_unit_staff_see_only_their_subtree(actors: Actors) -> None:
    assert can(actors.town_handler, OrgPerm.VIEW_UNIT, actors.town)
    assert can(actors.town_handler, OrgPerm.VIEW_UNIT, actors.village)
    assert not can(actors.town_handler, OrgPerm.VIEW_UNIT, actors.other_village)
    assert not can(actors.town_handler, OrgPerm.VIEW_UNIT, actors.district)
    assert not can(actors.handler_edu, OrgPerm.VIEW_UNIT, actors.housing)


def test_scope_reaches_people_and_households_through_their_unit(actors: Actors) -> None:
    assert can(actors.cadre, OrgPerm.VIEW_HOUSEHOLD, actors.household)
    assert not can(actors.outsider, OrgPerm.VIEW_HOUSEHOLD, actors.household)
    edu_handler = Person.objects.get(user=actors.handler_edu)
    assert can(actors.head_edu, OrgPerm.VIEW_PERSON, edu_handler)
    assert not can(actors.handler_housing, OrgPerm.VIEW_PERSON, edu_handler)


def test_role_decides_the_action(actors: Actors) -> None:
    assert not can(actors.handler_edu, OrgPerm.VIEW_PERSONAL_DATA)
    assert can(actors.head_edu, OrgPerm.VIEW_PERSONAL_DATA)
    assert not can(actors.member, OrgPerm.VIEW_PERSON)
    assert can(actors.admin, OrgPerm.IMPORT_ORG)
    assert not can(actors.dispatcher, OrgPerm.IMPORT_ORG)
    assert can(actors.auditor, AuditPerm.VIEW)
    assert not can(actors.admin, AuditPerm.VIEW)


def test_no_person_no_scope_and_anonymous_nothing(actors: Actors) -> None:
    assert not can(actors.nobody, OrgPerm.VIEW_UNIT)
    assert not can(AnonymousUser(), OrgPerm.VIEW_UNIT)


def test_deactivated_person_loses_access(actors: Actors) -> None:
    Person.objects.filter(user=actors.town_handler).update(is_active=False)
    actors.town_handler.refresh_from_db()
    assert not can(actors.town_handler, OrgPerm.VIEW_UNIT, actors.town)


def test_scope_filter_restricts_lists(actors: Actors) -> None:
    people = scope_filter(actors.town_handler, Person.objects.all(), "unit__path")
    assert {p.unit.code for p in people} <= {"T1", "T1V1", "T1V2"}
    assert scope_filter(actors.nobody, Person.objects.all(), "unit__path").count() == 0
    assert (
        scope_filter(actors.dispatcher, Person.objects.all(), "unit__path").count() == Person.objects.count()
    )


def test_unit_lookup_cache_never_outlives_a_deactivation_by_more_than_its_ttl(actors: Actors) -> None:
    from minyi.org import lookup

    assert lookup.active_unit("T1V1") == actors.village
    assert lookup.active_unit("NOPE") is None
    Unit = type(actors.village)
    unit = Unit.objects.create(
        code="NOPE", name="新村", kind="village", parent=actors.town, path="/D/T1/NOPE/"
    )
    assert lookup.active_unit("NOPE") == unit  # a miss is not remembered
    lookup.forget()
    Unit.objects.filter(code="T1V1").update(is_active=False)
    assert lookup.active_unit("T1V1") is None
