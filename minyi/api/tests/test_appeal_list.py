"""GET /api/v1/appeals/: filters, cursor pages, bad filters as JSON 400s, and a constant query count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minyi.api.tests.helpers import ApiClient, api_as
from minyi.appeals import rules
from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal, Category
from minyi.appeals.tests.factories import dispatched, new_appeal
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def numbers(client: ApiClient, **params: Any) -> list[str]:
    response = client.get("/appeals/", params)
    assert response.status_code == 200, response.content.decode()
    return [row["number"] for row in response.json()["results"]]


def test_filters_combine(actors: Actors) -> None:
    lights = Category.objects.create(code="lights", name="路灯")
    street = Category.objects.create(code="street-lights", name="街灯", parent=lights)
    now = timezone.now()
    old = new_appeal(actors, received_at=now - timedelta(days=10), channel=Channel.HOTLINE)
    lit = new_appeal(actors, category=street)
    to_edu = dispatched(actors)
    overdue = dispatched(actors)
    Appeal.objects.filter(pk=overdue.pk).update(deadline=now - timedelta(hours=1))
    to_town = rules.dispatch(new_appeal(actors), lead=actors.town, actor=actors.dispatcher)
    client = api_as(actors.dispatcher)

    assert set(numbers(client, state="received")) == {old.number, lit.number}
    assert set(numbers(client, state="working")) == {to_edu.number, overdue.number, to_town.number}
    assert set(numbers(client, unit="EDU")) == {to_edu.number, overdue.number}
    assert numbers(client, unit="T1") == [to_town.number]
    assert numbers(client, unit="D") == numbers(client, state="working")  # a unit includes its subtree
    assert numbers(client, category="lights") == [lit.number]  # and a category its sub-categories
    assert numbers(client, overdue="true") == [overdue.number]
    assert numbers(client, channel="hotline") == [old.number]
    today = timezone.localdate(now)
    assert old.number not in numbers(client, received_from=today.isoformat())
    assert numbers(client, received_to=(today - timedelta(days=5)).isoformat()) == [old.number]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"unit": "NOPE"}, "unit"),
        ({"category": "nope"}, "category"),
        ({"received_from": "2024-13-01"}, "received_from"),
        ({"received_from": "2024-05-02", "received_to": "2024-05-01"}, "received_to"),
        ({"overdue": "maybe"}, "overdue"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_filters_are_400_with_the_field(actors: Actors, params: dict[str, str], field: str) -> None:
    response = api_as(actors.dispatcher).get("/appeals/", params)
    assert response.status_code == 400
    data = response.json()
    assert (data["code"], list(data["fields"])) == ("invalid", [field])
    assert data["message"] == "Some fields are not valid."


def test_cursor_pages_walk_every_appeal_once_newest_first(actors: Actors) -> None:
    now = timezone.now()
    made = [new_appeal(actors, received_at=now - timedelta(minutes=i)) for i in range(5)]
    same_time = [new_appeal(actors, received_at=now - timedelta(minutes=10)) for _ in range(2)]
    client = api_as(actors.dispatcher)
    seen: list[str] = []
    url: str | None = "/api/v1/appeals/?page_size=2"
    while url:
        page = client.client.get(url, headers=client.headers()).json()
        assert len(page["results"]) <= 2
        seen += [row["number"] for row in page["results"]]
        url = page["next"]
    expected = [a.number for a in made] + sorted((str(a.number) for a in same_time), reverse=True)
    assert seen == expected


def test_the_list_costs_the_same_queries_for_1_or_20_appeals(actors: Actors) -> None:
    client = api_as(actors.handler_edu)
    dispatched(actors)
    client.get("/appeals/")  # warm-up: last_used_at is written once a minute at most

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/appeals/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(19):
        dispatched(actors)
    assert count() == one
