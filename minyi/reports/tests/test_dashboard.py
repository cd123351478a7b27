"""The dashboards: the daily summary equals a fresh count after a mixed series of writes (on SQLite and
on PostgreSQL), hand-counted figures, the viewer's scope, and every number linking to its list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal, Category
from minyi.org.models import Unit
from minyi.reports import dashboard, summary
from minyi.reports.models import AppealDayCount
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


def _submit(
    actors: Actors, channel: str, kind: str = Kind.HELP, village: Unit | None = None, **extra: Any
) -> Appeal:
    return appeal_rules.submit(
        channel=channel,
        kind=kind,
        title="路灯不亮",
        body="村口路灯坏了",
        village=village or actors.village,
        **extra,
    ).appeal


def _all_scopes(actors: Actors) -> list[Unit | None]:
    return [None, actors.town, actors.other_town, actors.edu, actors.housing]


def _assert_summary_is_fresh(actors: Actors, first: dt.date, last: dt.date) -> None:
    for unit in _all_scopes(actors):
        assert summary.counts(unit, first, last) == summary.fresh_counts(unit, first, last), unit


def test_the_summary_equals_a_fresh_count_after_mixed_writes(actors: Actors) -> None:
    today = timezone.localdate()
    first, last = today - dt.timedelta(days=10), today
    roads = Category.objects.create(code="ROAD", name="道路")
    lights = Category.objects.create(code="LIGHT", name="路灯", parent=roads)
    a = _submit(actors, Channel.HOTLINE)
    b = _submit(actors, Channel.HOTLINE, village=actors.other_village)
    c = _submit(actors, Channel.MAILBOX, kind=Kind.COMPLAINT, category=lights)
    d = _submit(actors, Channel.LETTER, received_at=timezone.now() - dt.timedelta(days=3))
    _assert_summary_is_fresh(actors, first, last)
    appeal_rules.dispatch(a, lead=actors.edu, actor=actors.dispatcher)  # the lead unit changes
    appeal_rules.merge(b, into=a, actor=actors.dispatcher)  # merged duplicates are not counted
    appeal_rules.correct(c, actor=actors.dispatcher, expected_version=c.version, kind=Kind.SUGGESTION)
    Appeal.objects.filter(pk=d.pk).delete()
    _assert_summary_is_fresh(actors, first, last)
    district = summary.counts(None, first, last)
    # a (hotline, edu) and c (mailbox, 道路 via 路灯): b merged, d deleted.
    assert district["channel"] == {"hotline": 1, "mailbox": 1}
    assert district["kind"] == {"help": 1, "suggestion": 1}
    assert district["category"] == {"": 1, str(roads.pk): 1}
    assert district["township"] == {str(actors.town.pk): 2}
    assert summary.counts(actors.edu, first, last)["channel"] == {"hotline": 1}
    assert summary.counts(actors.other_town, first, last)["channel"] == {}
    assert summary.daily(None, first, last) == {today: 2}


def test_a_bulk_load_is_counted_after_the_next_read(actors: Actors) -> None:
    today = timezone.localdate()
    _submit(actors, Channel.HOTLINE)
    summary.refresh()
    AppealDayCount.objects.all().delete()  # as if rows went in past the rules
    summary.touch_everything()
    assert summary.counts(None, today, today)["channel"] == {"hotline": 1}


def test_dashboard_panels_link_every_number_to_its_list(actors: Actors) -> None:
    _submit(actors, Channel.HOTLINE)
    _submit(actors, Channel.HOTLINE)
    _submit(actors, Channel.MAILBOX, village=actors.other_village)
    view = dashboard.live_view(None)
    panels = {panel.key: panel for panel in dashboard.panels(view)}
    channel = panels["channel"]
    assert sorted(row.value for row in channel.rows) == [1, 2]
    period = f"received_from={view.first.isoformat()}&received_to={view.last.isoformat()}"
    assert {row.link for row in channel.rows} == {
        f"/appeals/?channel=mailbox&{period}",
        f"/appeals/?channel=hotline&{period}",
    }
    assert len(panels["daily"].rows) == dashboard.LIVE_DAYS
    assert panels["due"].rows[0].value == 3  # three open appeals
    assert set(panels) >= {
        "kind",
        "category",
        "township",
        "rates",
        "rate_trend",
        "ledger",
        "coverage",
        "study",
    }


def test_a_unit_head_sees_their_unit_and_the_district_office_everything(actors: Actors) -> None:
    appeal = _submit(actors, Channel.HOTLINE)
    appeal_rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    _submit(actors, Channel.MAILBOX)
    client = Client()
    client.login(username=actors.head_edu.username, password=PASSWORD)
    page = client.get("/reports/")
    assert page.status_code == 200
    assert [str(u) for u in page.context["form"].fields["unit"].queryset] == [str(actors.edu)]
    panels = {panel.key: panel for panel in page.context["panels"]}
    assert [row.value for row in panels["channel"].rows] == [1]  # only the appeal the bureau leads
    assert client.get("/reports/", {"unit": actors.town.pk}).status_code == 400  # not theirs
    client.login(username=actors.dispatcher.username, password=PASSWORD)
    page = client.get("/reports/")
    panels = {panel.key: panel for panel in page.context["panels"]}
    assert sum(row.value for row in panels["channel"].rows) == 2
    assert b'id="dashboard-charts"' in page.content and b"echarts.min.js" in page.content
    client.login(username=actors.handler_edu.username, password=PASSWORD)
    assert client.get("/reports/").status_code == 403
