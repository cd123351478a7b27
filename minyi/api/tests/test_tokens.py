"""API tokens: created by command or by an admin over the API, used as Bearer or Token, audited with
their owner, revoked (then 401)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from minyi.api.models import ApiToken
from minyi.api.tests.helpers import ApiClient, api_as
from minyi.audit.models import AuditEvent
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_command_creates_lists_and_revokes(actors: Actors) -> None:
    printed = run("create", "--user", "dispatcher", "--name", "12345 platform")
    key = re.search(r"key: (\S+)", printed).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (actors.dispatcher, "12345 platform", key[:8])
    assert key not in token.key_hash  # only the hash is stored
    assert "12345 platform" in run("list")
    client = Client()
    assert client.get("/api/v1/appeals/", headers={"authorization": f"Bearer {key}"}).status_code == 200
    assert client.get("/api/v1/appeals/", headers={"authorization": f"Token {key}"}).status_code == 200

    assert "revoked" in run("revoke", token.prefix)
    response = client.get(
        "/api/v1/appeals/", headers={"authorization": f"Bearer {key}", "accept-language": "en"}
    )
    assert response.status_code == 401
    assert response.json() == {"code": "token_revoked", "message": "This API key was revoked.", "fields": {}}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_key_is_401_in_json(actors: Actors) -> None:
    response = Client().get(
        "/api/v1/appeals/", headers={"authorization": "Bearer nope", "accept-language": "en"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_each_request_is_audited_with_the_tokens_owner(actors: Actors) -> None:
    client = api_as(actors.dispatcher)
    assert client.get("/appeals/").status_code == 200
    event = AuditEvent.objects.get(action="api.request")
    token = ApiToken.objects.get()
    assert (event.actor, event.object_id) == (actors.dispatcher, str(token.pk))
    assert event.detail == {
        "method": "GET",
        "path": "/api/v1/appeals/",
        "via": "api",
        "token": f"test dispatcher ({token.prefix}…)",
    }


def test_last_used_is_written_at_most_once_a_minute(actors: Actors) -> None:
    client = api_as(actors.dispatcher)
    client.get("/appeals/")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/appeals/")
    assert ApiToken.objects.get().last_used_at == first


def test_admin_manages_tokens_over_the_api(actors: Actors) -> None:
    admin = api_as(actors.admin)
    created = admin.post("/tokens/", {"name": "mini-program", "user": "operator"}, key="t-1")
    assert created.status_code == 201
    data = created.json()
    assert (data["name"], data["user"], data["revoked_at"]) == ("mini-program", "operator", None)
    new = ApiClient(user=actors.operator, key=data["key"])
    assert new.get("/appeals/").status_code == 200

    replay = admin.post("/tokens/", {"name": "mini-program", "user": "operator"}, key="t-1")
    assert replay.status_code == 201
    assert replay.json() == {**data, "key": None}  # the key is never stored, so never shown again
    assert admin.post("/tokens/", {"name": "other", "user": "operator"}, key="t-1").status_code == 422
    assert ApiToken.objects.filter(name="mini-program").count() == 1

    listed = admin.get("/tokens/").json()
    assert {t["prefix"] for t in listed} == set(ApiToken.objects.values_list("prefix", flat=True))
    assert all("key" not in t for t in listed)
    assert admin.delete(f"/tokens/{data['prefix']}/").status_code == 204
    assert new.get("/appeals/").status_code == 401
    assert admin.delete("/tokens/nope/").status_code == 404


def test_only_admins_manage_tokens(actors: Actors) -> None:
    dispatcher = api_as(actors.dispatcher)
    assert dispatcher.get("/tokens/").status_code == 403
    response = dispatcher.post("/tokens/", {"name": "x", "user": "dispatcher"})
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert ApiToken.objects.count() == 1


def test_bad_token_requests_are_field_errors(actors: Actors) -> None:
    admin = api_as(actors.admin)
    response = admin.post("/tokens/", {"name": "", "user": "ghost"})
    assert response.status_code == 400
    assert "name" in response.json()["fields"]
    response = admin.post("/tokens/", {"name": "x", "user": "ghost"})
    assert (response.status_code, list(response.json()["fields"])) == (400, ["user"])
