"""The organisation pages through HTTP: scope, masking, search and auditing of personal data."""

from __future__ import annotations

import pytest
from django.test import Client

from minyi.audit.models import AuditEvent
from minyi.org.models import Household, Person
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_home_page_speaks_to_the_role(client: Client, actors: Actors) -> None:
    client.force_login(actors.dispatcher)
    page = client.get("/").content.decode()
    assert "你的角色：交办员" in page
    assert "单位树" in page
    assert "审计日志" not in page
    client.force_login(actors.auditor)
    assert "审计日志" in client.get("/").content.decode()


def test_unit_tree_shows_only_the_users_subtree(client: Client, actors: Actors) -> None:
    client.force_login(actors.town_handler)
    page = client.get("/org/units/").content.decode()
    assert "东村" in page
    assert "南村" not in page
    assert "区教育局" not in page


def test_outsider_is_refused_a_unit_of_another_township(client: Client, actors: Actors) -> None:
    client.force_login(actors.outsider)
    response = client.get("/org/units/T1V1/")
    assert response.status_code == 403
    assert "超出了你的单位" in response.content.decode()
    assert client.get("/org/units/T2V1/").status_code == 200


def test_people_search_finds_chinese_substrings_and_masks_phones(client: Client, actors: Actors) -> None:
    client.force_login(actors.dispatcher)
    page = client.get("/org/people/", {"q": "承办"}).content.decode()
    assert "钱承办" in page
    assert "孙承办" in page
    assert ">赵交办</a>" not in page  # the dispatcher's own name stays in the header only
    assert "138****3333" in page
    assert "13800003333" not in page


def test_people_list_does_not_grow_queries_with_rows(client: Client, actors: Actors) -> None:
    client.force_login(actors.dispatcher)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/org/people/")
    unit = Person.objects.first().unit  # type: ignore[union-attr]
    Person.objects.bulk_create(Person(name=f"新人{i}", unit=unit, role="cadre") for i in range(30))
    with CaptureQueriesContext(connection) as many:
        client.get("/org/people/")
    assert len(many) == len(few)


def test_person_detail_reveals_phone_to_permitted_staff_and_audits_it(client: Client, actors: Actors) -> None:
    person = Person.objects.get(user=actors.handler_edu)
    client.force_login(actors.head_edu)
    assert "13800003333" in client.get(f"/org/people/{person.pk}/").content.decode()
    event = AuditEvent.objects.get(action="personal_data.view", actor=actors.head_edu)
    assert event.object_id == str(person.pk)
    assert event.subject == "钱**"
    assert event.ip == "127.0.0.1"


def test_person_detail_stays_masked_for_a_handler(client: Client, actors: Actors) -> None:
    person = Person.objects.get(user=actors.head_edu)
    person.phone = "13700004444"
    person.save()
    client.force_login(actors.handler_edu)
    page = client.get(f"/org/people/{person.pk}/").content.decode()
    assert "137****4444" in page
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()


def test_household_search_and_detail(client: Client, actors: Actors) -> None:
    Household.objects.create(
        code="T2V1-001", village=actors.other_village, head_name="王小渔", address="南村"
    )
    client.force_login(actors.cadre)
    page = client.get("/org/households/", {"q": "王"}).content.decode()
    assert "T1V1-001" in page
    assert "王**" in page
    assert "T2V1-001" not in page  # outside the cadre's township
    detail = client.get("/org/households/T1V1-001/").content.decode()
    assert "王大海" in detail
    assert "13900001111" in detail
    assert AuditEvent.objects.filter(action="personal_data.view", object_id=str(actors.household.pk)).exists()
    assert client.get("/org/households/T2V1-001/").status_code == 403
