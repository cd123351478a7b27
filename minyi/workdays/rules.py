"""Working days by the official Chinese holiday calendar, for deadlines and statistics.

Semantics (all dates are local dates in the project's time zone, settings.TIME_ZONE,
whatever time zone is active for the request):

- A day is a working day when the calendar says so (a make-up working day on a weekend, 调休上班),
  is not one when the calendar marks it a holiday, and otherwise follows the plain rule:
  Monday–Friday work, Saturday–Sunday rest.
- Something received at any time on day D with N working days (N ≥ 1) is due at the end of the Nth
  working day after D; D itself never counts, even when it is a working day. With N = 0 it is due
  at the end of D when D is a working day, else at the end of the next working day.
- "The end of a day" is the last microsecond before the next local midnight (23:59:59.999999).
- A year counts as known only when its CalendarYear is confirmed. A deadline whose counting
  examines any day of an unknown year is ``provisional``; days stored for an unconfirmed year
  still apply, and a year with no stored days counts weekends only. Nothing here ever raises
  because a year is unknown.
- ``working_days_between(a, b)`` is the number of working days after a's day up to and including
  b's day, so ``working_days_between(a, add_working_days(a, n).at) == n`` for every n ≥ 1.

The calendar is cached per process as an immutable ``WorkCalendar``. Every call checks a one-row
stamp of the CalendarYear table (count, sum of versions, last change), which every change to a
year or a day moves, so a change made by another process, or undone by a rolled-back transaction,
is seen by the next call. Code that computes many deadlines at once can take ``calendar()`` once
and call its methods, with no further queries.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import chinese_calendar
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext

from minyi.audit.rules import record
from minyi.dates import day_start, local_day, local_today
from minyi.errors import Invalid
from minyi.workdays.choices import MAKE_UP_DAY, Source
from minyi.workdays.models import CalendarDay, CalendarYear

#: The first year chinesecalendar knows.
FIRST_LIBRARY_YEAR = 2004
#: A larger count is a configuration mistake, not a deadline (about forty years of working days).
MAX_WORKING_DAYS = 10_000

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """When something is due (aware, in the project's time zone) and whether a year it touches is
    not yet confirmed in the calendar (then the date may move once that year's holidays are entered)."""

    at: dt.datetime
    provisional: bool


@dataclass(frozen=True)
class WorkCalendar:
    """An immutable snapshot of the calendar: the confirmed years and the days that break the plain rule."""

    known_years: frozenset[int]
    exceptions: Mapping[dt.date, bool]  # date → is it a working day
    _dates: tuple[dt.date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_dates", tuple(sorted(self.exceptions)))

    def is_workday(self, day: dt.date) -> bool:
        """Whether people work on ``day`` (a date, or an aware datetime taken in local time)."""
        if isinstance(day, dt.datetime):
            day = local_day(day)
        found = self.exceptions.get(day)
        return found if found is not None else day.weekday() < 5

    def add_working_days(self, start: dt.datetime, days: int) -> Deadline:
        """The end of the ``days``-th working day after ``start``'s local day (see the module docstring)."""
        if days < 0:
            raise ValueError(f"a deadline needs zero or more working days, not {days}")
        if days > MAX_WORKING_DAYS:
            raise ValueError(f"{days} working days is more than the {MAX_WORKING_DAYS} a deadline may span")
        day = local_day(start)
        years: set[int] = set()
        if days == 0:
            years.add(day.year)
            while not self.is_workday(day):
                day += _ONE_DAY
                years.add(day.year)
        else:
            remaining = days
            while remaining:
                day += _ONE_DAY
                years.add(day.year)
                if self.is_workday(day):
                    remaining -= 1
        return Deadline(at=end_of_day(day), provisional=not years <= self.known_years)

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working days after ``start``'s local day up to and including ``end``'s (negative if earlier)."""
        first, last = local_day(start), local_day(end)
        if last < first:
            return -self._count(last, first)
        return self._count(first, last)

    def _count(self, after: dt.date, upto: dt.date) -> int:
        """Working days in the half-open range (after, upto]."""
        count = _weekdays_upto(upto) - _weekdays_upto(after)
        for day in self._dates[bisect_right(self._dates, after) : bisect_right(self._dates, upto)]:
            count += 1 if self.exceptions[day] else -1
        return count


def _weekdays_upto(day: dt.date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) up to and including ``day``."""
    weeks, rest = divmod(day.toordinal(), 7)
    return 5 * weeks + min(rest, 5)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last microsecond of ``day`` in the project's time zone (next local midnight minus 1 µs)."""
    return day_start(day + _ONE_DAY) - dt.timedelta(microseconds=1)


# --- the cached snapshot ----------------------------------------------------------------------

_Stamp = tuple[Any, ...]
_cached: tuple[_Stamp, WorkCalendar] | None = None


def _stamp() -> _Stamp:
    found = CalendarYear.objects.aggregate(n=Count("pk"), versions=Sum("version"), last=Max("updated_at"))
    return (found["n"], found["versions"], found["last"])


def _load() -> WorkCalendar:
    known = frozenset(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))
    exceptions = {
        day: is_workday
        for day, is_workday in CalendarDay.objects.values_list("date", "is_workday")
        # A stored day that agrees with the plain rule changes nothing; dropping it keeps counting exact.
        if is_workday != (day.weekday() < 5)
    }
    return WorkCalendar(known_years=known, exceptions=exceptions)


def calendar() -> WorkCalendar:
    """The current calendar (one cheap query when the cached copy is still current). Take it once
    for a list or a report and call its methods, which make no queries."""
    global _cached
    stamp = _stamp()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    snapshot = _load()
    # Loaded after the stamp was read, so it is never older than the stamp it is filed under.
    _cached = (stamp, snapshot)
    return snapshot


def mark_changed_by_hand(sender: type, instance: CalendarDay, **kwargs: Any) -> None:
    """Signal receiver: a day saved or deleted outside seeding makes its year the administrator's
    (so seeding never overwrites it) and moves the stamp every process checks."""
    CalendarYear.objects.filter(pk=instance.year_id).update(
        source=Source.ADMIN, version=F("version") + 1, updated_at=timezone.now()
    )


# --- the public functions ---------------------------------------------------------------------


def is_workday(day: dt.date) -> bool:
    """Whether people work on ``day`` by the official calendar (weekends only in unknown years)."""
    return calendar().is_workday(day)


def add_working_days(start: dt.datetime, days: int) -> Deadline:
    """The deadline of something received at ``start`` with ``days`` working days: the end of the
    ``days``-th working day after start's local day (0: the end of that day, or of the next working
    day when it is a rest day); provisional when it touches an unconfirmed year. Negative: ValueError."""
    return calendar().add_working_days(start, days)


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days after ``start``'s local day up to and including ``end``'s (negative if end is earlier)."""
    return calendar().working_days_between(start, end)


def unknown_years(years: Iterable[int]) -> list[int]:
    """Those of ``years`` whose holidays are not confirmed, sorted, without repeats."""
    known = calendar().known_years
    return sorted({year for year in years if year not in known})


def calendar_warning(today: dt.date | None = None, years: Iterable[int] = ()) -> str | None:
    """A message asking the admin to enter missing holidays, or None when nothing is missing.

    Checked: the current year, next year from November on (the State Council announces it late in
    the year), and ``years`` (e.g. the years of open deadlines).
    """
    if today is None:
        today = local_today()
    in_use = {today.year, *years}
    if today.month >= 11:
        in_use.add(today.year + 1)
    missing = unknown_years(in_use)
    if not missing:
        return None
    return gettext(
        "The official holidays of %(year)s are not in the working-day calendar yet, so deadlines that "
        "fall in %(year)s skip weekends but not holidays and are provisional. Enter that year's holidays "
        "and make-up working days, then mark the year confirmed."
    ) % {"year": ", ".join(str(year) for year in missing)}


# --- seeding from chinesecalendar -------------------------------------------------------------


def library_years() -> list[int]:
    """The years chinesecalendar knows: from 2004 up to the first year it refuses."""
    years = []
    for year in range(FIRST_LIBRARY_YEAR, dt.MAXYEAR + 1):
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            break
        years.append(year)
    return years


def _chinese_name(english: str) -> str:
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english


def library_days(years: Iterable[int]) -> dict[dt.date, tuple[bool, str]]:
    """The days of ``years`` that break the plain rule by chinesecalendar: date → (working?, name)."""
    wanted = set(years)
    days: dict[dt.date, tuple[bool, str]] = {}
    for day, english in chinese_calendar.holidays.items():
        if day.year in wanted and day.weekday() < 5:
            days[day] = (False, _chinese_name(english))
    for day, english in chinese_calendar.workdays.items():
        if day.year in wanted and day.weekday() >= 5:
            days[day] = (True, f"{_chinese_name(english)}{MAKE_UP_DAY}")
    return days


@transaction.atomic
def seed_from_library(years: Iterable[int] | None = None) -> list[int]:
    """Load holidays and make-up working days from chinesecalendar and confirm those years.

    ``years`` defaults to every year the library knows; years it does not know are skipped, and so
    are years entered by an administrator (source "admin"), which are never overwritten. Idempotent:
    a second run changes nothing. Returns the years that now hold the library's data, sorted.
    """
    supported = set(library_years())
    wanted = sorted(supported if years is None else supported.intersection(years))
    existing = CalendarYear.objects.in_bulk(wanted, field_name="year")
    targets = [year for year in wanted if year not in existing or existing[year].source != Source.ADMIN]
    if not targets:
        return []
    CalendarYear.objects.bulk_create(
        [
            CalendarYear(year=year, source=Source.LIBRARY, confirmed=True)
            for year in targets
            if year not in existing
        ],
        ignore_conflicts=True,  # a concurrent seed may have created it; the update below settles it
    )
    rows = CalendarYear.objects.in_bulk(targets, field_name="year")
    changed = {year for year in targets if year not in existing or not existing[year].confirmed}

    desired = library_days(targets)
    current = {
        day.date: day
        for day in CalendarDay.objects.filter(
            date__gte=dt.date(targets[0], 1, 1), date__lte=dt.date(targets[-1], 12, 31)
        )
        if day.date.year in rows
    }
    to_create: list[CalendarDay] = []
    to_update: list[CalendarDay] = []
    for day, (working, name) in desired.items():
        year_id = rows[day.year].pk
        row = current.pop(day, None)
        if row is None:
            to_create.append(CalendarDay(date=day, is_workday=working, name=name, year_id=year_id))
        elif (row.is_workday, row.name, row.year_id) != (working, name, year_id):
            row.is_workday, row.name, row.year_id = working, name, year_id
            to_update.append(row)
    stale = list(current.values())  # days of these years the library does not have
    changed |= {day.date.year for day in [*to_create, *to_update, *stale]}

    CalendarDay.objects.bulk_create(to_create, ignore_conflicts=True)
    CalendarDay.objects.bulk_update(to_update, ["is_workday", "name", "year"])
    if stale:
        # Runs the delete signal (which hands the year to the admin); the update below takes it back.
        CalendarDay.objects.filter(pk__in=[day.pk for day in stale]).delete()
    if changed:
        CalendarYear.objects.filter(year__in=changed).update(
            source=Source.LIBRARY,
            confirmed=True,
            note=f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip(),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    return targets


# --- loading the State Council's notice ---------------------------------------------------------

#: How the notice's lines write a rest day and a working day.
REST_WORDS = {"休", "假", "放假", "休息"}
WORK_WORDS = {"班", "上班", "调休上班"}
_SEPARATORS = re.compile(r"[\s,，、;；|]+")
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?"),
    re.compile(r"(?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?"),
)


@dataclass(frozen=True)
class NoticeDay:
    """One line of the notice: a date, whether people work on it, and its name."""

    date: dt.date
    is_workday: bool
    name: str


@dataclass(frozen=True)
class MovedDeadline:
    """A running deadline that a loaded year moves (filled by the apps that keep deadlines)."""

    label: str  # e.g. the appeal's number and title
    link: str
    before: dt.datetime
    after: dt.datetime
    provisional: bool  # still provisional afterwards (it reaches a year not yet loaded)


#: Functions ``(old, new, apply) -> [MovedDeadline]`` of the apps whose deadlines count working days
#: (the appeals register theirs): with ``apply`` they also save the new deadlines.
DeadlineMover = Callable[[WorkCalendar, WorkCalendar, bool], list[MovedDeadline]]
_movers: list[DeadlineMover] = []


def register_deadlines(mover: DeadlineMover) -> None:
    """Let a loaded year move ``mover``'s running deadlines (its preview lists them first)."""
    if mover not in _movers:
        _movers.append(mover)


def _date_of(raw: str, year: int) -> dt.date | None:
    for form in _DATE_FORMS:
        found = form.fullmatch(raw)
        if found is not None:
            parts = found.groupdict()
            try:
                return dt.date(int(parts.get("y") or year), int(parts["m"]), int(parts["d"]))
            except ValueError:
                return None
    return None


def parse_notice(year: int, rows: Iterable[Sequence[Any]]) -> list[NoticeDay]:
    """The notice's days from rows of (date, 休 or 班, name?) — lines pasted from the notice, or a
    sheet's rows (a header row and empty rows are skipped). A date may be 2027-01-01, 2027/1/1,
    2027年1月1日 or 1月1日 (in ``year``). Days that already follow the plain rule (a weekend 休, a
    weekday 班) change nothing and are dropped. Bad rows: Invalid, listing each with its line."""
    days: dict[dt.date, NoticeDay] = {}
    errors: list[str] = []
    for number, row in enumerate(rows, start=1):
        cells = [_cell_text(cell) for cell in row]
        cells = [cell for cell in cells if cell]
        if not cells:
            continue
        first = row[0] if isinstance(row[0], dt.date) else None
        if isinstance(first, dt.datetime):
            first = first.date()
        day = first or _date_of(cells[0], year)
        if day is None:
            if number == 1:
                continue  # a header row (日期, 类型, 名称)
            errors.append(gettext("Line %(n)d: %(text)s is not a date.") % {"n": number, "text": cells[0]})
            continue
        if day.year != year:
            errors.append(
                gettext("Line %(n)d: %(date)s is not in %(year)d.")
                % {"n": number, "date": day.isoformat(), "year": year}
            )
            continue
        word = cells[1] if len(cells) > 1 else ""
        if word not in REST_WORDS | WORK_WORDS:
            errors.append(
                gettext("Line %(n)d: write 休 (a rest day) or 班 (a working day) after the date.")
                % {"n": number}
            )
            continue
        working = word in WORK_WORDS
        name = " ".join(cells[2:])[:50] or (MAKE_UP_DAY if working else gettext("Holiday"))
        if day in days and days[day].is_workday != working:
            errors.append(
                gettext("Line %(n)d: %(date)s is given as both 休 and 班.")
                % {"n": number, "date": day.isoformat()}
            )
            continue
        if working != (day.weekday() < 5):
            days[day] = NoticeDay(day, working, name)
    if errors:
        raise Invalid(errors)
    if not days:
        raise Invalid(
            gettext("No holiday or make-up working day was found: write one date and 休 or 班 a line.")
        )
    return sorted(days.values(), key=lambda day: day.date)


def notice_lines(text: str) -> list[list[str]]:
    """Pasted text as rows of cells (split on spaces, commas, 、 and tabs)."""
    return [_SEPARATORS.split(line.strip()) for line in text.splitlines()]


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


def calendar_with(year: int, days: Iterable[NoticeDay]) -> WorkCalendar:
    """The current calendar with ``year`` replaced by ``days`` and confirmed (nothing is saved)."""
    current = calendar()
    exceptions = {day: working for day, working in current.exceptions.items() if day.year != year}
    exceptions.update({day.date: day.is_workday for day in days})
    return WorkCalendar(known_years=current.known_years | {year}, exceptions=exceptions)


def preview_notice(year: int, days: Sequence[NoticeDay]) -> list[MovedDeadline]:
    """The running deadlines loading these days would move (nothing is saved)."""
    old, new = calendar(), calendar_with(year, days)
    return [moved for mover in _movers for moved in mover(old, new, False)]


@transaction.atomic
def load_notice(year: int, days: Sequence[NoticeDay], *, actor: Any, note: str = "") -> list[MovedDeadline]:
    """Make ``days`` the holidays and make-up working days of ``year``, confirm the year (entered by an
    administrator: seeding never overwrites it) and move the running deadlines it changes. Returns
    those moved deadlines."""
    old, new = calendar(), calendar_with(year, days)
    row, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
    CalendarDay.objects.filter(year=row).delete()
    row.refresh_from_db()  # the delete's signal moved its version
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day.date, is_workday=day.is_workday, name=day.name, year=row) for day in days]
    )
    row.source, row.confirmed = Source.ADMIN, True
    row.note = (note or gettext("Loaded from the State Council's notice"))[:200]
    row.save(update_fields=["source", "confirmed", "note"])
    moved = [moved for mover in _movers for moved in mover(old, new, True)]
    record(
        "workdays.notice_loaded",
        actor=actor,
        obj=row,
        detail={
            "year": year,
            "rest_days": sum(1 for day in days if not day.is_workday),
            "working_days": sum(1 for day in days if day.is_workday),
            "deadlines_moved": len(moved),
        },
    )
    return moved


def provisional_years(today: dt.date | None = None) -> list[int]:
    """The years in use whose holidays are not loaded yet: this year, and next year from November on
    (deadlines given in December reach into it)."""
    today = today or local_today()
    years = {today.year, *([today.year + 1] if today.month >= 11 else [])}
    return unknown_years(years)


def provisional_notice(today: dt.date | None = None) -> str | None:
    """The line the SLA and dispatch pages show while a year in use is counted provisionally."""
    years = provisional_years(today)
    if not years:
        return None
    return gettext(
        "The holidays of %(year)s are not announced yet; deadlines are counted on a provisional calendar."
    ) % {"year": "、".join(str(year) for year in years)}
