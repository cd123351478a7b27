"""Staff login: clear messages, lockout after repeated failures, audited."""

from __future__ import annotations

import pytest
from django.test import Client

from minyi.audit.models import AuditEvent
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str) -> str:
    return client.post("/accounts/login/", {"username": username, "password": password}).content.decode()


def test_wrong_password_says_so_and_counts_down(client: Client, actors: Actors) -> None:
    page = _login(client, "dispatcher", "wrong")
    assert "用户名或密码错误" in page
    assert "还可尝试 4 次" in page
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 1


def test_five_failures_lock_the_account_even_with_the_right_password(client: Client, actors: Actors) -> None:
    for _ in range(5):
        page = _login(client, "dispatcher", "wrong")
    assert "已被锁定" in page
    page = _login(client, "dispatcher", PASSWORD)
    assert "已被锁定" in page
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_locked").exists()


def test_success_clears_failures_and_lands_on_home(client: Client, actors: Actors) -> None:
    _login(client, "dispatcher", "wrong")
    response = client.post("/accounts/login/", {"username": "dispatcher", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "还可尝试 4 次" in _login(Client(), "dispatcher", "wrong")  # the count started over
    assert AuditEvent.objects.filter(action="auth.login", actor=actors.dispatcher).exists()


def test_pages_need_login(client: Client, actors: Actors) -> None:
    response = client.get("/org/units/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
