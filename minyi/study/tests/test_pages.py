"""Study pages through HTTP: who sees what, the check-in page with its errors, organiser forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minyi.study import rules
from minyi.study.models import Attendance, Material, Reminder
from minyi.study.tests.conftest import Study
from minyi.testing import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_organisers_see_activities_and_sessions_others_do_not(study: Study) -> None:
    a = study.actors
    for user in (a.cadre, a.leader, a.dispatcher, a.auditor):
        page = client_for(user).get(reverse("study:list"))
        assert page.status_code == 200 and "巡回宣讲进村" in page.content.decode()
    assert client_for(a.member).get(reverse("study:list")).status_code == 403
    assert client_for(a.outsider).get(reverse("study:list")).status_code == 403
    detail = client_for(a.cadre).get(reverse("study:activity", args=[study.tour.pk])).content.decode()
    assert "海上宣讲" in detail and "闽渔8号" in detail
    session = client_for(a.cadre).get(reverse("study:session", args=[study.s1.pk])).content.decode()
    assert study.s1.code in session and "陈党员" in session
    assert f"check-in/?code={study.s1.code}" in session


def test_cadre_adds_an_activity_and_a_session(study: Study) -> None:
    client = client_for(study.actors.cadre)
    page = client.post(reverse("study:activity_new"), {"kind": "report", "title": "专题报告会"})
    assert page.status_code == 302
    pk = int(page["Location"].rstrip("/").split("/")[-1])
    bad = client.post(
        reverse("study:activity", args=[pk]), {"starts_at": "2026-12-01T09:00", "topic": "无地点"}
    )
    assert bad.status_code == 400 and "a place or a ship" in bad.content.decode()
    good = client.post(
        reverse("study:activity", args=[pk]),
        {"starts_at": "2026-12-01T09:00", "topic": "报告", "place": "礼堂", "branches": [study.branch_a.pk]},
    )
    assert good.status_code == 302


def test_member_checks_in_and_sees_clear_errors(actors: object) -> None:
    from minyi.study.tests.conftest import build_study

    study = build_study(actors, attendances=False)  # type: ignore[arg-type]
    session = rules.add_session(study.tour, starts_at=timezone.now(), topic="今天", place="东村", actor=None)
    client = client_for(study.actors.member)
    assert client.get(reverse("study:check_in")).status_code == 200
    expired = client.post(reverse("study:check_in"), {"code": study.s1.code})
    assert expired.status_code == 400 and "This check-in code has expired." in expired.content.decode()
    other = client.post(reverse("study:session_check_in", args=[session.pk]), {"code": study.s2.code})
    assert "This code belongs to another session." in other.content.decode()
    ok = client.post(reverse("study:session_check_in", args=[session.pk]), {"code": session.code})
    assert ok.status_code == 302
    again = client.post(reverse("study:check_in"), {"code": session.code})
    assert "You have already checked in to this session." in again.content.decode()
    assert Attendance.objects.filter(session=session).count() == 1
    assert Attendance.objects.count() == 1


def test_branch_page_lists_who_is_left_behind_and_sends_reminders(study: Study) -> None:
    client = client_for(study.actors.cadre)
    url = reverse("study:branch", args=[study.branch_b.pk]) + "?date_from=2026-10-01&date_to=2026-12-31"
    page = client.get(url).content.decode()
    assert "海员乙" in page.split('id="left-behind"')[1].split("</ul>")[0]
    assert client.post(url, {"what": "remind"}).status_code == 302
    assert client.post(url, {"what": "remind"}).status_code == 302
    assert Reminder.objects.count() == 1
    bad = client.post(
        url, {"what": "material", "kind": "book", "title": "读本", "count": "0", "handed_on": "2026-10-02"}
    )
    assert bad.status_code == 400
    assert (
        client.post(
            url,
            {"what": "material", "kind": "disc", "title": "光盘", "count": "3", "handed_on": "2026-10-02"},
        ).status_code
        == 302
    )
    assert Material.objects.filter(branch=study.branch_b, kind="disc").exists()
    assert client_for(study.actors.outsider).get(url).status_code == 403


def test_summary_page_shows_the_campaign_figures(study: Study) -> None:
    page = (
        client_for(study.actors.leader)
        .get(reverse("study:summary"), {"campaign": "STUDY26"})
        .content.decode()
    )
    assert 'id="f-members">3 / 4<' in page and 'id="f-mobile">1 / 2<' in page and 'id="f-behind">1<' in page


def test_summary_page_refuses_a_reversed_period(study: Study) -> None:
    page = client_for(study.actors.leader).get(
        reverse("study:summary"), {"date_from": "2026-10-31", "date_to": dt.date(2026, 10, 1).isoformat()}
    )
    assert "The period ends before it starts." in page.content.decode()
