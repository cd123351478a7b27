"""Staff login through HTTP: clear messages, a rising delay per user name and client address (never a
lock anyone can cause), one guard for the staff login and the admin site, audited."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import aauthenticate, authenticate
from django.core.cache import cache
from django.db import connection
from django.test import Client

from minyi.audit.models import AuditEvent
from minyi.org import throttle
from minyi.org.models import LoginThrottle, UnlockCode
from minyi.testing import PASSWORD, Actors
from minyi.worker.models import Job

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
OFFICE = "203.0.113.10"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00:00 in Asia/Shanghai


class Clock:
    """The login delay's clock, moved by the test instead of sleeping."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()  # the unlock pages' rate limit lives in the cache, which outlives a test
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(throttle, "now", moved)
    return moved


def login(client: Client, username: str, password: str, *, url: str = "/accounts/login/") -> Any:
    return client.post(url, {"username": username, "password": password})


def page_of(response: Any) -> str:
    return str(response.content.decode())


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_password_says_so_and_counts_down(actors: Actors) -> None:
    page = page_of(login(Client(REMOTE_ADDR=OFFICE), "dispatcher", "wrong"))
    assert "用户名或密码错误" in page
    assert "还可尝试 2 次" in page
    assert AuditEvent.objects.filter(action="auth.login_failed", ip=OFFICE).count() == 1


def test_after_three_failures_the_next_try_waits_and_the_message_says_until_when(
    actors: Actors, clock: Clock
) -> None:
    client = Client(REMOTE_ADDR=OFFICE)
    for _ in range(2):
        login(client, "dispatcher", "wrong")
    page = page_of(login(client, "dispatcher", "wrong"))
    assert "请于 09:00:08（8 秒后）再试" in page  # 2^3 seconds after the third failure
    # Even the right password waits, and the refused try is not counted as one more failure.
    clock.advance(seconds=5)
    page = page_of(login(client, "dispatcher", PASSWORD))
    assert "该用户名从您的地址登录失败次数过多" in page and "请于 09:00:08（3 秒后）再试" in page
    assert not logged_in(client)
    assert LoginThrottle.objects.get(username="dispatcher").failures == 3
    assert AuditEvent.objects.filter(action="auth.login_delayed", ip=OFFICE).count() == 1
    clock.advance(seconds=3)
    response = login(client, "dispatcher", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert not LoginThrottle.objects.exists()  # the right password forgets this address's failures
    assert AuditEvent.objects.filter(action="auth.login", actor=actors.dispatcher).exists()


def test_the_delay_doubles_with_each_failure_up_to_the_cap(
    actors: Actors, clock: Clock, settings: Any
) -> None:
    settings.LOGIN_DELAY_MAX = timedelta(minutes=15)
    client = Client(REMOTE_ADDR=ATTACKER)
    waits = []
    for _ in range(12):
        login(client, "dispatcher", "wrong")
        row = LoginThrottle.objects.get(username="dispatcher", address=ATTACKER)
        waits.append(int((row.retry_at - clock()).total_seconds()) if row.retry_at else 0)
        clock.at = row.retry_at or clock.at
    assert waits == [0, 0, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    assert "（15 分钟后）" in page_of(login(client, "dispatcher", "wrong"))


def test_an_attackers_failures_never_slow_the_right_password_from_another_address(actors: Actors) -> None:
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(10):
        login(attacker, "dispatcher", "wrong")
    assert "再试" in page_of(login(attacker, "dispatcher", PASSWORD))
    assert not logged_in(attacker)
    owner = Client(REMOTE_ADDR=OFFICE)
    assert login(owner, "dispatcher", PASSWORD).status_code == 302
    assert logged_in(owner)
    # The attacker still waits: the owner's login forgot only the owner's address.
    assert "再试" in page_of(login(attacker, "dispatcher", PASSWORD))


def test_the_admin_site_login_shares_the_same_delay(actors: Actors, clock: Clock) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(2):
        login(client, "admin", "wrong", url="/admin/login/")
    page = page_of(login(client, "admin", "wrong"))  # the third failure, on the staff login page
    assert "请于 09:00:08" in page
    page = page_of(login(client, "admin", PASSWORD, url="/admin/login/"))
    assert "该用户名从您的地址登录失败次数过多" in page and "请于 09:00:08" in page
    assert not logged_in(client)
    assert AuditEvent.objects.filter(action="auth.login_failed", ip=ATTACKER).count() == 3
    clock.advance(seconds=8)
    response = login(client, "admin", PASSWORD, url="/admin/login/")
    assert response.status_code == 302 and logged_in(client)


def test_every_path_that_checks_a_password_shares_the_guard(actors: Actors) -> None:
    for _ in range(3):
        assert authenticate(None, username="leader", password="wrong") is None
    assert authenticate(None, username="leader", password=PASSWORD) is None
    assert async_to_sync(aauthenticate)(None, username="leader", password=PASSWORD) is None
    assert Client().login(username="leader", password=PASSWORD) is False


@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_are_each_counted(actors: Actors) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    barrier = threading.Barrier(2)  # below the delay's threshold: neither try may be refused

    def fail() -> None:
        try:
            barrier.wait(timeout=10)
            login(Client(REMOTE_ADDR=ATTACKER), "dispatcher", "wrong")
        finally:
            connection.close()

    threads = [threading.Thread(target=fail) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    row = LoginThrottle.objects.get(username="dispatcher", address=ATTACKER)
    assert row.failures == 2 and row.retry_at is None


def test_a_staff_login_of_a_non_staff_user_on_the_admin_site_is_not_a_wrong_password(actors: Actors) -> None:
    client = Client(REMOTE_ADDR=OFFICE)
    page = page_of(login(client, "dispatcher", PASSWORD, url="/admin/login/"))
    assert not logged_in(client)
    assert "还可尝试" not in page
    assert not LoginThrottle.objects.exists()


# --- unlocking ---------------------------------------------------------------------------------


DISPATCHER_PHONE = "13800002222"  # minyi/testing.py


def sms_codes(phone: str) -> list[str]:
    """The unlock codes sent by SMS to ``phone``, oldest first."""
    jobs = Job.objects.filter(kind="notify.sms", payload__phone=phone).order_by("id")
    return [re.findall(r"\b\d{6}\b", job.payload["text"])[0] for job in jobs]


def delay_dispatcher(*addresses: str) -> None:
    for address in addresses:
        client = Client(REMOTE_ADDR=address)
        for _ in range(4):
            login(client, "dispatcher", "wrong")
    assert LoginThrottle.objects.filter(username="dispatcher", retry_at__isnull=False).count() == len(
        addresses
    )


def ask_code(client: Client, username: str) -> Any:
    return client.post("/accounts/unlock/", {"username": username}, follow=True)


def enter_code(client: Client, username: str, code: str) -> Any:
    return client.post("/accounts/unlock/code/", {"username": username, "code": code})


def test_a_code_sent_to_the_phone_clears_every_delay_of_the_user_name(actors: Actors) -> None:
    delay_dispatcher(ATTACKER, OFFICE)
    client = Client(REMOTE_ADDR=OFFICE)
    page = page_of(ask_code(client, "dispatcher"))
    assert "如该账号存在且登记了手机号或邮箱，验证码已发出，15 分钟内有效。" in page
    [code] = sms_codes(DISPATCHER_PHONE)
    assert 'value="dispatcher"' in page  # the second step remembers the user name
    response = enter_code(client, "dispatcher", code)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not LoginThrottle.objects.filter(username="dispatcher").exists()
    unlocked = AuditEvent.objects.get(action="auth.login_unlocked")
    assert unlocked.detail["how"] == "code" and unlocked.detail["cleared"] == 2 and unlocked.ip == OFFICE
    assert login(client, "dispatcher", PASSWORD).status_code == 302
    # Single use: the same code does nothing the second time.
    delay_dispatcher(ATTACKER)
    response = enter_code(Client(), "dispatcher", code)
    assert response.status_code == 400 and "验证码错误或已过期" in page_of(response)
    assert LoginThrottle.objects.filter(username="dispatcher").exists()


def test_the_code_is_stored_only_as_a_keyed_hash(actors: Actors) -> None:
    ask_code(Client(), "dispatcher")
    [code] = sms_codes(DISPATCHER_PHONE)
    row = UnlockCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=15)


def test_an_unknown_user_name_gets_the_same_answer_and_nothing_is_sent(actors: Actors) -> None:
    known = ask_code(Client(), "dispatcher")
    unknown = ask_code(Client(), "no-such-user")
    no_phone = ask_code(Client(), "nobody")  # a login without a person record: nowhere to send
    assert known.status_code == unknown.status_code == no_phone.status_code == 200
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|value="[^"]*"')
    assert (
        strip.sub("", page_of(known)) == strip.sub("", page_of(unknown)) == strip.sub("", page_of(no_phone))
    )
    assert Job.objects.filter(kind="notify.sms").count() == 1
    assert enter_code(Client(), "no-such-user", "123456").status_code == 400


def test_a_code_expires(actors: Actors, clock: Clock) -> None:
    delay_dispatcher(ATTACKER)
    ask_code(Client(), "dispatcher")
    [code] = sms_codes(DISPATCHER_PHONE)
    clock.advance(minutes=15)
    response = enter_code(Client(), "dispatcher", code)
    assert response.status_code == 400 and "验证码错误或已过期" in page_of(response)
    assert LoginThrottle.objects.filter(username="dispatcher").exists()


def test_wrong_codes_spend_the_code_and_a_new_code_replaces_the_old(actors: Actors) -> None:
    delay_dispatcher(ATTACKER)
    client = Client()
    ask_code(client, "dispatcher")
    [first] = sms_codes(DISPATCHER_PHONE)
    ask_code(client, "dispatcher")
    _first, second = sms_codes(DISPATCHER_PHONE)
    if first != second:
        assert enter_code(client, "dispatcher", first).status_code == 400  # replaced by the second
    wrong = "000000" if second != "000000" else "111111"
    for _ in range(4 if first != second else 5):
        assert enter_code(client, "dispatcher", wrong).status_code == 400
    assert enter_code(client, "dispatcher", second).status_code == 400  # five wrong tries spent it
    assert LoginThrottle.objects.filter(username="dispatcher").exists()
    assert enter_code(client, "dispatcher", "12 34").status_code == 400  # not six digits
    assert "请输入 6 位数字验证码" in page_of(enter_code(client, "dispatcher", "abc"))


def test_codes_are_rate_limited_per_user_and_per_address(actors: Actors, settings: Any) -> None:
    for address in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]:
        ask_code(Client(REMOTE_ADDR=address), "dispatcher")
    assert len(sms_codes(DISPATCHER_PHONE)) == 3  # at most three codes an hour for one user
    settings.MINYI_RATE_LIMITS = {**settings.MINYI_RATE_LIMITS, "login_unlock": (2, 900)}
    cache.clear()
    client = Client(REMOTE_ADDR=ATTACKER)
    assert enter_code(client, "dispatcher", "000000").status_code == 400
    assert enter_code(client, "dispatcher", "000001").status_code == 400
    response = enter_code(client, "dispatcher", "000002")
    assert response.status_code == 429 and "您的地址请求过于频繁" in page_of(response)
    assert client.post("/accounts/unlock/", {"username": "dispatcher"}).status_code == 429


def test_an_admin_clears_the_delays_on_the_persons_page(actors: Actors) -> None:
    delay_dispatcher(ATTACKER)
    person = actors.dispatcher.person
    admin = Client(REMOTE_ADDR=OFFICE)
    admin.force_login(actors.admin)
    page = page_of(admin.get(f"/org/people/{person.pk}/"))
    assert "该用户名因 1 个地址的登录失败须等待" in page and "解除登录等待" in page
    handler = Client()
    handler.force_login(actors.head_edu)
    assert "解除登录等待" not in page_of(handler.get(f"/org/people/{person.pk}/"))
    assert handler.post(f"/org/people/{person.pk}/unlock-login/").status_code == 403
    assert LoginThrottle.objects.exists()
    response = admin.post(f"/org/people/{person.pk}/unlock-login/", follow=True)
    assert "赵交办 的登录等待已解除" in page_of(response)
    assert not LoginThrottle.objects.exists()
    event = AuditEvent.objects.get(action="auth.login_unlocked")
    assert event.actor == actors.admin and event.detail["how"] == "admin" and event.ip == OFFICE


def test_an_admin_clears_delays_from_the_admin_site(actors: Actors) -> None:
    delay_dispatcher(ATTACKER, OFFICE)
    admin = Client()
    admin.force_login(actors.admin)
    ids = list(LoginThrottle.objects.values_list("pk", flat=True))
    response = admin.post(
        "/admin/org/loginthrottle/", {"action": "clear_delays", "_selected_action": ids}, follow=True
    )
    assert response.status_code == 200
    assert not LoginThrottle.objects.exists()
    event = AuditEvent.objects.get(action="auth.login_unlocked")
    assert event.actor == actors.admin and event.detail == {
        "username": "dispatcher",
        "how": "admin",
        "cleared": 2,
        "via": "web",
    }


def test_a_nul_byte_in_a_user_name_is_refused_and_counts_nothing(actors: Actors) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    assert login(client, "dis\x00patcher", "wrong").status_code == 400  # minyi/inputs.py refuses it
    assert client.post("/accounts/unlock/", {"username": "dis\x00patcher"}).status_code == 400
    response = client.post("/accounts/unlock/code/", {"username": "dis\x00patcher", "code": "123456"})
    assert response.status_code == 400
    assert not LoginThrottle.objects.exists() and not UnlockCode.objects.exists()
