"""Background jobs of assistance (discovered by minyi.worker at start-up): every morning the
coordinating unit is told how many open cases have had nothing delivered for too long."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import ngettext

from minyi.assistance.access import DELIVERING_ROLES, coordination
from minyi.assistance.rules import stale_cases
from minyi.org.notices import staff_of, tell
from minyi.worker.rules import handler
from minyi.worker.schedule import periodic

STALE_JOB = "assistance.stale"


@handler(STALE_JOB)
def warn_stale_cases(payload: dict[str, Any]) -> None:
    """Leave the coordinating unit's staff one notice naming how many cases are stale (none: no notice)."""
    config = coordination()
    if config is None:
        return
    count = stale_cases(config=config).count()
    if not count:
        return
    text = ngettext(
        "%(n)d open assistance case has had nothing delivered for %(days)d days.",
        "%(n)d open assistance cases have had nothing delivered for %(days)d days.",
        count,
    ) % {"n": count, "days": config.stale_days}
    tell(staff_of([config.unit], DELIVERING_ROLES), text, link=reverse("assistance:desk"))


periodic(STALE_JOB)
