"""Units and people over the REST API (issue 6): scoped like the organisation pages, another unit gets
404, personal data masked without the right and shown in full, audited, with it."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from minyi.audit.models import AuditEvent
from minyi.org.models import Person
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def person_id(user: Any) -> int:
    return int(user.person.pk)


def personal_views() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="personal_data.view"))


def all_pages(client: APIClient, url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        page = client.get(next_url).json()
        rows += page["results"]
        next_url = page["next"]
    return rows


def test_units_are_a_flat_tree_of_the_users_scope(actors: Actors) -> None:
    rows = all_pages(client_of(actors.town_handler), "/api/v1/units/")
    assert [(r["code"], r["parent"], r["path"]) for r in rows] == [
        ("T1", "D", "/D/T1/"),
        ("T1V1", "T1", "/D/T1/T1V1/"),
        ("T1V2", "T1", "/D/T1/T1V2/"),
    ]
    everything = all_pages(client_of(actors.dispatcher), "/api/v1/units/?page_size=2")
    assert len(everything) == len({r["code"] for r in everything}) == 9 and everything[0]["parent"] is None
    villages = client_of(actors.dispatcher).get("/api/v1/units/?kind=village&parent=T1").json()["results"]
    assert [r["code"] for r in villages] == ["T1V1", "T1V2"]


def test_someone_of_another_unit_gets_404_for_a_unit(actors: Actors) -> None:
    outsider = client_of(actors.outsider)
    response = outsider.get("/api/v1/units/T1/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert outsider.get("/api/v1/units/NOPE/").status_code == 404
    own = outsider.get("/api/v1/units/T2V1/").json()
    assert [a["code"] for a in own["ancestors"]] == ["D", "T2"] and own["kind"] == "village"
    assert [
        c["code"] for c in client_of(actors.town_handler).get("/api/v1/units/T1/").json()["children"]
    ] == [
        "T1V1",
        "T1V2",
    ]


def test_bad_unit_filters_are_a_400(actors: Actors) -> None:
    client = client_of(actors.outsider)
    for query, field in (("kind=planet", "kind"), ("parent=NOPE", "parent"), ("parent=T1", "parent")):
        response = client.get(f"/api/v1/units/?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid" and field in response.json()["fields"]


def test_someone_of_another_unit_gets_404_for_a_person(actors: Actors) -> None:
    outsider = client_of(actors.outsider)
    response = outsider.get(f"/api/v1/people/{person_id(actors.handler_edu)}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert outsider.get("/api/v1/people/x1/").json()["code"] == "not_found"
    names = {row["name"] for row in all_pages(outsider, "/api/v1/people/")}
    assert names == {"卫外人"}
    assert personal_views() == []


def test_personal_data_is_masked_for_a_user_without_the_right(actors: Actors) -> None:
    Person.objects.filter(user=actors.handler_edu).update(email="qian@edu.example.org")
    response = client_of(actors.handler_edu).get(f"/api/v1/people/{person_id(actors.handler_edu)}/").json()
    assert (response["phone"], response["email"]) == ("138****3333", "q***@edu.example.org")
    assert response["personal_data_shown"] is False
    assert personal_views() == []


def test_personal_data_is_shown_and_audited_for_a_user_with_the_right(actors: Actors) -> None:
    Person.objects.filter(user=actors.handler_edu).update(email="qian@edu.example.org")
    pk = person_id(actors.handler_edu)
    response = client_of(actors.head_edu).get(f"/api/v1/people/{pk}/").json()
    assert (response["phone"], response["email"]) == ("13800003333", "qian@edu.example.org")
    assert response["personal_data_shown"] is True and response["unit"]["code"] == "EDU"
    [audit] = personal_views()
    assert (audit.actor_id, audit.object_id) == (actors.head_edu.pk, str(pk))
    assert audit.detail["fields"] == ["phone", "email"]
    assert "13800003333" not in audit.subject  # the audit names the person masked


def test_the_people_list_masks_and_searches_in_scope(actors: Actors) -> None:
    client = client_of(actors.dispatcher)  # may see personal data, yet lists stay masked
    rows = all_pages(client, "/api/v1/people/?page_size=5")
    assert len(rows) == len({r["id"] for r in rows}) == Person.objects.count()
    assert all(not r["personal_data_shown"] and "****" in r["phone"] for r in rows if r["phone"])
    assert personal_views() == []
    found = client.get("/api/v1/people/?q=钱").json()["results"]
    assert [r["name"] for r in found] == ["钱承办"]
    of_edu = client.get("/api/v1/people/?unit=EDU&role=unit_head").json()["results"]
    assert [r["name"] for r in of_edu] == ["周局长"]
    bad = client.get("/api/v1/people/?role=king")
    assert bad.status_code == 400 and "role" in bad.json()["fields"]
    hidden_unit = client_of(actors.outsider).get("/api/v1/people/?unit=EDU")
    assert hidden_unit.status_code == 400 and "unit" in hidden_unit.json()["fields"]


def test_people_need_the_right_to_read_them(actors: Actors) -> None:
    member = client_of(actors.member)  # may see units, not people
    assert member.get("/api/v1/people/").status_code == 403
    assert member.get(f"/api/v1/people/{person_id(actors.cadre)}/").status_code == 403
    assert member.get("/api/v1/units/T1V1/").status_code == 200
    assert client_of(actors.nobody).get("/api/v1/units/").status_code == 403
