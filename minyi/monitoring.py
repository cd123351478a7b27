"""What a city's monitoring reads (docs/deploy.md, "Monitoring"): readiness (``/readyz``) and Minyi's own
Prometheus series (``/metrics``), beside django-prometheus's request and database series.

Readiness is a list of checks, each ``{"ok": bool, …figures}``; the process is ready when every one is
ok. Figures are counts and ages only, never a record's content.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Min
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from minyi.appeals.models import Appeal
from minyi.appeals.rules import due_filter
from minyi.audit.middleware import client_ip
from minyi.dates import day_start, local_day
from minyi.worker.choices import DUE_STATES, JobState
from minyi.worker.models import Heartbeat, Job

#: A worker seen longer ago than this counts as gone (it beats every 15 seconds).
WORKER_SILENCE = timedelta(minutes=2)
_CACHE_KEY = "minyi:readyz"


def readiness(now: datetime | None = None) -> tuple[bool, dict[str, dict[str, Any]]]:
    """(ready, checks): database, cache, migrations, worker, outbox."""
    now = now or timezone.now()
    checks: dict[str, dict[str, Any]] = {"database": _database()}
    checks["cache"] = _cache()
    if checks["database"]["ok"]:
        checks["migrations"] = _migrations()
        checks["worker"] = _worker(now)
        checks["outbox"] = _outbox(now)
    else:  # nothing more can be read; say so rather than raise
        for name in ("migrations", "worker", "outbox"):
            checks[name] = {"ok": False, "error": "database unavailable"}
    return all(check["ok"] for check in checks.values()), checks


def _database() -> dict[str, Any]:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "vendor": connections[DEFAULT_DB_ALIAS].vendor}


def _cache() -> dict[str, Any]:
    try:
        value = timezone.now().isoformat()
        cache.set(_CACHE_KEY, value, 30)
        ok = cache.get(_CACHE_KEY) == value
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _migrations() -> dict[str, Any]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"ok": not unapplied, "unapplied": len(unapplied)}


def _worker(now: datetime) -> dict[str, Any]:
    alive = Heartbeat.objects.filter(stopped_at__isnull=True, seen_at__gte=now - WORKER_SILENCE)
    last = Heartbeat.objects.filter(stopped_at__isnull=True).order_by("-seen_at").first()
    return {
        "ok": alive.exists(),
        "alive": alive.count(),
        "last_seen_seconds": None if last is None else round((now - last.seen_at).total_seconds(), 1),
        "within_seconds": int(WORKER_SILENCE.total_seconds()),
    }


def _outbox(now: datetime) -> dict[str, Any]:
    due = Job.objects.filter(state__in=DUE_STATES, run_after__lte=now)
    figures = due.aggregate(backlog=Count("id"), oldest=Min("run_after"))
    age = 0.0 if figures["oldest"] is None else (now - figures["oldest"]).total_seconds()
    limit = settings.MINYI_OUTBOX_MAX_AGE.total_seconds()
    return {
        "ok": age <= limit,
        "backlog": figures["backlog"],
        "oldest_pending_seconds": round(age, 1),
        "max_age_seconds": int(limit),
        "dead": Job.objects.filter(state=JobState.DEAD).count(),
    }


# --- /metrics --------------------------------------------------------------------------------


def may_read_metrics(request: HttpRequest) -> bool:
    """From the machine itself (the client address as every rate limit reads it, so a request relayed
    by a trusted proxy counts as its real client's), or with ``Authorization: Bearer METRICS_TOKEN``."""
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip(), token):
        return True
    address = client_ip(request)
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class MinyiCollector(Collector):
    """The ``minyi_`` series, read from the database at each scrape (a few indexed counts)."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        pending = GaugeMetricFamily(
            "minyi_outbox_pending", "Outbox jobs waiting to run (pending or failed, to retry), by kind",
            labels=["kind"],
        )  # fmt: skip
        dead = GaugeMetricFamily("minyi_outbox_dead", "Outbox jobs that gave up, by kind", labels=["kind"])
        rows = (
            Job.objects.filter(state__in=[*DUE_STATES, JobState.DEAD])
            .values("kind", "state")
            .annotate(n=Count("id"))
            .order_by("kind", "state")
        )
        waiting: dict[str, int] = {}
        for row in rows:
            if row["state"] == JobState.DEAD:
                dead.add_metric([row["kind"]], row["n"])
            else:
                waiting[row["kind"]] = waiting.get(row["kind"], 0) + row["n"]
        for kind, n in sorted(waiting.items()):
            pending.add_metric([kind], n)
        yield pending
        yield dead
        oldest = Job.objects.filter(state__in=DUE_STATES, run_after__lte=now).aggregate(m=Min("run_after"))[
            "m"
        ]
        yield GaugeMetricFamily(
            "minyi_outbox_oldest_pending_seconds",
            "Age of the oldest outbox job that is due and not yet run (0 when none)",
            value=0.0 if oldest is None else (now - oldest).total_seconds(),
        )
        received = GaugeMetricFamily(
            "minyi_appeals_received_today", "Appeals received since local midnight, by channel",
            labels=["channel"],
        )  # fmt: skip
        today = (
            Appeal.objects.filter(received_at__gte=day_start(local_day(now)))
            .values("channel")
            .annotate(n=Count("id"))
            .order_by("channel")
        )
        for row in today:
            received.add_metric([row["channel"] or "unknown"], row["n"])
        yield received
        yield GaugeMetricFamily(
            "minyi_appeals_overdue",
            "Appeals being handled whose deadline has passed (running overdue)",
            value=Appeal.objects.filter(due_filter("overdue", now)).count(),
        )
        ages = GaugeMetricFamily(
            "minyi_worker_heartbeat_age_seconds",
            "Seconds since each running worker's last heartbeat",
            labels=["worker"],
        )
        alive = 0
        for beat in Heartbeat.objects.filter(stopped_at__isnull=True, seen_at__gte=now - timedelta(days=1)):
            age = (now - beat.seen_at).total_seconds()
            ages.add_metric([beat.worker_id], age)
            alive += age <= WORKER_SILENCE.total_seconds()
        yield ages
        yield GaugeMetricFamily(
            "minyi_workers_alive", "Workers whose heartbeat is within two minutes", value=alive
        )
