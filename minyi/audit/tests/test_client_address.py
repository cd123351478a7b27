"""The client address (rate limits, login delays, the audit trail): X-Forwarded-For counts only when
the request comes from a configured proxy (settings.TRUSTED_PROXIES), read from the right."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from minyi.appeals import rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal
from minyi.audit.middleware import client_ip
from minyi.audit.models import AuditEvent
from minyi.env import EnvError, env_networks
from minyi.testing import Actors

URL = "/api/v1/appeals/"
PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings: Any) -> Iterator[None]:
    settings.MINYI_RATE_LIMITS = {**settings.MINYI_RATE_LIMITS, "appeal_submit": (2, 600)}
    cache.clear()
    yield
    cache.clear()


def submit(client: Client, forwarded_for: str) -> Any:
    data = {
        "kind": "complaint",
        "title": "东村路灯坏了",
        "body": "东村三组村口的路灯坏了三个月。",
        "village": "T1V1",
    }
    return client.post(
        URL,
        json.dumps(data),
        content_type="application/json",
        headers={"accept-language": "en", "X-Forwarded-For": forwarded_for},
    )


def submission_addresses() -> list[str | None]:
    return list(
        AuditEvent.objects.filter(action="appeals.received").order_by("id").values_list("ip", flat=True)
    )


@pytest.mark.django_db
def test_rotating_x_forwarded_for_from_an_untrusted_client_neither_resets_the_limit_nor_forges_the_audit(
    actors: Actors, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = PROXIES  # proxies exist, but this client is not one of them
    client = Client(REMOTE_ADDR="198.51.100.9")
    assert submit(client, "1.1.1.1").status_code == 201
    assert submit(client, "2.2.2.2, 3.3.3.3").status_code == 201
    response = submit(client, "4.4.4.4")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert Appeal.objects.count() == 2
    assert submission_addresses() == ["198.51.100.9", "198.51.100.9"]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_first_untrusted_hop_from_the_right_is_the_client(
    actors: Actors, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = PROXIES
    balancer = Client(REMOTE_ADDR="10.0.0.2")  # the load balancer, behind a second proxy 10.0.0.1
    # The citizen's own header (left of what the proxies appended) changes nothing.
    assert submit(balancer, "6.6.6.6, 203.0.113.7, 10.0.0.1").status_code == 201
    assert submit(balancer, "7.7.7.7, 203.0.113.7, 10.0.0.1").status_code == 201
    assert submit(balancer, "203.0.113.7, 10.0.0.1").status_code == 429
    # Another citizen behind the same proxies has a limit of their own.
    assert submit(balancer, "203.0.113.8, 10.0.0.1").status_code == 201
    assert submission_addresses() == ["203.0.113.7", "203.0.113.7", "203.0.113.8"]


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_reset_the_limit_on_wrong_query_codes(
    actors: Actors, settings: Any
) -> None:
    settings.MINYI_RATE_LIMITS = {**settings.MINYI_RATE_LIMITS, "appeal_query_wrong": (5, 900)}
    submission = rules.submit(
        channel=Channel.MAILBOX,
        kind=Kind.COMPLAINT,
        title="路灯坏了",
        body="东村路灯坏了。",
        village=actors.village,
    )
    appeal, code = submission.appeal, submission.query_code
    client = Client(REMOTE_ADDR="198.51.100.9")
    for hop in range(5):
        response = client.post(
            "/appeal/track/",
            {"number": appeal.number, "code": "WRONG234"},
            headers={"X-Forwarded-For": f"1.1.1.{hop}"},
        )
        assert response.status_code == 400
    response = client.post(
        "/appeal/track/", {"number": appeal.number, "code": code}, headers={"X-Forwarded-For": "9.9.9.9"}
    )
    assert response.status_code == 429  # even the right code waits: the guesser was not reset


@pytest.mark.django_db
def test_without_trusted_proxies_x_forwarded_for_is_ignored(actors: Actors, settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    client = Client(REMOTE_ADDR="10.0.0.2")
    assert submit(client, "203.0.113.7").status_code == 201
    assert submission_addresses() == ["10.0.0.2"]


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # not from a proxy: the header is the client's own
        ("10.0.0.2", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.2", "203.0.113.7,10.0.0.1", "203.0.113.7"),
        ("10.0.0.2", "not-an-ip, 10.0.0.1", "10.0.0.1"),  # garbage left of the proxies: the last proxy
        ("10.0.0.2", "", "10.0.0.2"),  # a proxy talking for itself (health checks)
        ("10.0.0.2", "10.0.0.3", "10.0.0.3"),
        ("fd00::2", "2001:db8::7", "2001:db8::7"),
        ("::ffff:10.0.0.2", "::ffff:203.0.113.7", "203.0.113.7"),  # dual-stack sockets
        ("", "203.0.113.7", None),
    ],
)
def test_client_address(settings: Any, remote: str, forwarded: str, client: str | None) -> None:
    settings.TRUSTED_PROXIES = PROXIES
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == client


def test_trusted_proxies_are_parsed_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_PROXIES", "10.0.0.5, 172.16.0.0/12,fd00::/8")
    assert [str(net) for net in env_networks("X_PROXIES")] == ["10.0.0.5/32", "172.16.0.0/12", "fd00::/8"]
    monkeypatch.delenv("X_PROXIES")
    assert env_networks("X_PROXIES") == []
    for bad in ["10.0.0.5/24", "proxy.local", "10.0.0.300", "10.0.0.5,,10.0.0.6"]:
        monkeypatch.setenv("X_PROXIES", bad)
        with pytest.raises(EnvError, match="X_PROXIES"):
            env_networks("X_PROXIES")
