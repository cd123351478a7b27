"""Working days and deadlines by the official calendar (facts checked against chinesecalendar 1.11.0).

2025 National Day: 10-01 (Wed) … 10-08 (Wed) rest; 09-28 (Sun) and 10-11 (Sat) are make-up working days.
2026 Spring Festival: 02-15 (Sun) … 02-23 (Mon) rest; 02-14 (Sat) and 02-28 (Sat) are make-up working days.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import override
from pytest_django import DjangoAssertNumQueries

from minyi.workdays import rules
from minyi.workdays.choices import Source
from minyi.workdays.models import CalendarDay, CalendarYear
from minyi.workdays.rules import Deadline, add_working_days, calendar_warning, working_days_between

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment in Shanghai."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 23, 59, 59, 999_999, tzinfo=SHANGHAI)


@pytest.fixture
def seeded() -> list[int]:
    """Every year chinesecalendar 1.11.0 knows: 2004–2026."""
    return rules.seed_from_library()


# --- deadlines across holidays ---------------------------------------------------------------------


def test_deadline_skips_national_day_and_counts_the_saturday_make_up_day(seeded: list[int]) -> None:
    # After Tue 09-30: 10-01…10-08 rest; 10-09 (1), 10-10 (2), Sat 10-11 make-up (3), 10-13 (4), 10-14 (5).
    assert add_working_days(at(2025, 9, 30), 5) == Deadline(at=end_of(2025, 10, 14), provisional=False)


def test_deadline_can_land_on_a_saturday_make_up_day(seeded: list[int]) -> None:
    deadline = add_working_days(at(2025, 9, 30, 17, 45), 3)
    assert deadline.at == end_of(2025, 10, 11)
    assert deadline.at.weekday() == 5
    assert rules.is_workday(dt.date(2025, 10, 11)) and rules.is_workday(dt.date(2025, 9, 28))
    assert not rules.is_workday(dt.date(2025, 10, 6))  # a Monday, the Mid-autumn Festival


def test_deadline_across_spring_festival_2026(seeded: list[int]) -> None:
    # After Thu 02-12: Fri 02-13 (1), Sat 02-14 make-up (2), 02-15…02-23 rest, Tue 02-24 (3).
    assert add_working_days(at(2026, 2, 12), 3) == Deadline(at=end_of(2026, 2, 24), provisional=False)
    assert add_working_days(at(2026, 2, 13), 1).at == end_of(2026, 2, 14)
    # After Fri 02-27: Sat 02-28 make-up (1), Mon 03-02 (2).
    assert add_working_days(at(2026, 2, 27), 2).at == end_of(2026, 3, 2)


def test_the_day_received_is_the_local_day_in_shanghai(seeded: list[int]) -> None:
    # 2025-09-30 16:30 UTC is 10-01 00:30 in Shanghai: received on a holiday, so 1 day is 10-09.
    received = dt.datetime(2025, 9, 30, 16, 30, tzinfo=dt.UTC)
    assert add_working_days(received, 1).at == end_of(2025, 10, 9)
    # The time zone active for a request does not change the calendar day.
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert add_working_days(received, 1).at == end_of(2025, 10, 9)
    # One microsecond before local midnight still counts as 09-30.
    assert add_working_days(at(2025, 9, 30, 23, 59).replace(second=59, microsecond=999_999), 1).at == (
        end_of(2025, 10, 9)
    )
    assert add_working_days(at(2025, 9, 30, 23, 59), 1).at == end_of(2025, 10, 9)
    assert add_working_days(at(2025, 9, 29, 23, 59), 1).at == end_of(2025, 9, 30)


# --- zero and negative days ------------------------------------------------------------------------


def test_zero_days_is_the_end_of_that_working_day_or_the_next_one(seeded: list[int]) -> None:
    assert add_working_days(at(2025, 9, 30, 9), 0).at == end_of(2025, 9, 30)  # a working Tuesday
    assert add_working_days(at(2025, 10, 4), 0).at == end_of(2025, 10, 9)  # Sat in the holiday
    assert add_working_days(at(2025, 10, 11), 0).at == end_of(2025, 10, 11)  # Sat make-up day
    assert add_working_days(at(2025, 10, 12), 0).at == end_of(2025, 10, 13)  # plain Sunday


def test_negative_days_and_naive_datetimes_are_refused(seeded: list[int]) -> None:
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(at(2025, 9, 30), -1)
    with pytest.raises(ValueError, match="naive"):
        add_working_days(dt.datetime(2025, 9, 30, 10), 1)  # noqa: DTZ001  (the naive datetime is the point)


# --- counting working days between two moments -----------------------------------------------------


def test_working_days_between_counts_after_the_first_day_up_to_the_last(seeded: list[int]) -> None:
    assert working_days_between(at(2025, 9, 30, 8), at(2025, 10, 14, 9)) == 5
    assert working_days_between(at(2025, 9, 30, 8), at(2025, 9, 30, 20)) == 0
    assert working_days_between(at(2025, 9, 30, 8), at(2025, 10, 8)) == 0  # only holidays between
    assert working_days_between(at(2025, 10, 14), at(2025, 9, 30)) == -5
    # Fri 02-13, Sat 02-14 (make-up) | 02-15…02-23 rest | 02-24…02-27, Sat 02-28 (make-up).
    assert working_days_between(at(2026, 2, 12), at(2026, 2, 28)) == 2 + 5


def test_working_days_between_agrees_with_day_by_day_counting(seeded: list[int]) -> None:
    snapshot = rules.calendar()
    start = at(2024, 12, 20)
    day = start.date()
    expected = 0
    while day < dt.date(2027, 2, 1):
        day += dt.timedelta(days=1)
        expected += snapshot.is_workday(day)
        assert snapshot.working_days_between(start, at(day.year, day.month, day.day)) == expected
    assert expected == rules.working_days_between(start, at(2027, 2, 1))


def test_working_days_between_inverts_add_working_days(seeded: list[int]) -> None:
    for received in (at(2025, 9, 26), at(2025, 9, 30, 23), at(2026, 2, 11), at(2026, 12, 25)):
        for days in range(1, 40):
            assert working_days_between(received, add_working_days(received, days).at) == days


# --- unknown years ---------------------------------------------------------------------------------


def test_unknown_year_counts_weekends_only_is_provisional_and_warns(seeded: list[int]) -> None:
    assert seeded == list(range(2004, 2027))
    # After Wed 2026-12-30: Thu 12-31 (1); 2027 is unknown, so Fri 01-01 counts (2), Mon–Wed 01-04…06.
    assert add_working_days(at(2026, 12, 30), 5) == Deadline(at=end_of(2027, 1, 6), provisional=True)
    assert add_working_days(at(2026, 12, 21), 5) == Deadline(at=end_of(2026, 12, 28), provisional=False)
    assert rules.unknown_years([2025, 2027, 2027, 2003]) == [2003, 2027]
    with override("en"):
        warning = calendar_warning(today=dt.date(2026, 11, 29))
        assert warning is not None
        assert "The official holidays of 2027 are not in the working-day calendar yet" in warning
        assert calendar_warning(today=dt.date(2026, 12, 31)) == warning
        assert calendar_warning(today=dt.date(2026, 10, 31)) is None  # too early to expect 2027
        assert "2027, 2028" in (calendar_warning(today=dt.date(2026, 6, 1), years=[2028, 2027]) or "")


def test_an_empty_calendar_never_crashes() -> None:
    assert add_working_days(at(2025, 9, 30), 5) == Deadline(at=end_of(2025, 10, 7), provisional=True)
    assert working_days_between(at(2025, 9, 30), at(2025, 10, 7)) == 5
    with override("en"):
        assert "2025" in (calendar_warning(today=dt.date(2025, 3, 1)) or "")


def test_a_confirmed_year_entered_by_the_admin_is_known(seeded: list[int]) -> None:
    year = CalendarYear.objects.create(year=2027, source=Source.ADMIN, confirmed=False)
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦", year=year)
    # Days entered for an unconfirmed year already apply; the deadline stays provisional.
    assert add_working_days(at(2026, 12, 30), 5) == Deadline(at=end_of(2027, 1, 7), provisional=True)
    year.confirmed = True
    year.save()
    assert add_working_days(at(2026, 12, 30), 5) == Deadline(at=end_of(2027, 1, 7), provisional=False)
    assert calendar_warning(today=dt.date(2026, 11, 29)) is None


# --- the admin changes the calendar ---------------------------------------------------------------


def test_a_day_entered_by_hand_changes_the_next_deadline(seeded: list[int]) -> None:
    assert add_working_days(at(2025, 6, 3), 1).at == end_of(2025, 6, 4)
    day = CalendarDay.objects.create(date=dt.date(2025, 6, 4), is_workday=False, name="特别假日")
    assert day.year.year == 2025  # filed under its year without being told
    assert add_working_days(at(2025, 6, 3), 1).at == end_of(2025, 6, 5)
    assert CalendarYear.objects.get(year=2025).source == Source.ADMIN  # seeding will not undo it
    day.delete()
    assert add_working_days(at(2025, 6, 3), 1).at == end_of(2025, 6, 4)


def test_the_cached_calendar_costs_one_query_per_call(
    seeded: list[int], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    add_working_days(at(2025, 9, 30), 5)
    with django_assert_num_queries(1):
        add_working_days(at(2025, 9, 30), 5)
    snapshot = rules.calendar()
    with django_assert_num_queries(0):
        for days in range(30):
            snapshot.add_working_days(at(2025, 9, 30), days)


def test_a_day_must_break_the_plain_rule() -> None:
    with pytest.raises(ValidationError, match="一般规则"):
        CalendarDay(date=dt.date(2025, 10, 4), is_workday=False, name="国庆节").full_clean()  # a Saturday
    year = CalendarYear.objects.create(year=2025)
    with pytest.raises(ValidationError) as error:
        CalendarDay(date=dt.date(2026, 1, 1), is_workday=False, name="元旦", year=year).full_clean()
    assert "date" in error.value.message_dict


# --- seeding ----------------------------------------------------------------------------------------


def test_seeding_is_idempotent_and_keeps_admin_years() -> None:
    admin_year = CalendarYear.objects.create(year=2024, source=Source.ADMIN, confirmed=True, note="手工")
    CalendarDay.objects.create(date=dt.date(2024, 3, 4), is_workday=False, name="本地假日", year=admin_year)

    first = rules.seed_from_library()
    assert 2024 not in first and first[0] == 2004 and first[-1] == 2026
    days = sorted(CalendarDay.objects.values_list("date", "is_workday", "name"))
    years = sorted(CalendarYear.objects.values_list("year", "source", "confirmed", "version"))

    assert rules.seed_from_library() == first
    assert sorted(CalendarDay.objects.values_list("date", "is_workday", "name")) == days
    assert sorted(CalendarYear.objects.values_list("year", "source", "confirmed", "version")) == years

    assert list(CalendarDay.objects.filter(date__year=2024).values_list("name", flat=True)) == ["本地假日"]
    assert CalendarYear.objects.get(year=2024).source == Source.ADMIN
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 11)).is_workday
    assert not CalendarDay.objects.filter(date=dt.date(2025, 10, 4)).exists()  # Saturday rest: not stored
    assert CalendarYear.objects.get(year=2025).source == Source.LIBRARY


def test_seeding_repairs_a_library_year_and_skips_years_it_does_not_know() -> None:
    assert rules.seed_from_library([2025, 2027]) == [2025]
    CalendarDay.objects.filter(date=dt.date(2025, 10, 1)).update(name="错误")  # no signal: still library
    assert rules.seed_from_library([2025]) == [2025]
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 1)).name == "国庆节"
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_seeding_every_year_takes_a_bounded_number_of_queries(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # Bulk statements whatever the number of years (timings belong in benchmarks, not here).
    with django_assert_max_num_queries(20):
        rules.seed_from_library()
    assert CalendarYear.objects.filter(confirmed=True).count() == 23


# --- the management command -----------------------------------------------------------------------


def test_check_command_fails_strictly_when_nothing_is_seeded() -> None:
    out = io.StringIO()
    call_command("workdays", "check", stdout=out)  # without --strict it only warns
    assert out.getvalue().strip()
    with pytest.raises(CommandError) as error:
        call_command("workdays", "check", "--strict", stdout=io.StringIO())
    assert error.value.returncode == 1


def test_check_command_passes_when_every_year_in_use_is_known() -> None:
    out = io.StringIO()
    call_command("workdays", "seed", stdout=out)
    assert "2004–2026" in out.getvalue()
    today = timezone.localdate(timezone=SHANGHAI)
    for year in (today.year, today.year + 1):  # whatever today is, these two are in use
        CalendarYear.objects.update_or_create(year=year, defaults={"confirmed": True})
    out = io.StringIO()
    call_command("workdays", "check", "--strict", stdout=out)
    assert "knows every year in use" in out.getvalue()


def test_seed_command_reports_years_it_cannot_seed() -> None:
    out = io.StringIO()
    call_command("workdays", "seed", "--years", "2025", "2027", stdout=out)
    assert "Seeded from chinesecalendar: 2025" in out.getvalue()
    assert "Not seeded" in out.getvalue() and "2027" in out.getvalue()
