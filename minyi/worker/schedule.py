"""Periodic jobs (the daily digest, SLA sweeps, weekly briefings): each worker offers the current slot's
job to the outbox, and the outbox's dedupe key makes sure that, however many workers run, each slot runs
once.

When a job runs is a setting, ``MINYI_SCHEDULE`` (read from the environment, see settings.py): an interval,
a local time each day, or a day of the week and a local time. It is read when slots are offered, not when
a job registers at import: app code reads no setting at import time (tests override them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from minyi.dates import local
from minyi.env import Weekly
from minyi.worker.rules import enqueue


@dataclass(frozen=True)
class Periodic:
    """When a job runs: once per ``every``, or once a day from the local time ``daily_at`` (with
    ``weekday``, only on that day of the week; 0 is Monday)."""

    kind: str
    every: timedelta | None = None
    daily_at: time | None = None
    weekday: int | None = None


_kinds: list[str] = []  # the periodic jobs, in the order they registered
_offered: dict[str, str] = {}  # kind → last slot this process offered (saves repeated inserts)


def periodic(kind: str) -> None:
    """Run the registered job ``kind`` on its schedule, ``settings.MINYI_SCHEDULE[kind]``."""
    if kind not in _kinds:
        _kinds.append(kind)


def schedule_of(kind: str) -> Periodic:
    """The schedule of the periodic job ``kind`` as the settings give it."""
    when = settings.MINYI_SCHEDULE.get(kind)
    if when is None:
        raise ImproperlyConfigured(f"settings.MINYI_SCHEDULE has no entry for the periodic job {kind!r}")
    if isinstance(when, timedelta):
        return Periodic(kind, every=when)
    if isinstance(when, time):
        return Periodic(kind, daily_at=when)
    if isinstance(when, Weekly):
        return Periodic(kind, daily_at=when.at, weekday=when.weekday)
    raise ImproperlyConfigured(
        f"settings.MINYI_SCHEDULE[{kind!r}] is {when!r}, not an interval (timedelta), a time or a Weekly"
    )


def check_schedules(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check: every periodic job has a schedule in the settings (else the worker does not start)."""
    errors: list[checks.CheckMessage] = []
    for kind in _kinds:
        try:
            schedule_of(kind)
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="minyi.worker.E001"))
    return errors


def slot(job: Periodic, now: datetime) -> str | None:
    """The name of the period ``now`` falls in, or None before today's run time (or on another weekday)."""
    if job.every is not None:
        return str(int(now.timestamp() // job.every.total_seconds()))
    assert job.daily_at is not None
    moment = local(now)
    if job.weekday is not None and moment.weekday() != job.weekday:
        return None
    return moment.date().isoformat() if moment.time() >= job.daily_at else None


def offer_due(now: datetime | None = None) -> int:
    """Queue every periodic job whose slot has begun and was not queued yet; return how many were new."""
    now = now or timezone.now()
    queued = 0
    for kind in _kinds:
        name = slot(schedule_of(kind), now)
        if name is None or _offered.get(kind) == name:
            continue
        if enqueue(kind, {"slot": name}, dedupe_key=f"periodic:{kind}:{name}") is not None:
            queued += 1
        _offered[kind] = name
    return queued
