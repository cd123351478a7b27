"""The symposia pages through the Django test client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal
from minyi.org.choices import Role
from minyi.org.rules import create_person
from minyi.symposia import rules
from minyi.symposia.choices import Group
from minyi.symposia.models import Opinion, Symposium
from minyi.symposia.tests.fixtures import build
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _form(actors: Actors, **changes: str) -> dict[str, str]:
    data = {
        "held_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "title": "村民代表恳谈会",
        "host": str(actors.town.pk),
        "host_name": "镇党委书记",
        "group": Group.VILLAGERS,
        "attendees": "18",
        "township": str(actors.town.pk),
        "village": str(actors.village.pk),
        "place": "东村村委会",
        "campaign": "",
        "minutes": "18位村民代表参加。",
    }
    data.update(changes)
    return data


def _rows(*rows: dict[str, str], total: int = 5) -> dict[str, str]:
    data = {
        "mode": "rows",
        "opinion-TOTAL_FORMS": str(total),
        "opinion-INITIAL_FORMS": "0",
        "opinion-MIN_NUM_FORMS": "0",
        "opinion-MAX_NUM_FORMS": "200",
    }
    for number in range(total):
        data[f"opinion-{number}-kind"] = Kind.SUGGESTION
    for number, row in enumerate(rows):
        data.update({f"opinion-{number}-{key}": value for key, value in row.items()})
    return data


def _symposium(actors: Actors) -> Symposium:
    return rules.hold_symposium(
        actor=actors.cadre, held_on=timezone.localdate() - timedelta(days=1), title="恳谈会",
        host=actors.town, group=Group.VILLAGERS, attendees=10, township=actors.town,
    )  # fmt: skip


def test_cadre_records_a_symposium_then_its_opinions_in_one_batch(actors: Actors, english: None) -> None:
    client = _client(actors.cadre)
    assert client.get("/symposia/new/").status_code == 200
    response = client.post("/symposia/new/", _form(actors))
    symposium = Symposium.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/symposia/{symposium.pk}/opinions/"
    assert symposium.recorded_by == actors.cadre and symposium.village == actors.village
    page = client.get(f"/symposia/{symposium.pk}/opinions/").content.decode()
    assert 'id="id_opinion-4-text"' in page and "errorlist" not in page
    assert (
        'id="id_opinion-9-text"' in client.get(f"/symposia/{symposium.pk}/opinions/?rows=10").content.decode()
    )
    response = client.post(
        f"/symposia/{symposium.pk}/opinions/",
        _rows(
            {"text": "村道路灯坏了半年没人修"},
            {"text": "医保报销太慢", "kind": Kind.COMPLAINT, "speaker": "王大海"},
            {"text": "希望开办老年食堂", "kind": Kind.HELP},
        ),
    )
    assert response.status_code == 302 and response["Location"] == f"/symposia/{symposium.pk}/"
    appeals = Appeal.objects.filter(symposium_opinion__symposium=symposium).order_by("pk")
    assert [a.kind for a in appeals] == [Kind.SUGGESTION, Kind.COMPLAINT, Kind.HELP]
    assert {a.channel for a in appeals} == {Channel.SYMPOSIUM}
    page = client.get(f"/symposia/{symposium.pk}/").content.decode()
    assert "3 opinions heard" in page and "王大海" in page and "18位村民代表参加。" in page
    # The cadre may not open these appeals (not yet dispatched to their township): numbers, no dead links.
    for appeal in appeals:
        assert appeal.number is not None and appeal.number in page
        assert f'href="/appeals/{appeal.number}/"' not in page
        assert client.get(f"/appeals/{appeal.number}/").status_code in (403, 404)
    dispatcher = _client(actors.dispatcher)
    page = dispatcher.get(f"/symposia/{symposium.pk}/").content.decode()
    for appeal in appeals:
        assert f'href="/appeals/{appeal.number}/"' in page
        assert dispatcher.get(f"/appeals/{appeal.number}/").status_code == 200


def test_one_opinion_per_line_mode(actors: Actors, english: None) -> None:
    symposium = _symposium(actors)
    client = _client(actors.cadre)
    page = client.get(f"/symposia/{symposium.pk}/opinions/?mode=lines").content.decode()
    assert 'name="lines"' in page and "errorlist" not in page
    response = client.post(
        f"/symposia/{symposium.pk}/opinions/",
        {"mode": "lines", "kind": Kind.COMPLAINT, "lines": "会议太多\n\n  \n检查考核过多\n"},
    )
    assert response.status_code == 302
    assert sorted(Appeal.objects.values_list("title", "kind")) == [
        ("会议太多", Kind.COMPLAINT),
        ("检查考核过多", Kind.COMPLAINT),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_rows({"text": "好"}, {"speaker": "李四"}), "Opinion 2: write what was said."),
        (_rows({"text": "好"}, {"text": "好"}, {"text": "长" * 2001}), "Ensure this value has at most 2000"),
        (
            {"mode": "lines", "kind": Kind.SUGGESTION, "lines": "好\n\n" + "长" * 2001},
            "Opinion 3: at most 2000",
        ),
        ({"mode": "lines", "kind": Kind.SUGGESTION, "lines": " \n "}, "This field is required."),
        (_rows(), "Enter at least one opinion."),
        (_rows({"text": "好", "kind": "praise"}), "Select a valid choice"),
    ],
    ids=["speaker-without-text", "row-too-long", "line-too-long", "blank-lines", "empty-rows", "bad-kind"],
)
def test_a_bad_batch_shows_the_line_and_saves_nothing(
    actors: Actors, english: None, data: dict[str, str], message: str
) -> None:
    symposium = _symposium(actors)
    response = _client(actors.cadre).post(f"/symposia/{symposium.pk}/opinions/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appeal.objects.exists() and not Opinion.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": "2999-01-01"}, "cannot be in the future"),
        ({"attendees": "0"}, "greater than or equal to 1"),
        ({"host": "OTHER_TOWN"}, "outside your area of work"),
        ({"village": "OTHER_VILLAGE"}, "not in the chosen township"),
        ({"title": ""}, "This field is required"),
    ],
    ids=["future", "no-attendee", "host-outside-scope", "village-of-another-township", "no-title"],
)
def test_a_bad_symposium_form_shows_the_reason_and_saves_nothing(
    actors: Actors, english: None, changes: dict[str, str], message: str
) -> None:
    named = {"OTHER_TOWN": str(actors.other_town.pk), "OTHER_VILLAGE": str(actors.other_village.pk)}
    changes = {key: named.get(value, value) for key, value in changes.items()}
    response = _client(actors.cadre).post("/symposia/new/", _form(actors, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Symposium.objects.exists()


def test_form_errors_speak_chinese_by_default(actors: Actors) -> None:
    client = _client(actors.cadre, language="zh-hans")
    page = client.post("/symposia/new/", _form(actors, title="", village=str(actors.other_village.pk)))
    text = page.content.decode()
    assert 'lang="zh-hans"' in text and "该字段是必填项。" in text
    page = client.post("/symposia/new/", _form(actors, village=str(actors.other_village.pk)))
    assert "该村（社区）不属于所选的镇（街道）。" in page.content.decode()
    assert not Symposium.objects.exists()


def test_list_counts_and_filters_within_the_users_scope(actors: Actors, english: None) -> None:
    fixture = build(actors)
    client = _client(actors.dispatcher)
    page = client.get("/symposia/").content.decode()
    assert "4 symposia" in page and "72 people heard" in page and "7 opinions" in page
    page = client.get("/symposia/", {"campaign": fixture.campaign.pk}).content.decode()
    assert "3 symposia" in page and "62 people heard" in page and "6 opinions" in page
    assert "夏季村民座谈会" not in page
    page = client.get("/symposia/", {"group": Group.VILLAGERS}).content.decode()
    assert "2 symposia" in page and "30 people heard" in page and "企业代表座谈会" not in page
    page = client.get("/symposia/", {"township": actors.other_town.pk}).content.decode()
    assert "1 symposium" in page and "企业代表座谈会" in page and "村民代表恳谈会" not in page
    page = _client(actors.cadre).get("/symposia/").content.decode()
    assert "2 symposia" in page and "企业代表座谈会" not in page and "人大代表政协委员座谈会" not in page
    reversed_period = client.get("/symposia/", {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert "after its end" in reversed_period.content.decode()


def test_list_queries_do_not_grow_with_the_rows(actors: Actors) -> None:
    build(actors)
    client = _client(actors.dispatcher)
    with CaptureQueriesContext(connection) as few:
        client.get("/symposia/")
    for _ in range(10):
        _symposium(actors)
    with CaptureQueriesContext(connection) as more:
        assert "14" in client.get("/symposia/").content.decode()
    assert len(more) == len(few)


def test_who_may_open_which_page(actors: Actors) -> None:
    fixture = build(actors)
    s1 = fixture.s1.pk
    cadre2 = create_person(
        name="蒋干部", unit=actors.other_town, role=Role.CADRE, phone="", username="cadre2",
        password_hash="", actor=None,
    ).user  # fmt: skip
    for user in (actors.member, actors.handler_edu):
        client = _client(user)
        assert client.get("/symposia/").status_code == 403
        assert client.get("/symposia/new/").status_code == 403
    other = _client(cadre2)
    assert other.get(f"/symposia/{s1}/").status_code == 404
    assert other.post(f"/symposia/{s1}/opinions/", _rows({"text": "好"})).status_code == 404
    auditor = _client(actors.auditor)
    assert auditor.get(f"/symposia/{s1}/").status_code == 200
    assert auditor.get("/symposia/new/").status_code == 403
    assert auditor.post(f"/symposia/{s1}/opinions/", _rows({"text": "好"})).status_code == 403
    assert auditor.get(f"/symposia/{s1}/edit/").status_code == 403
    assert Opinion.objects.filter(symposium_id=s1).count() == 3
    assert _client(actors.nobody).get("/symposia/").status_code == 403
    assert Client().get("/symposia/").status_code == 302


def test_edit_page_corrects_the_minutes_but_not_the_date_once_heard(actors: Actors, english: None) -> None:
    fixture = build(actors)
    client = _client(actors.cadre)
    url = f"/symposia/{fixture.s1.pk}/edit/"
    assert client.get(url).status_code == 200
    data = _form(actors, held_on="2026-01-10", title="村民代表恳谈会", attendees="20",
                 campaign=str(fixture.campaign.pk), minutes="会后补记。")  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    fixture.s1.refresh_from_db()
    assert fixture.s1.minutes == "会后补记。" and fixture.s1.place == "东村村委会"
    response = client.post(url, {**data, "held_on": "2026-01-11"})
    assert response.status_code == 200 and "can no longer change" in response.content.decode()
    fixture.s1.refresh_from_db()
    assert fixture.s1.held_on.isoformat() == "2026-01-10"


def test_home_offers_the_symposia_link_to_those_who_may(actors: Actors) -> None:
    assert "/symposia/" in _client(actors.cadre).get("/").content.decode()
    assert "/symposia/" in _client(actors.auditor).get("/").content.decode()
    assert "/symposia/" not in _client(actors.member).get("/").content.decode()
