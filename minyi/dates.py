"""Local dates and times, in one place.

Moments are stored aware (UTC) and read in the project's time zone, settings.TIME_ZONE, whatever zone
a request may have activated: a deadline, a received date or a KPI day is the same for every reader.
Dates are written as ISO text (2026-03-01, 2026-03-01 14:05), which sorts and reads alike in both
languages; a bulletin writes them as documents do (``written_day``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import get_language


def local(moment: dt.datetime) -> dt.datetime:
    """An aware ``moment`` in the project's time zone (a naive datetime is refused: its zone is unknown)."""
    if timezone.is_naive(moment):
        raise ValueError(f"local time needs an aware datetime, not the naive {moment.isoformat()}")
    return timezone.localtime(moment, timezone.get_default_timezone())


def local_day(moment: dt.datetime) -> dt.date:
    """The date of an aware ``moment`` in the project's time zone."""
    return local(moment).date()


def local_today() -> dt.date:
    """Today in the project's time zone."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def day_start(day: dt.date) -> dt.datetime:
    """The aware moment ``day`` begins in the project's time zone (its local midnight)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware moments [start, end) of the local days ``first`` to ``last``, both included."""
    return day_start(first), day_start(last + dt.timedelta(days=1))


def day_text(value: dt.date | dt.datetime | None, empty: str = "") -> str:
    """YYYY-MM-DD: a date as it is, an aware moment as its local date; ``empty`` for None."""
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        value = local_day(value)
    return value.isoformat()


def minute_text(moment: dt.datetime | None, empty: str = "") -> str:
    """YYYY-MM-DD HH:MM of an aware moment in the project's time zone; ``empty`` for None."""
    return empty if moment is None else f"{local(moment):%Y-%m-%d %H:%M}"


def written_day(value: dt.date) -> str:
    """A date as a Chinese document writes it (2026年3月1日), or ISO in English."""
    if (get_language() or "").startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()
