"""Background jobs of the KPIs (discovered by minyi.worker at start-up): recount the days marked stale
by writes every minute, so ranking pages rarely find work to do (they still recount before reading, so
their figures are exact either way)."""

from __future__ import annotations

from typing import Any

from minyi.kpi.summary import refresh
from minyi.worker.rules import handler
from minyi.worker.schedule import periodic

REFRESH_JOB = "kpi.refresh"


@handler(REFRESH_JOB)
def run_refresh(payload: dict[str, Any]) -> None:
    refresh()


periodic(REFRESH_JOB)
