"""Visits recorded offline and synced later (issue 7, "and visits"): valid ones kept through the same
checks as the form, a visit sent twice counts once, a changed one is a conflict, bad ones reported by
index; the sync endpoint and the villages the page keeps for a visitor."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation

from minyi.audit.models import AuditEvent
from minyi.org.models import Household
from minyi.outreach import rules
from minyi.outreach.choices import PlaceKind
from minyi.outreach.models import Difficulty, Visit
from minyi.study.views_offline import MAX_BATCH
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db

SYNC = "/study/offline/visits/sync/"
DATA = "/study/offline/data/"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def visit(actors: Actors, **changes: Any) -> dict[str, Any]:
    """A whole visit to household T1V1-001 of 东村, as the page sends it."""
    record: dict[str, Any] = {
        "uid": str(uuid.uuid4()),
        "visited_on": yesterday(),
        "village": actors.village.pk,
        "household": "T1V1-001",
        "contact_card": True,
        "contact_card_note": "留了联系卡",
        "urgent_matter": False,
        "urgent_matter_note": "",
        "diary": True,
        "diary_text": "渔汛前走访，家中一切正常。",
        "assistance_plan": False,
        "review_session": False,
        "difficulties": [
            {"text": "屋顶漏雨", "handled_on_spot": True, "resolution": "当场联系村里修补"},
            {"text": "孩子上学路远", "handled_on_spot": False, "resolution": ""},
        ],
    }
    record.update(changes)
    return record


def client_for(user: User, **kwargs: Any) -> Client:
    client = Client(headers={"accept-language": "en"}, **kwargs)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post(client: Client, body: object) -> Any:
    return client.post(SYNC, data=json.dumps(body), content_type="application/json")


# --- the rule ---------------------------------------------------------------------------------------


def test_a_valid_offline_visit_is_recorded_with_its_uid(actors: Actors) -> None:
    record = visit(actors)
    result = rules.record_visits_batch([record], actor=actors.cadre)
    assert result.recorded == [record["uid"]] and not result.errors and not result.conflicts
    stored = Visit.objects.get()
    assert str(stored.uid) == record["uid"]
    assert stored.place_kind == PlaceKind.HOUSEHOLD and stored.household == actors.household
    assert stored.visitor == actors.cadre.person and stored.recorded_by == actors.cadre
    assert stored.contact_card and stored.contact_card_note == "留了联系卡" and stored.diary
    assert [(d.text, d.handled_on_spot, d.resolution) for d in Difficulty.objects.order_by("id")] == [
        ("屋顶漏雨", True, "当场联系村里修补"),
        ("孩子上学路远", False, ""),
    ]
    assert AuditEvent.objects.filter(action="outreach.visit_recorded").count() == 1


def test_a_visit_sent_twice_counts_once(actors: Actors) -> None:
    records = [visit(actors), visit(actors, household="", village=actors.village2.pk, difficulties=[])]
    first = rules.record_visits_batch(records, actor=actors.cadre)
    assert first.recorded == [r["uid"] for r in records]
    again = rules.record_visits_batch(records, actor=actors.cadre)
    assert again.recorded == [] and again.already == [r["uid"] for r in records]
    assert not again.errors and not again.conflicts
    assert Visit.objects.count() == 2 and Difficulty.objects.count() == 2


def test_a_changed_visit_under_a_known_uid_is_a_conflict_not_merged(actors: Actors) -> None:
    record = visit(actors)
    rules.record_visits_batch([record], actor=actors.cadre)
    changed = dict(record, diary_text="改过的日记")
    result = rules.record_visits_batch([changed], actor=actors.cadre)
    assert [(c.index, c.uid) for c in result.conflicts] == [(0, record["uid"])]
    assert result.conflicts[0].message == "Another record with this id was stored with other content."
    assert Visit.objects.get().diary_text == "渔汛前走访，家中一切正常。"


def test_malformed_records_are_reported_one_by_one_and_the_valid_ones_kept(actors: Actors) -> None:
    good1, good2 = visit(actors), visit(actors, household="", difficulties=[])
    records: list[object] = [
        good1,
        "not a record",
        visit(actors, uid="not-a-uuid"),
        visit(actors, visited_on="yesterday"),
        visit(actors, village="东村"),
        visit(actors, household="NOPE-404"),
        visit(actors, contact_card="yes"),
        visit(actors, difficulties="漏雨"),
        visit(actors, diary_text="", diary=True),
        good2,
    ]
    result = rules.record_visits_batch(records, actor=actors.cadre)
    assert result.recorded == [good1["uid"], good2["uid"]]
    assert [(p.index, p.message) for p in result.errors] == [
        (1, "The record is not a set of fields."),
        (2, "The record has no valid id (uid)."),
        (3, "The record lacks a valid date of the visit."),
        (4, "The record lacks a valid village number."),
        (5, "No household has the code NOPE-404."),
        (6, "The record's contact_card must be true or false."),
        (7, "The record's difficulties must be a list of difficulties."),
        (8, "The diary box is ticked: write the diary entry, or untick the box."),
    ]
    assert Visit.objects.count() == 2


def test_a_visit_dated_in_the_future_is_refused(actors: Actors) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    result = rules.record_visits_batch([visit(actors, visited_on=tomorrow)], actor=actors.cadre)
    assert [p.message for p in result.errors] == ["The date of the visit cannot be in the future."]
    assert not Visit.objects.exists()


def test_a_household_of_another_village_is_refused(actors: Actors) -> None:
    result = rules.record_visits_batch([visit(actors, village=actors.village2.pk)], actor=actors.cadre)
    assert [p.message for p in result.errors] == ["Household T1V1-001 does not belong to 西村."]
    assert not Visit.objects.exists()


def test_a_village_outside_the_visitors_area_is_refused(actors: Actors) -> None:
    Household.objects.create(code="T2V1-001", village=actors.other_village, head_name="户主")
    record = visit(actors, village=actors.other_village.pk, household="T2V1-001")
    result = rules.record_visits_batch([record], actor=actors.cadre)
    assert [p.message for p in result.errors] == ["This village lies outside your area of work."]
    assert not Visit.objects.exists()


def test_a_handled_difficulty_needs_how_it_was_handled(actors: Actors) -> None:
    record = visit(actors, difficulties=[{"text": "漏雨", "handled_on_spot": True, "resolution": " "}])
    result = rules.record_visits_batch([record], actor=actors.cadre)
    assert [p.message for p in result.errors] == [
        "Difficulty 1 is marked handled on the spot: say how it was handled."
    ]
    assert not Visit.objects.exists() and not Difficulty.objects.exists()


# --- the endpoint -----------------------------------------------------------------------------------


def test_the_sync_records_a_batch_and_counts_a_resend_once(actors: Actors) -> None:
    client = client_for(actors.cadre)
    records = [visit(actors)]
    answer = post(client, {"records": records})
    assert answer.status_code == 200
    assert answer.json()["message"] == "1 recorded, 0 already there, 0 not accepted, 0 in conflict."
    again = post(client, {"records": records}).json()
    assert again["already"] == [records[0]["uid"]]
    assert again["message"] == "0 recorded, 1 already there, 0 not accepted, 0 in conflict."
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("payload", [b"{not json", b"[]", b'{"records": "x"}', b"\xff\xfe"])
def test_a_body_without_a_list_of_records_is_refused(actors: Actors, payload: bytes) -> None:
    answer = client_for(actors.cadre).post(SYNC, data=payload, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["error"]
    assert not Visit.objects.exists()


def test_a_batch_over_the_cap_is_refused_whole(actors: Actors) -> None:
    records = [visit(actors, household="", difficulties=[]) for _ in range(MAX_BATCH + 1)]
    answer = post(client_for(actors.cadre), {"records": records})
    assert answer.status_code == 400
    assert answer.json()["error"] == f"Send at most {MAX_BATCH} records at a time."
    assert not Visit.objects.exists()


def test_only_visitors_may_sync_visits(actors: Actors) -> None:
    answer = post(client_for(actors.member), {"records": [visit(actors)]})
    assert answer.status_code == 403
    assert answer.json()["error"] == "Only leaders and cadres record visits."
    assert not Visit.objects.exists()


def test_anonymous_is_sent_to_log_in(actors: Actors) -> None:
    answer = Client().post(
        SYNC, data=json.dumps({"records": [visit(actors)]}), content_type="application/json"
    )
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert not Visit.objects.exists()


def test_the_sync_needs_the_csrf_token(actors: Actors) -> None:
    client = client_for(actors.cadre, enforce_csrf_checks=True)
    assert post(client, {"records": [visit(actors)]}).status_code == 403
    token = client.get(DATA).json()["csrf"]
    answer = client.post(
        SYNC, data=json.dumps({"records": [visit(actors)]}), content_type="application/json",
        headers={"x-csrftoken": token},
    )  # fmt: skip
    assert answer.status_code == 200 and len(answer.json()["recorded"]) == 1


def test_the_page_keeps_the_villages_of_the_visitors_area(actors: Actors) -> None:
    data = client_for(actors.cadre).get(DATA).json()
    assert {v["name"] for v in data["villages"]} == {"东村", "西村"}  # not 南村 of the other township
    assert {v["township"] for v in data["villages"]} == {actors.town.name}
    page = client_for(actors.cadre).get("/study/offline/").content.decode()
    assert 'id="visit-form"' in page
    assert 'id="visit-form"' not in client_for(actors.member).get("/study/offline/").content.decode()
    assert client_for(actors.member).get(DATA).json()["villages"] == []
