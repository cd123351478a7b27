"""POST /api/v1/appeals/: submissions, JSON errors, and the Idempotency-Key."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from minyi.appeals import rules
from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal, IdempotencyRecord
from minyi.audit.models import AuditEvent
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

URL = "/api/v1/appeals/"
EN = {"accept-language": "en"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()  # the limits live in the cache, which outlives a test
    yield
    cache.clear()


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "complaint",
        "title": "东村路灯坏了",
        "body": "东村三组村口的路灯坏了三个月。",
        "village": "T1V1",
        "name": "王大海",
        "phone": "13900001111",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post(client: Client, data: Any, *, key: str | None = None, **headers: str) -> Any:
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(URL, json.dumps(data), content_type="application/json", headers={**EN, **headers})


def test_url_is_named() -> None:
    assert reverse("api:appeal-submit") == URL


def test_anonymous_citizen_submits_and_gets_number_and_code(client: Client, actors: Actors) -> None:
    response = post(client, body(channel="hotline"))
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "received"
    assert data["replayed"] is False
    appeal = rules.find_for_citizen(data["number"], data["query_code"])
    assert appeal is not None
    assert appeal.channel == Channel.API  # a citizen cannot claim to be the hotline
    assert (appeal.township, appeal.village) == (actors.town, actors.village)
    assert appeal.recorded_by is None
    event = AuditEvent.objects.get(action="appeals.received")
    assert event.detail["via"] == "api"


def test_staff_client_records_with_its_channel(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    response = post(client, body(channel="hotline", concerns_unit="EDU"))
    assert response.status_code == 201
    appeal = Appeal.objects.get(number=response.json()["number"])
    assert (appeal.channel, appeal.recorded_by, appeal.concerns_unit) == (
        Channel.HOTLINE,
        actors.operator,
        actors.edu,
    )


def test_logged_in_user_without_record_permission_is_refused(client: Client, actors: Actors) -> None:
    client.force_login(actors.handler_edu)
    response = post(client, body())
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Appeal.objects.exists()


# --- idempotency ------------------------------------------------------------------------------------


def test_retry_with_the_same_key_returns_the_same_appeal(client: Client, actors: Actors) -> None:
    first = post(client, body(), key="k-1")
    assert first.status_code == 201
    retry = post(client, dict(reversed(list(body().items()))), key="k-1")  # same body, other key order
    assert retry.status_code == 200
    assert retry.json() == {
        "number": first.json()["number"],
        "query_code": None,  # only its hash is stored: it cannot be sent again
        "status": "received",
        "replayed": True,
    }
    assert Appeal.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.key, record.client, record.appeal.number) == (
        "k-1",
        "anon:127.0.0.1",
        first.json()["number"],
    )


def test_same_key_with_another_body_is_refused(client: Client, actors: Actors) -> None:
    post(client, body(), key="k-1")
    response = post(client, body(title="另一件事"), key="k-1")
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "idempotency_key_reused"
    assert "already used" in data["message"]
    assert Appeal.objects.count() == 1


def test_keys_belong_to_their_client(client: Client, actors: Actors) -> None:
    post(client, body(), key="k-1")
    staff = Client()
    staff.force_login(actors.operator)
    assert post(staff, body(), key="k-1").status_code == 201
    assert Appeal.objects.count() == 2


def test_without_a_key_each_request_is_a_new_appeal(client: Client, actors: Actors) -> None:
    post(client, body())
    post(client, body())
    assert Appeal.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_overlong_key_is_refused(client: Client, actors: Actors) -> None:
    response = post(client, body(), key="k" * 201)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Appeal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_make_one_appeal(actors: Actors) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(post(Client(), body(), key="k-same"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(a.status_code for a in answers) == [200, 201]
    assert len({a.json()["number"] for a in answers}) == 1
    assert Appeal.objects.count() == 1


# --- bad input --------------------------------------------------------------------------------------


def test_malformed_json_is_refused(client: Client, actors: Actors) -> None:
    response = client.post(URL, '{"title": "路灯', content_type="application/json", headers=EN)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert not Appeal.objects.exists()


def test_json_that_is_not_an_object_is_refused(client: Client, actors: Actors) -> None:
    response = post(client, ["a", "list"])
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_wrong_content_type_is_refused(client: Client, actors: Actors) -> None:
    response = client.post(URL, {"title": "路灯"}, headers=EN)  # a form post
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Appeal.objects.exists()


def test_missing_title_is_refused_with_its_field(client: Client, actors: Actors) -> None:
    response = post(client, body(title=None, kind="gossip"))
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert set(data["fields"]) == {"title", "kind"}
    assert data["fields"]["title"] == ["This field is required."]
    assert not Appeal.objects.exists()


def test_rules_of_the_loop_apply(client: Client, actors: Actors) -> None:
    response = post(client, body(township="T2", village="T1V1", phone="12345"))
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"phone"}  # the shape is checked before the rules of the loop
    assert "is not a phone number" in fields["phone"][0]
    response = post(client, body(township="T2", village="T1V1"))
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "village": ["This village or community is not in the chosen township."]
    }
    response = post(client, body(township="NOPE"))
    assert response.json()["fields"] == {"township": ["Unknown unit code NOPE."]}
    assert not Appeal.objects.exists()


def test_errors_speak_the_requests_language(client: Client, actors: Actors) -> None:
    response = post(client, body(title=" "), **{"accept-language": "zh-hans"})
    assert response.status_code == 400
    assert response.json()["fields"]["title"] == ["请填写简短的标题。"]


def test_anonymous_submissions_are_rate_limited(client: Client, actors: Actors, settings: Any) -> None:
    settings.MINYI_RATE_LIMITS = {**settings.MINYI_RATE_LIMITS, "appeal_submit": (2, 600)}
    assert post(client, body()).status_code == 201
    assert post(client, body()).status_code == 201
    response = post(client, body())
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert Appeal.objects.count() == 2


def test_staff_session_requests_need_the_csrf_token(actors: Actors) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(actors.operator)
    response = post(browser, body())
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "CSRF" in response.json()["message"]
    assert not Appeal.objects.exists()
