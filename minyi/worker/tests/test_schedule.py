"""Periodic jobs: when each runs comes from settings.MINYI_SCHEDULE, read when slots are offered."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from minyi.env import Weekly
from minyi.worker.models import Job
from minyi.worker.schedule import check_schedules, offer_due, schedule_of, slot

LOCAL = timezone.get_default_timezone()
MONDAY = datetime(2031, 3, 3, tzinfo=LOCAL)  # no other test offers slots in 2031


@pytest.mark.django_db
def test_every_periodic_job_runs_on_its_setting_and_each_slot_is_queued_once(settings: Any) -> None:
    assert offer_due(MONDAY.replace(hour=19)) == len(settings.MINYI_SCHEDULE)
    assert set(Job.objects.values_list("kind", flat=True)) == set(settings.MINYI_SCHEDULE)
    assert offer_due(MONDAY.replace(hour=19, minute=0, second=30)) == 0  # same slots, nothing new
    # On a Tuesday morning: not the weekly jobs, not the evening digest, every daily morning one.
    offer_due(MONDAY + timedelta(days=1, hours=9))
    tuesday = set(Job.objects.filter(payload__slot="2031-03-04").values_list("kind", flat=True))
    assert tuesday == {"assistance.stale", "reports.export_cleanup", "insight.hotspots_nightly"}


def test_a_weekly_job_waits_for_its_day_and_time_as_the_settings_say(settings: Any) -> None:
    assert schedule_of("supervision.briefing").weekday == 0
    settings.MINYI_SCHEDULE = {**settings.MINYI_SCHEDULE, "supervision.briefing": Weekly(2, time(9, 0))}
    briefing = schedule_of("supervision.briefing")
    wednesday = MONDAY + timedelta(days=2)
    assert slot(briefing, wednesday.replace(hour=8, minute=59)) is None
    assert slot(briefing, wednesday.replace(hour=9)) == "2031-03-05"
    assert slot(briefing, MONDAY.replace(hour=10)) is None


def test_a_job_without_a_schedule_fails_the_system_check(settings: Any) -> None:
    assert check_schedules(None) == []
    settings.MINYI_SCHEDULE = {k: v for k, v in settings.MINYI_SCHEDULE.items() if k != "kpi.refresh"}
    [error] = check_schedules(None)
    assert error.id == "minyi.worker.E001" and "'kpi.refresh'" in error.msg
