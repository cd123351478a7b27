"""IT staff keep the calendar through Django admin, and the next deadline follows their change."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minyi.workdays import rules
from minyi.workdays.choices import Source
from minyi.workdays.models import CalendarDay, CalendarYear

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 23, 59, 59, 999_999, tzinfo=SHANGHAI)


def test_year_list_warns_and_seeds_every_year_from_the_library(admin_client: Client) -> None:
    changelist = reverse("admin:workdays_calendaryear_changelist")
    page = admin_client.get(changelist, headers={"accept-language": "en"}).content.decode()
    assert f"The official holidays of {timezone.localdate(timezone=SHANGHAI).year}" in page
    assert reverse("admin:workdays_calendaryear_seed") in page

    response = admin_client.post(reverse("admin:workdays_calendaryear_seed"))
    assert response.status_code == 302 and response["Location"] == changelist
    assert set(CalendarYear.objects.values_list("year", flat=True)) == set(range(2004, 2027))
    assert rules.add_working_days(at(2025, 9, 30), 5).at == end_of(2025, 10, 14)


def test_seeding_needs_a_post_and_the_right_to_change_the_calendar(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:workdays_calendaryear_seed")).status_code == 405
    clerk = User.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    client = Client()
    client.force_login(clerk)
    assert client.post(reverse("admin:workdays_calendaryear_seed")).status_code == 403
    assert not CalendarYear.objects.exists()


def test_a_holiday_added_in_admin_moves_the_next_deadline(admin_client: Client) -> None:
    rules.seed_from_library([2025])
    assert rules.add_working_days(at(2025, 6, 3), 1).at == end_of(2025, 6, 4)
    response = admin_client.post(
        reverse("admin:workdays_calendarday_add"), {"date": "2025-06-04", "name": "特别假日"}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=dt.date(2025, 6, 4)).year.year == 2025
    assert rules.add_working_days(at(2025, 6, 3), 1).at == end_of(2025, 6, 5)
    assert CalendarYear.objects.get(year=2025).source == Source.ADMIN


def test_a_new_year_entered_with_its_days_and_confirmed_makes_deadlines_final(admin_client: Client) -> None:
    rules.seed_from_library([2026])
    assert rules.add_working_days(at(2026, 12, 30), 2).provisional
    form = {
        "year": "2027",
        "source": Source.ADMIN,
        "confirmed": "on",
        "note": "国务院办公厅通知",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-0-date": "2027-01-01",
        "days-0-name": "元旦",
        "days-1-date": "2027-01-02",  # a Saturday: rest already, so the form refuses it
        "days-1-name": "元旦",
    }
    response = admin_client.post(reverse("admin:workdays_calendaryear_add"), form)
    assert response.status_code == 200 and not CalendarYear.objects.filter(year=2027).exists()

    form.update({"days-TOTAL_FORMS": "1", "days-1-date": "", "days-1-name": ""})
    response = admin_client.post(reverse("admin:workdays_calendaryear_add"), form)
    assert response.status_code == 302
    # After Wed 2026-12-30: Thu 12-31 (1), Fri 01-01 is now a holiday, Mon 01-04 (2).
    assert rules.add_working_days(at(2026, 12, 30), 2) == rules.Deadline(
        end_of(2027, 1, 4), provisional=False
    )


def test_the_seed_action_reloads_selected_years_it_knows(admin_client: Client) -> None:
    rules.seed_from_library([2025])
    CalendarDay.objects.filter(date=dt.date(2025, 10, 1)).delete()  # a hand edit: the year is the admin's
    CalendarYear.objects.filter(year=2025).update(source=Source.LIBRARY)  # …until handed back
    CalendarYear.objects.create(year=2030, source=Source.LIBRARY)
    years = CalendarYear.objects.filter(year__in=[2025, 2030]).values_list("pk", flat=True)
    response = admin_client.post(
        reverse("admin:workdays_calendaryear_changelist"),
        {"action": "seed_selected", "_selected_action": [str(pk) for pk in years]},
        headers={"accept-language": "en"},
        follow=True,
    )
    page = response.content.decode()
    assert "Loaded the holidays of 2025 from the library." in page
    assert "Not loaded from the library: 2030" in page
    assert CalendarDay.objects.filter(date=dt.date(2025, 10, 1)).exists()


def test_calendar_pages_list_days_by_year_and_search_names(admin_client: Client) -> None:
    rules.seed_from_library([2025, 2026])
    year = CalendarYear.objects.get(year=2025)
    days = reverse("admin:workdays_calendarday_changelist")
    page = admin_client.get(
        days, {"year__id__exact": str(year.pk), "is_workday__exact": "1"}
    ).content.decode()
    assert "2025-10-11" in page or "2025年10月11日" in page
    assert "2026-02-14" not in page and "2026年2月14日" not in page
    found = admin_client.get(days, {"q": "春节"}).content.decode()
    assert "春节" in found and "国庆节" not in found
    change = admin_client.get(reverse("admin:workdays_calendaryear_change", args=[year.pk]))
    assert change.status_code == 200 and "国庆节" in change.content.decode()
