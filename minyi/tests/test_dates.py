"""Local dates and times: read in the project's time zone, written as ISO text."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone, translation

from minyi import dates

# 2026-02-28 16:30 UTC is 2026-03-01 00:30 in the project's time zone (Asia/Shanghai, UTC+8).
JUST_AFTER_MIDNIGHT = dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.UTC)


def test_a_moment_is_dated_in_the_projects_time_zone_whatever_zone_is_active() -> None:
    assert dates.local_day(JUST_AFTER_MIDNIGHT) == dt.date(2026, 3, 1)
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert dates.local_day(JUST_AFTER_MIDNIGHT) == dt.date(2026, 3, 1)
        assert dates.day_text(JUST_AFTER_MIDNIGHT) == "2026-03-01"
        assert dates.minute_text(JUST_AFTER_MIDNIGHT) == "2026-03-01 00:30"


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        dates.local_day(dt.datetime(2026, 3, 1, 0, 30))  # noqa: DTZ001  (the naive datetime is the point)


def test_local_days_are_the_half_open_span_between_local_midnights() -> None:
    start, end = dates.day_bounds(dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    assert (start, end) == (
        dt.datetime(2026, 2, 28, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 16, tzinfo=dt.UTC),
    )
    assert dates.day_start(dt.date(2026, 3, 1)) == start
    assert start <= JUST_AFTER_MIDNIGHT < end


def test_text_of_dates_moments_and_nothing() -> None:
    assert dates.day_text(dt.date(2026, 3, 1)) == "2026-03-01"
    assert (dates.day_text(None), dates.day_text(None, "—"), dates.minute_text(None, "-")) == ("", "—", "-")


def test_a_bulletin_writes_a_date_as_a_document_does() -> None:
    with translation.override("zh-hans"):
        assert dates.written_day(dt.date(2026, 3, 1)) == "2026年3月1日"
    with translation.override("en"):
        assert dates.written_day(dt.date(2026, 3, 1)) == "2026-03-01"
