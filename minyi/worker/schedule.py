"""Periodic jobs (the daily digest, SLA sweeps): each worker offers the current slot's job to the
outbox, and the outbox's dedupe key makes sure that, however many workers run, each slot runs once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from minyi.worker.rules import enqueue


@dataclass(frozen=True)
class Periodic:
    kind: str
    every: timedelta | None = None  # run once per interval …
    daily_at: time | None = None  # … or once a day from this local time on


_periodic: dict[str, Periodic] = {}
_offered: dict[str, str] = {}  # kind → last slot this process offered (saves repeated inserts)


def periodic(kind: str, *, every: timedelta | None = None, daily_at: time | None = None) -> None:
    """Run the registered job ``kind`` once per ``every`` or once a day at ``daily_at`` (local time)."""
    if (every is None) == (daily_at is None):
        raise ValueError("give exactly one of every= and daily_at=")
    _periodic[kind] = Periodic(kind, every, daily_at)


def slot(job: Periodic, now: datetime) -> str | None:
    """The name of the period ``now`` falls in, or None before today's run time."""
    if job.every is not None:
        return str(int(now.timestamp() // job.every.total_seconds()))
    assert job.daily_at is not None
    local = timezone.localtime(now)
    return local.date().isoformat() if local.time() >= job.daily_at else None


def offer_due(now: datetime | None = None) -> int:
    """Queue every periodic job whose slot has begun and was not queued yet; return how many were new."""
    now = now or timezone.now()
    queued = 0
    for job in _periodic.values():
        name = slot(job, now)
        if name is None or _offered.get(job.kind) == name:
            continue
        if enqueue(job.kind, {"slot": name}, dedupe_key=f"periodic:{job.kind}:{name}") is not None:
            queued += 1
        _offered[job.kind] = name
    return queued
