"""API tokens: created by command, by their own user, or by an admin for an integration account within
the admin's rights (never for a superuser or another person); used as Bearer or Token, audited with
their owner and creator, revoked (then 401)."""

from __future__ import annotations

import importlib
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from minyi.api.models import ApiToken, IntegrationAccount
from minyi.api.tests.helpers import ApiClient, api_as
from minyi.audit.models import AuditEvent
from minyi.org.choices import Role
from minyi.org.rules import create_person
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


def integration(actors: Actors, username: str, role: str) -> User:
    """An integration account (a system's login) with ``role`` in the campaign office."""
    person = create_person(name=username, unit=actors.office, role=role, username=username, actor=None)
    assert person.user is not None
    run("integration", username, "--description", "test system")
    return person.user


def test_admin_mints_tokens_for_an_integration_account_within_the_admins_rights(actors: Actors) -> None:
    sync = integration(actors, "org-sync", Role.MEMBER)  # sees units only: less than the admin
    admin = api_as(actors.admin)
    created = admin.post("/tokens/", {"name": "org sync", "user": "org-sync"}, key="t-1")
    assert created.status_code == 201
    data = created.json()
    assert (data["name"], data["user"], data["revoked_at"]) == ("org sync", "org-sync", None)
    new = ApiClient(user=sync, key=data["key"])
    assert new.get("/units/").status_code == 200

    replay = admin.post("/tokens/", {"name": "org sync", "user": "org-sync"}, key="t-1")
    assert replay.status_code == 201
    assert replay.json() == {**data, "key": None}  # the key is never stored, so never shown again
    assert admin.post("/tokens/", {"name": "other", "user": "org-sync"}, key="t-1").status_code == 422
    assert ApiToken.objects.filter(name="org sync").count() == 1

    listed = admin.get("/tokens/").json()
    assert {t["prefix"] for t in listed} == set(ApiToken.objects.values_list("prefix", flat=True))
    assert all("key" not in t for t in listed)
    assert admin.delete(f"/tokens/{data['prefix']}/").status_code == 204
    assert new.get("/units/").status_code == 401
    assert admin.delete("/tokens/nope/").status_code == 404

    created_row = AuditEvent.objects.get(action="api.token_created", detail__name="org sync")
    assert (created_row.actor, created_row.detail["owner"], created_row.detail["creator"]) == (
        actors.admin,
        "org-sync",
        "admin",
    )
    revoked_row = AuditEvent.objects.get(action="api.token_revoked")
    assert (revoked_row.detail["owner"], revoked_row.detail["creator"], revoked_row.detail["revoked_by"]) == (
        "org-sync",
        "admin",
        "admin",
    )


def refused(client: ApiClient, owner: str) -> dict[str, object]:
    """POST a token for ``owner``; assert it is refused with 403 in the API's format, creating nothing
    but the audit row of the refusal (returned)."""
    before = ApiToken.objects.count()
    response = client.post("/tokens/", {"name": "x", "user": owner}, key=f"refused-{owner}")
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "permission_denied" and body["message"] and body["fields"] == {}
    assert ApiToken.objects.count() == before
    row = AuditEvent.objects.filter(action="api.token_refused").order_by("-id").first()
    assert row is not None and row.actor == client.user
    assert (row.detail["owner"], row.detail["creator"]) == (owner, client.user.username)
    return body


def test_admin_may_not_mint_a_token_for_a_superuser(actors: Actors) -> None:
    User.objects.create_superuser("superadmin", "root@example.cn", "root-pass-123")
    body = refused(api_as(actors.admin), "superadmin")
    assert body["message"] == "No API token is ever made for a superuser account."


def test_admin_may_not_mint_a_token_for_a_person(actors: Actors) -> None:
    body = refused(api_as(actors.admin), "dispatcher")
    assert "only for integration accounts" in str(body["message"])
    refused(api_as(actors.admin, language="zh-hans"), "handler_edu")


def test_admin_may_not_mint_a_token_for_an_integration_account_with_more_rights(actors: Actors) -> None:
    integration(actors, "hotline-12345", Role.DISPATCHER)  # dispatches: the admin does not
    body = refused(api_as(actors.admin), "hotline-12345")
    assert "rights you do not hold" in str(body["message"])
    staff = integration(actors, "staff-bot", Role.MEMBER)
    staff.is_staff = True  # the Django admin site, which a non-staff admin cannot reach
    staff.save(update_fields=["is_staff"])
    actors.admin.is_staff = False
    actors.admin.save(update_fields=["is_staff"])
    refused(api_as(actors.admin), "staff-bot")


def test_anyone_mints_tokens_for_themselves_and_only_for_themselves(actors: Actors) -> None:
    dispatcher = api_as(actors.dispatcher)
    created = dispatcher.post("/tokens/", {"name": "my script", "user": "dispatcher"})
    assert created.status_code == 201
    mine = ApiClient(user=actors.dispatcher, key=created.json()["key"])
    assert mine.get("/appeals/").status_code == 200
    row = AuditEvent.objects.get(action="api.token_created", detail__name="my script")
    assert (row.detail["owner"], row.detail["creator"]) == ("dispatcher", "dispatcher")

    integration(actors, "ledger-sync", Role.MEMBER)
    refused(dispatcher, "ledger-sync")  # not an admin: not even for an integration account
    refused(dispatcher, "operator")
    assert {t["user"] for t in dispatcher.get("/tokens/").json()} == {"dispatcher"}  # only their own
    prefix = created.json()["prefix"]
    other = api_as(actors.operator)
    assert other.delete(f"/tokens/{prefix}/").status_code == 404  # not theirs to see
    assert dispatcher.delete(f"/tokens/{prefix}/").status_code == 204
    assert mine.get("/appeals/").status_code == 401


def test_the_command_line_marks_integration_accounts_and_never_serves_a_superuser(actors: Actors) -> None:
    integration(actors, "wechat", Role.MEMBER)
    assert IntegrationAccount.objects.get().user.username == "wechat"
    User.objects.create_superuser("root", "root@example.cn", "root-pass-123")
    with pytest.raises(CommandError, match="超级用户"):
        run("create", "--user", "root", "--name", "x")
    with pytest.raises(CommandError, match="超级用户"):
        run("integration", "root")
    assert not ApiToken.objects.filter(user__username="root").exists()


def test_only_admins_see_every_token(actors: Actors) -> None:
    api_as(actors.operator)
    dispatcher = api_as(actors.dispatcher)
    assert [t["user"] for t in dispatcher.get("/tokens/").json()] == ["dispatcher"]
    everyone = {t["user"] for t in api_as(actors.admin).get("/tokens/").json()}
    assert everyone == {"operator", "dispatcher", "admin"}
    assert ApiToken.objects.count() == 3


def test_bad_token_requests_are_field_errors(actors: Actors) -> None:
    admin = api_as(actors.admin)
    response = admin.post("/tokens/", {"name": "", "user": "ghost"})
    assert response.status_code == 400
    assert "name" in response.json()["fields"]
    response = admin.post("/tokens/", {"name": "x", "user": "ghost"})
    assert (response.status_code, list(response.json()["fields"])) == (400, ["user"])


def test_the_migration_revokes_tokens_the_rule_forbids(actors: Actors) -> None:
    migration = importlib.import_module("minyi.api.migrations.0002_integration_accounts")
    root = User.objects.create_superuser("root", "root@example.cn", "root-pass-123")

    def token(user: User, creator: User | None, prefix: str) -> ApiToken:
        return ApiToken.objects.create(
            name=prefix, user=user, prefix=prefix, key_hash=prefix * 8, created_by=creator
        )

    forbidden = [token(actors.dispatcher, actors.admin, "minted01"), token(root, None, "rootkey1")]
    sync = integration(actors, "org-sync", Role.MEMBER)
    kept = [
        token(actors.dispatcher, actors.dispatcher, "ownkey01"),
        token(actors.operator, None, "cmdline1"),
        token(sync, actors.admin, "integr01"),
    ]
    migration.revoke_forbidden_tokens(apps, None)  # today's registry stands in for the historical one
    assert all(ApiToken.objects.get(pk=t.pk).revoked_at is not None for t in forbidden)
    assert all(ApiToken.objects.get(pk=t.pk).revoked_at is None for t in kept)
    rows = AuditEvent.objects.filter(action="api.token_revoked").order_by("object_id")
    assert [(r.detail["owner"], r.detail["creator"]) for r in rows] == [
        ("dispatcher", "admin"),
        ("root", "manage.py"),
    ]
