"""What monitoring reads, through HTTP: /healthz, /readyz (database, cache, migrations, the workers'
heartbeats, the outbox), /metrics (who may read it, the minyi_ series), and the request id that follows
a request into the outbox job it creates and the worker's log lines about it."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from minyi.api.tests.helpers import api_as
from minyi.appeals.choices import Channel
from minyi.appeals.tests.factories import dispatched, new_appeal
from minyi.logs import JsonFormatter, RequestIdFilter
from minyi.testing import Actors
from minyi.worker.choices import JobState
from minyi.worker.models import Heartbeat, Job
from minyi.worker.notify import SMS
from minyi.worker.rules import work

pytestmark = pytest.mark.django_db


def test_healthz_is_liveness_only(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_wants_a_worker_heartbeat_within_two_minutes(client: Client, settings: Any) -> None:
    settings.MINYI_SMS_FILE = "/dev/null"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] and body["cache"]["ok"]
    assert body["migrations"] == {"ok": True, "unapplied": 0}
    assert body["worker"]["ok"] is False and body["worker"]["alive"] == 0
    assert body["outbox"]["ok"] is True

    work("readyz-test", once=True)  # the worker's loop writes its heartbeat, and its stop
    assert client.get("/readyz").status_code == 503  # a worker that stopped is no worker
    Heartbeat.objects.update(stopped_at=None)
    body = client.get("/readyz").json()
    assert body["status"] == "ok" and body["worker"]["alive"] == 1
    assert body["worker"]["last_seen_seconds"] < 60

    Heartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=3))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["worker"]["ok"] is False

    # IT staff see the heartbeats in the admin, read-only.
    client.force_login(User.objects.create_superuser("it", "it@example.cn", "x"))
    assert "readyz-test" in client.get("/admin/worker/heartbeat/").content.decode()
    assert client.get("/admin/worker/heartbeat/add/").status_code == 403


def test_readyz_fails_when_the_outbox_backs_up(client: Client, settings: Any) -> None:
    now = timezone.now()
    Heartbeat.objects.create(worker_id="w1", started_at=now, seen_at=now)
    Job.objects.create(kind=SMS, payload={}, run_after=now - timedelta(minutes=5))
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["outbox"]["backlog"] == 1 and 290 < body["outbox"]["oldest_pending_seconds"] < 400
    Job.objects.create(kind=SMS, payload={}, run_after=now - timedelta(minutes=20))
    Job.objects.create(kind=SMS, payload={}, run_after=now + timedelta(minutes=20))  # not due yet
    response = client.get("/readyz")
    assert response.status_code == 503
    outbox = response.json()["outbox"]
    assert outbox["ok"] is False and outbox["backlog"] == 2 and outbox["oldest_pending_seconds"] >= 1200
    assert outbox["max_age_seconds"] == 900


def _series(text: str, name: str) -> dict[str, float]:
    """{labels: value} of one series in Prometheus text."""
    found = {}
    for match in re.finditer(rf"^{name}(\{{[^}}]*\}})? ([0-9.e+-]+)$", text, re.MULTILINE):
        found[match.group(1) or ""] = float(match.group(2))
    return found


def test_metrics_hold_the_minyi_series(client: Client, actors: Actors) -> None:
    new_appeal(actors)
    new_appeal(actors, channel=Channel.HOTLINE)
    late = dispatched(actors)
    type(late).objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=2))
    now = timezone.now()
    Job.objects.create(kind="test.other", payload={}, state=JobState.DEAD)
    Heartbeat.objects.create(worker_id="w1", started_at=now, seen_at=now)
    response = client.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert _series(text, "minyi_appeals_received_today") == {
        '{channel="hotline"}': 1.0,
        '{channel="mailbox"}': 2.0,
    }
    assert _series(text, "minyi_appeals_overdue") == {"": 1.0}
    assert _series(text, "minyi_outbox_pending")['{kind="notify.sms"}'] >= 1  # the citizen's SMS
    assert _series(text, "minyi_outbox_dead") == {'{kind="test.other"}': 1.0}
    assert _series(text, "minyi_workers_alive") == {"": 1.0}
    assert '{worker="w1"}' in _series(text, "minyi_worker_heartbeat_age_seconds")
    assert "minyi_outbox_oldest_pending_seconds" in text
    assert "django_http_requests_total_by_method_total" in text  # django-prometheus's own
    for personal in ("13900001111", "王大海", "路灯"):
        assert personal not in text


def test_metrics_are_open_from_this_machine_and_to_the_token_only(client: Client, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    outside: dict[str, Any] = {"REMOTE_ADDR": "203.0.113.7"}
    refused = client.get("/metrics", **outside)
    assert refused.status_code == 403 and b"token" in refused.content
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **outside).status_code == 403
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token", **outside).status_code == 200
    )
    # Relayed by a trusted proxy on this machine, the client is the one it names, not the proxy.
    settings.TRUSTED_PROXIES = [__import__("ipaddress").ip_network("127.0.0.1/32")]
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 403
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200
    # Without a configured token, no bearer opens it.
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", **outside).status_code == 403


def test_metrics_refusal_reads_in_chinese(client: Client, settings: Any) -> None:
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 403 and "令牌" in refused.content.decode()


def test_each_response_names_its_request_and_only_a_trusted_proxy_may_choose_it(
    client: Client, settings: Any
) -> None:
    own = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", own)
    assert client.get("/healthz")["X-Request-ID"] != own
    assert client.get("/healthz", HTTP_X_REQUEST_ID="chosen-by-client")["X-Request-ID"] != "chosen-by-client"
    settings.TRUSTED_PROXIES = [__import__("ipaddress").ip_network("127.0.0.1/32")]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234")["X-Request-ID"] == "lb-1234"
    bad = client.get("/healthz", HTTP_X_REQUEST_ID="x" * 65 + "\n")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", bad)


def test_the_request_id_follows_the_dispatch_into_its_sms_and_the_workers_log(
    actors: Actors, settings: Any, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.MINYI_SMS_FILE = str(tmp_path / "sms.jsonl")
    appeal = new_appeal(actors)
    dispatcher = api_as(actors.dispatcher)
    version = dispatcher.get(f"/appeals/{appeal.number}/").json()["version"]
    response = dispatcher.act(appeal.number, "dispatch", {"lead": "EDU", "version": version})
    assert response.status_code == 200, response.content
    request_id = response["X-Request-ID"]
    jobs = Job.objects.filter(request_id=request_id)
    assert jobs.filter(kind=SMS).exists()  # the citizen's SMS about the dispatch
    caplog.handler.addFilter(RequestIdFilter())  # as the console handler of LOGGING has it
    with caplog.at_level(logging.INFO, logger="minyi.worker"):
        work("log-test", once=True)
    ours = [r for r in caplog.records if getattr(r, "request_id", "") == request_id]
    assert ours, [(r.getMessage(), getattr(r, "request_id", None)) for r in caplog.records]
    for record in caplog.records:
        entry = json.loads(JsonFormatter().format(record))
        assert set(entry) >= {"time", "level", "logger", "message", "request_id"}
        for personal in ("13900001111", "王大海", "路灯"):
            assert personal not in entry["message"]
    assert (tmp_path / "sms.jsonl").read_text(encoding="utf-8").count(appeal.number) >= 1
