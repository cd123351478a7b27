"""Admins load next year's holidays from the State Council's notice (pasted lines or a small sheet),
see which running deadlines it moves, then confirm; until a year in use is loaded, the SLA page and
the dispatcher's list say it is counted provisionally."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, EventKind
from minyi.appeals.models import Appeal, AppealEvent, Assignment
from minyi.audit.models import AuditEvent
from minyi.dates import local_today
from minyi.testing import Actors
from minyi.workdays import rules
from minyi.workdays.choices import Source
from minyi.workdays.models import CalendarDay, CalendarYear

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LOAD = "admin:workdays_calendaryear_load"
# The National Day week of a year no library knows yet, as the notice writes it.
NOTICE = """
2031-09-28 班 国庆节调休
10月1日 休 国庆节
10月2日 休 国庆节
10月3日 休 国庆节
10月4日 休 国庆节
10月5日 休 国庆节
10月6日 休 国庆节
10月7日 休 国庆节
2031/10/11 班
"""

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_client() -> Client:
    """A superuser of the IT office (not named ``admin``: the shared actors have one)."""
    client = Client()
    client.force_login(User.objects.create_superuser("it-office", password="pw-it-office-123"))
    return client


def end_of(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 23, 59, 59, 999_999, tzinfo=SHANGHAI)


def _running_appeal(actors: Actors, *, provisional: bool = True) -> Appeal:
    """An appeal handed to a unit on Monday 2031-09-29 with five working days, counted on weekends
    only because 2031's holidays were not loaded: due at the end of Monday 2031-10-06."""
    appeal = appeal_rules.submit(
        channel=Channel.MAILBOX, kind="complaint", title="路灯不亮", body="东村路灯坏了"
    ).appeal
    appeal_rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    dispatched = dt.datetime(2031, 9, 29, 10, tzinfo=SHANGHAI)
    Assignment.objects.filter(appeal=appeal).update(
        dispatched_at=dispatched, deadline=end_of(2031, 10, 6), deadline_provisional=provisional
    )
    Appeal.objects.filter(pk=appeal.pk).update(deadline=end_of(2031, 10, 6), deadline_provisional=provisional)
    appeal.refresh_from_db()
    return appeal


def test_the_notice_previews_the_deadlines_it_moves_then_loads_on_confirm(
    it_client: Client, actors: Actors
) -> None:
    appeal = _running_appeal(actors)
    page = it_client.post(reverse(LOAD), {"year": "2031", "lines": NOTICE, "preview": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert str(appeal.number) in html
    assert "2031-10-06" in html and "2031-10-11" in html  # before and after
    assert not CalendarYear.objects.filter(year=2031).exists()  # a preview saves nothing
    appeal.refresh_from_db()
    assert appeal.deadline == end_of(2031, 10, 6)

    days_text = page.context["days_text"]
    response = it_client.post(reverse(LOAD), {"year": "2031", "lines": days_text, "confirm": "1"})
    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2031)
    assert (year.confirmed, year.source) == (True, Source.ADMIN)
    stored = {day.date: day.is_workday for day in CalendarDay.objects.filter(year=year)}
    # Weekend rest days (10-04, 10-05) follow the plain rule and are not stored.
    assert stored == {
        dt.date(2031, 9, 28): True,
        dt.date(2031, 10, 1): False,
        dt.date(2031, 10, 2): False,
        dt.date(2031, 10, 3): False,
        dt.date(2031, 10, 6): False,
        dt.date(2031, 10, 7): False,
        dt.date(2031, 10, 11): True,
    }
    appeal.refresh_from_db()
    assert (appeal.deadline, appeal.deadline_provisional) == (end_of(2031, 10, 11), False)
    assert Assignment.objects.get(appeal=appeal).deadline == end_of(2031, 10, 11)
    event = AppealEvent.objects.get(appeal=appeal, kind=EventKind.DEADLINE_RECOUNTED)
    assert event.data["deadline"] == end_of(2031, 10, 11).isoformat()
    audit = AuditEvent.objects.get(action="workdays.notice_loaded")
    assert audit.detail["deadlines_moved"] == 1
    assert rules.add_working_days(dt.datetime(2031, 9, 30, 10, tzinfo=SHANGHAI), 1).at == end_of(2031, 10, 8)


def test_a_sheet_gives_the_same_days(it_client: Client) -> None:
    book = Workbook()
    sheet = book.create_sheet("2031", 0)
    sheet.append(["日期", "类型", "名称"])
    sheet.append([dt.date(2031, 10, 1), "休", "国庆节"])
    sheet.append(["2031-10-11", "班", "国庆节调休"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("2031.xlsx", buffer.getvalue())
    page = it_client.post(reverse(LOAD), {"year": "2031", "sheet": upload, "preview": "1"})
    assert page.status_code == 200
    assert [(d.date, d.is_workday, d.name) for d in page.context["days"]] == [
        (dt.date(2031, 10, 1), False, "国庆节"),
        (dt.date(2031, 10, 11), True, "国庆节调休"),
    ]


def test_a_typed_deadline_is_not_moved(it_client: Client, actors: Actors) -> None:
    appeal = _running_appeal(actors, provisional=False)
    page = it_client.post(reverse(LOAD), {"year": "2031", "lines": NOTICE, "preview": "1"})
    assert str(appeal.number) not in page.content.decode()
    it_client.post(reverse(LOAD), {"year": "2031", "lines": NOTICE, "confirm": "1"})
    appeal.refresh_from_db()
    assert appeal.deadline == end_of(2031, 10, 6)


def test_bad_lines_are_named_and_nothing_is_saved(it_client: Client) -> None:
    lines = "2031-10-01 休\n2031-13-01 休\n2030-10-02 休\n2031-10-03 放风\n2031-10-01 班"
    page = it_client.post(reverse(LOAD), {"year": "2031", "lines": lines, "confirm": "1"})
    assert page.status_code == 200
    errors = " ".join(page.context["form"].non_field_errors())
    assert "第2行" in errors and "第3行" in errors and "第4行" in errors and "第5行" in errors
    assert not CalendarYear.objects.exists()
    assert not CalendarDay.objects.exists()


def test_only_those_who_keep_the_calendar_load_a_notice(actors: Actors) -> None:
    clerk = User.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    client = Client()
    client.force_login(clerk)
    assert client.post(reverse(LOAD), {"year": "2031", "lines": NOTICE, "confirm": "1"}).status_code == 403
    assert not CalendarYear.objects.exists()


def _confirm_years_in_use() -> None:
    today = local_today()
    for year in {today.year, today.year + 1}:
        CalendarYear.objects.update_or_create(year=year, defaults={"confirmed": True, "source": Source.ADMIN})


def test_the_dispatchers_list_names_the_provisional_year_until_it_is_loaded(actors: Actors) -> None:
    client = Client()
    client.force_login(actors.dispatcher)
    year = local_today().year
    CalendarYear.objects.create(year=year + 1, confirmed=True)  # only this year is missing
    page = client.get("/appeals/").content.decode()
    assert f"{year}年节假日安排尚未公布，按暂定日历计算" in page
    handler = Client()
    handler.force_login(actors.handler_edu)
    assert "节假日安排尚未公布" not in handler.get("/appeals/").content.decode()  # not the dispatcher
    _confirm_years_in_use()
    assert "节假日安排尚未公布" not in client.get("/appeals/").content.decode()


def test_the_sla_page_names_the_provisional_year(it_client: Client) -> None:
    changelist = reverse("admin:appeals_slarule_changelist")
    year = local_today().year
    CalendarYear.objects.create(year=year + 1, confirmed=True)  # only this year is missing
    assert f"{year}年节假日安排尚未公布" in it_client.get(changelist).content.decode()
    _confirm_years_in_use()
    assert "节假日安排尚未公布" not in it_client.get(changelist).content.decode()


def test_next_year_is_named_from_november(settings: Any) -> None:
    assert rules.provisional_years(dt.date(2031, 10, 31)) == [2031]
    assert rules.provisional_years(dt.date(2031, 11, 1)) == [2031, 2032]
    CalendarYear.objects.create(year=2031, confirmed=True)
    assert rules.provisional_years(dt.date(2031, 11, 1)) == [2032]
