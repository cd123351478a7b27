"""The outreach pages through the Django test client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from minyi.appeals.choices import Channel
from minyi.org.choices import Role
from minyi.org.models import Household
from minyi.org.rules import create_person
from minyi.outreach.models import Difficulty, Visit
from minyi.outreach.tests.fixtures import build, cadre_of
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _form(actors: Actors, **changes: str) -> dict[str, str]:
    data = {
        "visited_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "village": str(actors.village.pk),
        "household": actors.household.code,
        "contact_card": "on",
        "contact_card_note": "留联系卡一张",
        "diary": "on",
        "diary_text": "王大海反映屋顶漏雨。",
        "difficulty-TOTAL_FORMS": "3",
        "difficulty-INITIAL_FORMS": "0",
        "difficulty-MIN_NUM_FORMS": "0",
        "difficulty-MAX_NUM_FORMS": "10",
        "difficulty-0-text": "屋顶漏雨",
        "difficulty-1-text": "低保申请不会填",
        "difficulty-1-handled_on_spot": "on",
        "difficulty-1-resolution": "当场帮助填写",
    }
    data.update(changes)
    return data


def test_cadre_records_a_visit_and_makes_an_appeal_of_a_difficulty(actors: Actors) -> None:
    client = _client(actors.cadre)
    assert client.get("/outreach/visits/new/").status_code == 200
    response = client.post("/outreach/visits/new/", _form(actors))
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/outreach/visits/{visit.pk}/"
    assert visit.difficulties.count() == 2
    page = client.get(f"/outreach/visits/{visit.pk}/").content.decode()
    assert "屋顶漏雨" in page and "Make it an appeal" in page
    spot = visit.difficulties.get(handled_on_spot=True)
    response = client.post(f"/outreach/visits/{visit.pk}/difficulties/{spot.pk}/appeal/")
    assert response.status_code == 302
    appeal = Difficulty.objects.get(pk=spot.pk).appeal
    assert appeal is not None and appeal.channel == Channel.VISIT
    assert (
        appeal.number is not None
        and appeal.number in client.get(f"/outreach/visits/{visit.pk}/").content.decode()
    )
    assert visit.visited_on.isoformat() in client.get("/outreach/visits/").content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"visited_on": "2999-01-01"}, "cannot be in the future"),
        ({"household": "OTHER-001"}, "does not belong to"),
        ({"diary_text": ""}, "diary box is ticked"),
        ({"village": "OTHER_VILLAGE", "household": ""}, "outside your area of work"),
        ({"household": "NOPE"}, "No household has the code"),
    ],
    ids=["future", "household-of-another-village", "empty-diary", "outside-scope", "unknown-household"],
)
def test_bad_visit_form_shows_the_reason_and_saves_nothing(
    actors: Actors, changes: dict[str, str], message: str
) -> None:
    Household.objects.create(code="OTHER-001", village=actors.village2, head_name="李")
    if changes.get("village") == "OTHER_VILLAGE":
        changes["village"] = str(actors.other_village.pk)
    response = _client(actors.cadre).post("/outreach/visits/new/", _form(actors, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Visit.objects.exists() and not Difficulty.objects.exists()


def test_another_townships_cadre_does_not_see_the_visit(actors: Actors) -> None:
    _client(actors.cadre).post("/outreach/visits/new/", _form(actors))
    visit = Visit.objects.get()
    difficulty = visit.difficulties.first()
    assert difficulty is not None
    other = _client(cadre_of(actors))
    assert other.get(f"/outreach/visits/{visit.pk}/").status_code == 404
    assert other.post(f"/outreach/visits/{visit.pk}/difficulties/{difficulty.pk}/appeal/").status_code == 404
    assert Difficulty.objects.get(pk=difficulty.pk).appeal is None
    assert _client(actors.member).get("/outreach/visits/new/").status_code == 403


def test_coverage_page_for_the_office_and_scoped_for_a_township_head(actors: Actors) -> None:
    build(actors)
    page = _client(actors.dispatcher).get("/outreach/coverage/", {"campaign": "", "date_from": "2026-01-01",
                                                                  "date_to": "2026-01-31"})  # fmt: skip
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 / 3" in text and "3 / 7" in text and "T1V2" in text
    households = _client(actors.leader).get("/outreach/coverage/", {"show": "households"}).content.decode()
    assert "T1V1-003" in households and "T2V1-001" not in households
    head = create_person(name="褚镇长", unit=actors.town, role=Role.UNIT_HEAD, phone="", username="head_t1",
                         password_hash="", actor=None)  # fmt: skip
    scoped = _client(head.user).get("/outreach/coverage/").content.decode()
    assert "青山镇" not in scoped and "海城镇" in scoped
    assert _client(actors.cadre).get("/outreach/coverage/").status_code == 403


def test_coverage_page_refuses_a_reversed_period(actors: Actors) -> None:
    page = _client(actors.auditor).get(
        "/outreach/coverage/", {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert page.status_code == 200
    assert "after its end" in page.content.decode()


def test_home_offers_the_outreach_links(actors: Actors) -> None:
    client = _client(actors.cadre)
    client.login(username="cadre", password=PASSWORD)
    home = client.get("/").content.decode()
    assert "/outreach/visits/new/" in home and "/outreach/coverage/" not in home
    assert "/outreach/coverage/" in _client(actors.dispatcher).get("/").content.decode()
