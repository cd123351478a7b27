"""Background jobs of supervision (discovered by minyi.worker at start-up): the SLA sweep (hourly) and
the weekly briefing (Monday morning); settings.MINYI_SCHEDULE says when.

The briefing acts only when the slot's date is the briefing's weekday, so a job retried later in the
week still belongs to its day, and one queued before the weekday was changed does nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from minyi.supervision.rules import send_weekly_briefing, sweep
from minyi.worker.rules import PermanentFailure, handler
from minyi.worker.schedule import periodic, schedule_of

SWEEP_JOB = "supervision.sweep"
BRIEFING_JOB = "supervision.briefing"


@handler(SWEEP_JOB)
def run_sweep(payload: dict[str, Any]) -> None:
    """Issue and escalate the notices that are due (idempotent, so a repeated job changes nothing)."""
    sweep()


@handler(BRIEFING_JOB)
def run_briefing(payload: dict[str, Any]) -> None:
    """On a slot of the briefing's weekday, tell the district's leaders and dispatchers what it names."""
    try:
        day = dt.date.fromisoformat(str(payload.get("slot", "")))
    except ValueError as error:
        raise PermanentFailure(f"payload slot is not a date: {payload!r}") from error
    if day.weekday() == schedule_of(BRIEFING_JOB).weekday:
        send_weekly_briefing(day)


periodic(SWEEP_JOB)
periodic(BRIEFING_JOB)
