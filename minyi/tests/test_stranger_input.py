"""Input a stranger can send gets a 4xx in the called endpoint's own format, never a 500 (issue 16, items 7
and 9; docs/security.md, "Stranger input"): the Open311 error list, the API's JSON error, or a page.

These run on SQLite and on PostgreSQL (DATABASE_URL), where a NUL byte reaching a query is a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
import xmltodict
from django.test import Client

from minyi.api.tests.helpers import api_as
from minyi.appeals.models import Appeal, Category
from minyi.inputs import MAX_JSON_DEPTH
from minyi.ledger.models import Issue
from minyi.open311 import keys
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

NESTED = "[" * 50_000 + "]" * 50_000  # 100 KB of brackets
EN = {"accept-language": "en"}


def open311_errors(response: Any, status: int, fmt: str = "json") -> list[str]:
    """The descriptions of the spec's error list, after checking the status and the format."""
    assert response.status_code == status, response.content[:300]
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return [error["description"] for error in response.json()]
    assert response["Content-Type"].startswith("text/xml")
    errors = xmltodict.parse(response.content, force_list=("error",))["errors"]["error"]
    return [str(error["description"]) for error in errors]


def api_error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    return str(body["message"])


@pytest.fixture
def open311_key(actors: Actors) -> str:
    Category.objects.create(code="LIGHT", name="路灯照明", is_public=True, default_unit=actors.housing)
    return keys.create_key("街道随手拍")[1]


# --- dates at the ends of the calendar -----------------------------------------------------------------


def test_open311_requests_far_future_start_date_is_the_spec_error(client: Client) -> None:
    response = client.get("/open311/v2/requests.json?start_date=9999-12-31T23:59:59Z", headers=EN)
    assert any("start_date" in text for text in open311_errors(response, 400))


def test_open311_updates_far_future_dates_are_the_spec_error(client: Client) -> None:
    response = client.get(
        "/open311/v2/servicerequestupdates.xml?start_date=9999-12-31T23:59:59Z&end_date=9999-12-31T23:59:59-12:00",
        headers=EN,
    )
    errors = open311_errors(response, 400, "xml")
    assert any("start_date" in text for text in errors) and any("end_date" in text for text in errors)


def test_sign_off_register_impossible_date_is_a_page_message(client: Client, actors: Actors) -> None:
    client.force_login(actors.leader)
    response = client.get("/ledger/register/?from=2026-02-30&to=9999-12-31", headers=EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        'role="alert"' in page and "2026-02-30 is not a date" in page and "9999-12-31 is not a date" in page
    )


def test_sign_off_register_export_impossible_date_is_refused(client: Client, actors: Actors) -> None:
    client.force_login(actors.leader)
    response = client.get("/reports/export/signoff_register/?from=2026-02-30", headers=EN)
    assert response.status_code == 400
    # Exports speak the site's language (the sheets offices keep are Chinese), their refusals too.
    assert "2026-02-30 不是有效日期" in response.content.decode()


# --- nesting ---------------------------------------------------------------------------------------------


def test_api_deeply_nested_json_is_a_json_error(actors: Actors) -> None:
    operator = api_as(actors.operator)
    response = operator.client.post(
        "/api/v1/appeals/", NESTED, content_type="application/json", headers=operator.headers()
    )
    assert "nested too deeply" in api_error(response, 400, "too_deep")
    assert not Appeal.objects.exists()


def test_api_json_one_level_too_deep_is_refused_but_the_limit_is_taken(actors: Actors) -> None:
    operator = api_as(actors.operator)

    def nested(depth: int) -> str:
        return json.dumps({"title": "路灯不亮", "extra": json.loads("[" * (depth - 1) + "]" * (depth - 1))})

    deep = operator.client.post(
        "/api/v1/appeals/",
        nested(MAX_JSON_DEPTH + 1),
        content_type="application/json",
        headers=operator.headers(),
    )
    api_error(deep, 400, "too_deep")
    at_limit = operator.client.post(
        "/api/v1/appeals/",
        nested(MAX_JSON_DEPTH),
        content_type="application/json",
        headers=operator.headers(),
    )
    assert at_limit.status_code == 400 and at_limit.json()["code"] != "too_deep"  # the serializer's answer


def test_open311_deeply_nested_json_post_is_the_spec_error(client: Client, open311_key: str) -> None:
    response = client.post("/open311/v2/requests.xml", NESTED, content_type="application/json", headers=EN)
    assert any("nested too deeply" in text for text in open311_errors(response, 400, "xml"))
    assert not Appeal.objects.exists()


# --- lone surrogates and NUL bytes ----------------------------------------------------------------------


def test_api_lone_surrogate_in_a_json_title_is_a_json_error(actors: Actors) -> None:
    operator = api_as(actors.operator)
    body = '{"title": "\\ud800", "body": "路灯坏了", "channel": "hotline"}'
    response = operator.client.post(
        "/api/v1/appeals/",
        body,
        content_type="application/json",
        headers=operator.headers(**{"Idempotency-Key": "surrogate-1"}),
    )
    assert "not allowed" in api_error(response, 400, "invalid_characters")
    assert not Appeal.objects.exists()


def test_open311_nul_byte_in_a_posted_field_is_the_spec_error(client: Client, open311_key: str) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": open311_key,
            "service_code": "LIGHT",
            "description": "路灯\x00不亮",
            "lat": "30",
            "long": "120",
        },
        headers=EN,
    )
    assert any("not allowed" in text for text in open311_errors(response, 400))
    assert not Appeal.objects.exists()


def test_open311_nul_byte_in_a_filter_is_the_spec_error(client: Client) -> None:
    response = client.get("/open311/v2/requests.xml?service_code=LIGHT%00&status=open", headers=EN)
    assert any("not allowed" in text for text in open311_errors(response, 400, "xml"))
    detail = client.get("/open311/v2/requests/A%00B.json", headers=EN)
    assert any("not allowed" in text for text in open311_errors(detail, 400))


def test_echo_wall_nul_byte_in_the_address_is_a_page(client: Client) -> None:
    response = client.get("/echo/a%00b/", headers=EN)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "not allowed" in response.content.decode()


def test_a_nul_byte_in_the_session_cookie_is_a_page_not_a_lookup(client: Client) -> None:
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get("/accounts/login/", headers=EN)
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()


def test_api_nul_byte_in_a_lookup_and_in_list_filters_is_a_json_error(actors: Actors) -> None:
    dispatcher = api_as(actors.dispatcher)
    api_error(dispatcher.get("/appeals/A%00B/"), 400, "invalid_characters")
    api_error(
        dispatcher.get("/appeals/", {"q": "路灯\x00", "state": "received\x00"}), 400, "invalid_characters"
    )
    api_error(dispatcher.get("/issues/", {"unit": "\x00"}), 400, "invalid_characters")


def test_api_nul_byte_in_a_new_item_is_a_json_error(actors: Actors) -> None:
    dispatcher = api_as(actors.dispatcher)
    response = dispatcher.post("/issues/", {"title": "整改\x00事项", "track": "fix_now"})
    api_error(response, 400, "invalid_characters")
    assert not Issue.objects.exists()


def test_citizen_form_with_a_nul_byte_is_a_page_in_chinese(client: Client) -> None:
    response = client.post(
        "/appeal/new/", {"title": "路灯\x00", "body": "坏了"}, headers={"accept-language": "zh-hans"}
    )
    assert response.status_code == 400
    assert "不允许" in response.content.decode()
    assert not Appeal.objects.exists()


# --- body size and field count (Django's limits) ---------------------------------------------------------


def test_api_oversized_body_is_a_json_413(actors: Actors, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    operator = api_as(actors.operator)
    response = operator.post("/appeals/", {"title": "路灯", "body": "很长" * 1000, "channel": "hotline"})
    assert "too large" in api_error(response, 413, "too_large")
    assert not Appeal.objects.exists()


def test_open311_oversized_body_is_the_spec_error(client: Client, open311_key: str, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": open311_key,
            "service_code": "LIGHT",
            "description": "很长" * 1000,
            "lat": "30",
            "long": "120",
        },
        headers=EN,
    )
    assert any("too large" in text for text in open311_errors(response, 413))


def test_open311_too_many_fields_is_the_spec_error(client: Client, open311_key: str) -> None:
    fields = {f"attribute[F{i}]": "x" for i in range(1001)}
    response = client.post("/open311/v2/requests.xml", {"api_key": open311_key, **fields}, headers=EN)
    assert any("too many fields" in text for text in open311_errors(response, 400, "xml"))


def test_api_too_many_query_fields_is_a_json_error(actors: Actors) -> None:
    dispatcher = api_as(actors.dispatcher)
    response = dispatcher.get("/appeals/", {f"f{i}": "x" for i in range(1001)})
    api_error(response, 400, "too_many_fields")
