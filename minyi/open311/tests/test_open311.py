"""Open311 GeoReport v2 through HTTP, in JSON and XML: services, requests, updates, keys and errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import xmltodict
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, RejectReason, State
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import lead_assignment
from minyi.open311 import keys
from minyi.open311.models import Open311Key, Open311Request
from minyi.open311.tests.conftest import BASE, Services
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

PERSONAL = ("王小明", "13912345678", "wang@example.com", "device-42", "acct-7")


def post(
    client: Client,
    services: Services,
    fmt: str = "json",
    headers: Any = None,
    **fields: Any,
) -> Any:
    data = {
        "api_key": services.raw_key,
        "service_code": "LIGHT",
        "lat": "30.123456",
        "long": "120.654321",
        "address_string": "东村三组18号",
        "description": "东村村口的路灯坏了。晚上很黑，请尽快修好。",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13912345678",
        "email": "wang@example.com",
        "device_id": "device-42",
        "account_id": "acct-7",
        "media_url": "https://img.example.com/1.jpg",
        **fields,
    }
    return client.post(
        f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v is not None}, headers=headers or {}
    )


def parsed(response: Any) -> Any:
    if response["Content-Type"].startswith("application/json"):
        return response.json()
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return xmltodict.parse(response.content)


def errors_of(response: Any) -> list[dict[str, Any]]:
    data = parsed(response)
    if isinstance(data, list):
        return data
    items = data["errors"]["error"]
    return items if isinstance(items, list) else [items]


# --- discovery and services ------------------------------------------------------------------


def test_discovery_names_the_spec_and_both_formats(client: Client) -> None:
    data = client.get(f"{BASE}/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    xml = parsed(client.get(f"{BASE}/discovery.xml"))
    assert xml["discovery"]["endpoints"]["endpoint"]["formats"]["format"] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_are_the_public_leaf_categories(client: Client, services: Services, fmt: str) -> None:
    data = parsed(client.get(f"{BASE}/services.{fmt}"))
    rows = data if fmt == "json" else data["services"]["service"]
    by_code = {row["service_code"]: row for row in rows}
    assert set(by_code) == {"LIGHT", "ROAD"}  # not the group, not the hidden category
    light = by_code["LIGHT"]
    assert light["service_name"] == "路灯照明"
    assert light["group"] == "城乡建设"
    assert light["type"] == "realtime"
    assert light["description"] == "城乡建设 / 路灯照明"
    assert light["metadata"] in (False, "false")
    assert by_code["ROAD"]["metadata"] in (True, "true")


def test_service_definition_lists_attributes_in_both_formats(client: Client, services: Services) -> None:
    data = client.get(f"{BASE}/services/ROAD.json").json()
    assert data["service_code"] == "ROAD"
    size, depth = data["attributes"]
    assert size["code"] == "SIZE" and size["required"] is True and size["datatype"] == "singlevaluelist"
    assert size["values"] == [{"key": "S", "name": "小"}, {"key": "L", "name": "大"}]
    assert depth["datatype"] == "number" and "values" not in depth
    xml = parsed(client.get(f"{BASE}/services/ROAD.xml"))["service_definition"]
    assert xml["attributes"]["attribute"][0]["values"]["value"][1] == {"key": "L", "name": "大"}
    assert client.get(f"{BASE}/services/LIGHT.json").json() == {"service_code": "LIGHT", "attributes": []}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_hidden_service_is_404(client: Client, services: Services, fmt: str) -> None:
    for code in ("NOPE", "DIBAO", "CITY"):
        response = client.get(f"{BASE}/services/{code}.{fmt}")
        assert response.status_code == 404
        assert errors_of(response)[0]["code"] in (404, "404")


def test_unknown_format_and_resource_answer_spec_errors(client: Client, services: Services) -> None:
    response = client.get(f"{BASE}/services.csv")
    assert response.status_code == 400 and errors_of(response)
    response = client.get(f"{BASE}/nothing.json")
    assert response.status_code == 404 and errors_of(response)[0]["code"] == 404


# --- POST requests ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_an_appeal_in_the_normal_loop(client: Client, services: Services, fmt: str) -> None:
    response = post(client, services, fmt)
    assert response.status_code == 200, response.content
    data = parsed(response)
    row = data[0] if fmt == "json" else data["service_requests"]["request"]
    appeal = Appeal.objects.get(number=row["service_request_id"])
    assert "token" not in row
    assert row["account_id"] == "acct-7"
    assert appeal.channel == Channel.OPEN311 and appeal.state == State.RECEIVED
    assert appeal.category == services.light
    assert appeal.title == "东村村口的路灯坏了"
    assert appeal.body == "东村村口的路灯坏了。晚上很黑，请尽快修好。"
    assert (str(appeal.latitude), str(appeal.longitude)) == ("30.123456", "120.654321")
    assert appeal.address == "东村三组18号"
    assert (appeal.citizen_name, appeal.citizen_phone, appeal.citizen_email) == (
        "王小明", "13912345678", "wang@example.com",
    )  # fmt: skip
    assert appeal.external_ref == "acct-7"
    extra = Open311Request.objects.get(appeal=appeal)
    assert extra.key == services.key and extra.device_id == "device-42"
    assert appeal.events.filter(kind="received").exists()


def test_post_with_attributes_and_address_only(client: Client, services: Services) -> None:
    response = post(
        client, services, service_code="ROAD", lat=None, long=None, description="",
        **{"attribute[SIZE]": "L", "attribute[DEPTH]": "12"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get(number=response.json()[0]["service_request_id"])
    assert appeal.title == "道路破损" and appeal.latitude is None
    assert "坑有多大？: L" in appeal.body and "深度（厘米）: 12" in appeal.body
    assert Open311Request.objects.get(appeal=appeal).attributes == {"SIZE": "L", "DEPTH": "12"}


def test_post_accepts_a_json_object_too(client: Client, services: Services) -> None:
    body = {
        "api_key": services.raw_key,
        "service_code": "LIGHT",
        "address_string": "西村",
        "description": "灯坏了",
    }
    response = client.post(f"{BASE}/requests.json", body, content_type="application/json")
    assert response.status_code == 200, response.content


def _refused(response: Any, status: int, fragment: str) -> None:
    assert response.status_code == status, response.content
    descriptions = " ".join(str(e["description"]) for e in errors_of(response))
    assert fragment in descriptions, descriptions
    assert Appeal.objects.count() == 0 and Open311Request.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_get_the_specs_errors_and_store_nothing(
    client: Client, services: Services, fmt: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    _refused(post(client, services, fmt, api_key=None), 403, "api_key")
    _refused(post(client, services, fmt, api_key="deadbeef.wrong"), 403, "api_key")
    _refused(post(client, services, fmt, service_code="NOPE"), 404, "NOPE")
    _refused(post(client, services, fmt, service_code="DIBAO"), 404, "DIBAO")
    _refused(post(client, services, fmt, service_code=""), 400, "service_code")
    _refused(post(client, services, fmt, lat=None, long=None, address_string=None), 400, "location")
    _refused(post(client, services, fmt, long=None), 400, "lat and long")
    _refused(post(client, services, fmt, lat="north"), 400, "lat")
    _refused(post(client, services, fmt, lat="91"), 400, "lat")
    _refused(post(client, services, fmt, description="长" * 4001), 400, "4000")
    _refused(post(client, services, fmt, email="not-an-address"), 400, "email")
    _refused(post(client, services, fmt, media_url="javascript:alert(1)"), 400, "media_url")
    _refused(post(client, services, fmt, service_code="ROAD"), 400, "attribute[SIZE]")
    _refused(post(client, services, fmt, service_code="ROAD", **{"attribute[SIZE]": "XL"}), 400, "SIZE")
    bad_depth = {"attribute[SIZE]": "S", "attribute[DEPTH]": "deep"}
    _refused(post(client, services, fmt, service_code="ROAD", **bad_depth), 400, "DEPTH")


def test_several_problems_are_reported_together(client: Client, services: Services, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    response = post(
        client, services, lat=None, long=None, address_string=None, email="x", description="x" * 4001
    )
    assert response.status_code == 400
    assert len(errors_of(response)) == 3


def test_wrong_content_type_and_malformed_json_are_400(client: Client, services: Services) -> None:
    url = f"{BASE}/requests.json"
    _refused(client.post(url, "api_key=x", content_type="text/plain"), 400, "x-www-form-urlencoded")
    _refused(client.post(url, "{not json", content_type="application/json"), 400, "JSON")
    _refused(client.post(url, "[1, 2]", content_type="application/json"), 400, "JSON")


def test_revoked_key_is_refused(client: Client, services: Services) -> None:
    keys.revoke_key(services.key.prefix)
    _refused(post(client, services), 403, "api_key")


def test_posts_are_rate_limited_per_key(client: Client, services: Services, settings: Any) -> None:
    settings.MINYI_RATE_LIMITS = {**settings.MINYI_RATE_LIMITS, "open311_post": (2, 600)}
    assert post(client, services).status_code == 200
    assert post(client, services).status_code == 200
    response = post(client, services)
    assert response.status_code == 429 and errors_of(response)[0]["code"] == 429
    assert Appeal.objects.count() == 2
    _other, raw = keys.create_key("另一个客户端")
    assert post(client, services, api_key=raw).status_code == 200  # another key has its own budget


def test_get_and_other_methods_on_post_only_paths(client: Client, services: Services) -> None:
    response = client.delete(f"{BASE}/requests.json")
    assert response.status_code == 405 and response["Allow"] == "GET, POST"


# --- GET requests ----------------------------------------------------------------------------


def _created(client: Client, services: Services, **fields: Any) -> Appeal:
    response = post(client, services, **fields)
    assert response.status_code == 200, response.content
    return Appeal.objects.get(number=response.json()[0]["service_request_id"])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_request_shows_status_reply_unit_and_deadline(
    client: Client, services: Services, actors: Actors, fmt: str
) -> None:
    appeal = _created(client, services)
    appeal = appeal_rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    url = f"{BASE}/requests/{appeal.number}.{fmt}"
    data = parsed(client.get(url))
    row = data[0] if fmt == "json" else data["service_requests"]["request"]
    assert row["status"] == "open"
    assert row["agency_responsible"] == "区教育局"
    assert row["expected_datetime"] == timezone.localtime(appeal.deadline).isoformat(timespec="seconds")
    assert not row["status_notes"]
    appeal_rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    appeal.refresh_from_db()
    reply = appeal_rules.draft_reply(appeal, actor=actors.handler_edu, body="已修好，联系电话13800001111。")
    data = parsed(client.get(url))
    row = data[0] if fmt == "json" else data["service_requests"]["request"]
    assert not row["status_notes"]  # a draft is not published
    appeal_rules.approve_reply(reply, actor=actors.head_edu)
    data = parsed(client.get(url))
    row = data[0] if fmt == "json" else data["service_requests"]["request"]
    assert row["status"] == "closed"
    assert row["status_notes"] == "已修好，联系电话138****1111。"
    assert row["service_code"] == "LIGHT" and row["service_name"] == "路灯照明"
    assert row["requested_datetime"] <= row["updated_datetime"]


def test_public_gets_never_reveal_personal_data(client: Client, services: Services) -> None:
    appeal = _created(client, services, description="我是王小明，电话13912345678，身份证110101199003071234")
    answers = [
        client.get(f"{BASE}/requests.json").content,
        client.get(f"{BASE}/requests.xml").content,
        client.get(f"{BASE}/requests/{appeal.number}.json").content,
        client.get(f"{BASE}/servicerequestupdates.xml").content,
    ]
    for content in answers:
        text = content.decode()
        for value in ("13912345678", "wang@example.com", "device-42", "acct-7", "110101199003071234", "18号"):
            assert value not in text
    row = client.get(f"{BASE}/requests/{appeal.number}.json").json()[0]
    assert row["address"] == "东村三****"  # minyi.privacy.mask_address: the coarse half only
    assert (row["lat"], row["long"]) == (30.123, 120.654)  # about 100 m, not the doorstep
    assert "first_name" not in row and "email" not in row and "phone" not in row


def test_other_channels_and_recused_appeals_are_not_listed(
    client: Client, services: Services, actors: Actors
) -> None:
    mine = _created(client, services)
    appeal_rules.submit(
        channel=Channel.HOTLINE, kind="complaint", title="热线", body="热线来电", category=services.light
    )
    hidden = _created(client, services)
    Appeal.objects.filter(pk=hidden.pk).update(concerns_unit=actors.edu)
    numbers = [row["service_request_id"] for row in client.get(f"{BASE}/requests.json").json()]
    assert numbers == [mine.number]
    assert client.get(f"{BASE}/requests/{hidden.number}.json").status_code == 404
    response = client.get(f"{BASE}/requests/nope.xml")
    assert response.status_code == 404 and errors_of(response)[0]["code"] == "404"


def test_filters_by_id_service_status_and_window(client: Client, services: Services, actors: Actors) -> None:
    light = _created(client, services)
    road = _created(client, services, service_code="ROAD", **{"attribute[SIZE]": "S"})
    old = _created(client, services)
    Appeal.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=100))
    rejected = _created(client, services)
    appeal_rules.reject(
        rejected, actor=actors.dispatcher, reason=RejectReason.OUT_OF_SCOPE, note="不属于本区"
    )

    def numbers(**params: str) -> list[str]:
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return [row["service_request_id"] for row in response.json()]

    assert set(numbers()) == {light.number, road.number, rejected.number}  # the last 90 days
    assert numbers(service_code="ROAD") == [road.number]
    assert set(numbers(service_code="ROAD,LIGHT", status="open")) == {light.number, road.number}
    assert numbers(status="closed") == [rejected.number]
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json()[0]["status_notes"] == "不属于本区"
    assert set(numbers(service_request_id=f"{old.number},{road.number}")) == {old.number, road.number}
    start = (timezone.now() - timedelta(days=120)).isoformat()
    end = (timezone.now() - timedelta(days=95)).isoformat()
    assert numbers(start_date=start, end_date=end) == [old.number]
    assert numbers(start_date=start) == [old.number]  # start only: 90 days from it


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_dates_and_long_spans_are_400(
    client: Client, services: Services, fmt: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    url = f"{BASE}/requests.{fmt}"
    cases = [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2024-13-45T00:00:00Z"}, "end_date"),
        ({"start_date": "2024-01-01T00:00:00"}, "time zone"),  # no offset: the spec requires one
        ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-05-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2024-02-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}, "before"),
        ({"status": "pending"}, "status"),
    ]
    for params, fragment in cases:
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert fragment in " ".join(e["description"] for e in errors_of(response)), params
    ok = client.get(url, {"start_date": "2024-01-01T00:00:00+08:00", "end_date": "2024-03-30T00:00:00+08:00"})
    assert ok.status_code == 200
    unencoded_plus = client.get(f"{url}?start_date=2024-01-01T00:00:00+08:00")  # '+' arrives as a space
    assert unencoded_plus.status_code == 200


def test_at_most_1000_requests_newest_first(
    client: Client, services: Services, django_assert_max_num_queries: Any
) -> None:
    key = services.key
    now = timezone.now()
    appeals = [
        Appeal(channel=Channel.OPEN311, kind="help", title=f"t{i}", body="b", category=services.light,
               received_at=now - timedelta(minutes=i), query_code_hash="x$y", number=f"N{i:06d}")
        for i in range(1005)
    ]  # fmt: skip
    Appeal.objects.bulk_create(appeals)
    assert key.pk
    with django_assert_max_num_queries(4):
        response = client.get(f"{BASE}/requests.json")
    rows = response.json()
    assert len(rows) == 1000
    assert rows[0]["service_request_id"] == "N000000" and rows[-1]["service_request_id"] == "N000999"


def test_tokens_answer_not_found_because_every_service_is_realtime(
    client: Client, services: Services
) -> None:
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/tokens/12345.{fmt}")
        assert response.status_code == 404 and errors_of(response)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_request_updates_follow_the_loop(
    client: Client, services: Services, actors: Actors, fmt: str
) -> None:
    appeal = _created(client, services)
    appeal = appeal_rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    appeal_rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    appeal.refresh_from_db()
    reply = appeal_rules.draft_reply(appeal, actor=actors.handler_edu, body="路灯已更换。")
    appeal_rules.approve_reply(reply, actor=actors.head_edu)
    data = parsed(client.get(f"{BASE}/servicerequestupdates.{fmt}"))
    rows = data if fmt == "json" else data["service_request_updates"]["request_update"]
    assert [row["status"] for row in rows] == ["OPEN", "IN_PROGRESS", "IN_PROGRESS", "CLOSED"]
    assert {row["service_request_id"] for row in rows} == {appeal.number}
    assert rows[1]["description"] == "已交办至区教育局。" or "区教育局" in rows[1]["description"]
    assert rows[-1]["description"] == "路灯已更换。"
    assert len({row["update_id"] for row in rows}) == 4
    assert client.get(f"{BASE}/servicerequestupdates.json", {"start_date": "nope"}).status_code == 400


# --- keys ------------------------------------------------------------------------------------


def test_key_command_creates_lists_and_revokes(capsys: Any) -> None:
    call_command("open311_key", "create", "随手拍")
    raw = capsys.readouterr().out.strip()
    key = keys.authenticate(raw)
    assert key is not None and key.name == "随手拍"
    assert Open311Key.objects.get().key_hash != raw and raw not in Open311Key.objects.get().key_hash
    call_command("open311_key", "list")
    listed = capsys.readouterr().out
    assert key.prefix in listed and raw not in listed
    call_command("open311_key", "revoke", key.prefix)
    assert keys.authenticate(raw) is None


# --- Idempotency-Key ---------------------------------------------------------------------------


def test_a_retried_post_with_its_idempotency_key_gets_the_same_request(
    client: Client, services: Services, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    first = post(client, services, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == 200, first.content
    again = post(client, services, headers={"Idempotency-Key": "retry-1"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    # In XML too: the format only changes how the same answer is written.
    as_xml = parsed(post(client, services, "xml", headers={"Idempotency-Key": "retry-1"}))
    assert (
        as_xml["service_requests"]["request"]["service_request_id"] == first.json()[0]["service_request_id"]
    )
    assert Appeal.objects.count() == 1 and Open311Request.objects.count() == 1

    other = post(
        client, services, description="另一件事：垃圾没人收。", headers={"Idempotency-Key": "retry-1"}
    )
    assert other.status_code == 422 and errors_of(other)[0]["code"] == 422
    assert "Idempotency-Key" in errors_of(other)[0]["description"]
    assert Appeal.objects.count() == 1

    # Another client system's key is its own: the same header value makes its own request.
    _other, raw = keys.create_key("另一个客户端")
    assert post(client, services, api_key=raw, headers={"Idempotency-Key": "retry-1"}).status_code == 200
    # Without the header every POST is a new request, as before.
    assert post(client, services).status_code == 200
    assert Appeal.objects.count() == 3


def test_a_bad_idempotency_key_or_a_refused_post_stores_nothing(
    client: Client, services: Services, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    _refused(post(client, services, headers={"Idempotency-Key": "k" * 201}), 400, "Idempotency-Key")
    _refused(post(client, services, headers={"Idempotency-Key": "  "}), 400, "Idempotency-Key")
    # A refused request does not use the key up: corrected, the same key creates the request.
    _refused(post(client, services, lat="north", headers={"Idempotency-Key": "fix-me"}), 400, "lat")
    assert post(client, services, headers={"Idempotency-Key": "fix-me"}).status_code == 200
    assert Appeal.objects.count() == 1


def test_the_idempotency_refusal_reads_in_chinese(client: Client, services: Services) -> None:
    assert post(client, services, headers={"Idempotency-Key": "zh"}).status_code == 200
    other = post(client, services, description="别的事", headers={"Idempotency-Key": "zh"})
    assert other.status_code == 422 and "另一个不同的请求" in errors_of(other)[0]["description"]
