"""Background jobs of supervision (discovered by minyi.worker at start-up): the hourly SLA sweep and
the weekly briefing on Monday morning.

The schedule knows "every" and "daily at"; the briefing runs daily at 08:30 and acts only when the
slot's date is a Monday, so a job retried later in the week still belongs to its Monday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from minyi.supervision.rules import send_weekly_briefing, sweep
from minyi.worker.rules import PermanentFailure, handler
from minyi.worker.schedule import periodic

SWEEP_JOB = "supervision.sweep"
BRIEFING_JOB = "supervision.briefing"
BRIEFING_WEEKDAY = 0  # Monday
BRIEFING_AT = dt.time(8, 30)


@handler(SWEEP_JOB)
def run_sweep(payload: dict[str, Any]) -> None:
    """Issue and escalate the notices that are due (idempotent, so a repeated job changes nothing)."""
    sweep()


@handler(BRIEFING_JOB)
def run_briefing(payload: dict[str, Any]) -> None:
    """On a Monday slot, tell the district's leaders and dispatchers what the briefing names."""
    try:
        day = dt.date.fromisoformat(str(payload.get("slot", "")))
    except ValueError as error:
        raise PermanentFailure(f"payload slot is not a date: {payload!r}") from error
    if day.weekday() == BRIEFING_WEEKDAY:
        send_weekly_briefing(day)


periodic(SWEEP_JOB, every=dt.timedelta(hours=1))
periodic(BRIEFING_JOB, daily_at=BRIEFING_AT)
