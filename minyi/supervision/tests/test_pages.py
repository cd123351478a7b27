"""Supervision pages through HTTP: who sees which notice, the unit's answer form, the leader's form and
the briefing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import dispatched
from minyi.ledger import rules as ledger
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign
from minyi.supervision import rules
from minyi.supervision.models import Notice
from minyi.supervision.queries import notices_for
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def leaders_notice(actors: Actors, **fields: object) -> Notice:
    appeal = dispatched(actors, **fields)
    return rules.issue_notice(
        appeal, actor=actors.leader, text="请说明路灯维修进展", answer_by=timezone.localdate()
    )


def test_the_unit_sees_its_notices_and_other_units_do_not(actors: Actors) -> None:
    notice = leaders_notice(actors)
    for user in (actors.handler_edu, actors.head_edu, actors.leader, actors.dispatcher, actors.auditor):
        page = client_for(user).get(reverse("supervision:list"))
        assert page.status_code == 200
        assert f'href="{reverse("supervision:detail", args=[notice.pk])}"' in page.content.decode()
    other = client_for(actors.handler_housing)
    assert (
        reverse("supervision:detail", args=[notice.pk])
        not in other.get(reverse("supervision:list")).content.decode()
    )
    assert other.get(reverse("supervision:detail", args=[notice.pk])).status_code == 404
    for user in (actors.member, actors.nobody, actors.admin):
        assert client_for(user).get(reverse("supervision:list")).status_code == 403
    assert Client().get(reverse("supervision:list")).status_code == 302  # to the login page


def test_list_filters_by_level_unanswered_and_late(actors: Actors) -> None:
    answered = leaders_notice(actors)
    rules.answer_notice(answered, actor=actors.handler_edu, text="已修复")
    waiting = leaders_notice(actors, title="西村垃圾无人清运")
    client = client_for(actors.dispatcher)

    def shown(query: str) -> set[int]:
        html = client.get(reverse("supervision:list") + query).content.decode()
        return {n.pk for n in (answered, waiting) if reverse("supervision:detail", args=[n.pk]) in html}

    assert shown("") == {answered.pk, waiting.pk}
    assert shown("?unanswered=on") == {waiting.pk}
    assert shown("?level=red") == set()
    assert shown("?late=on") == set()


def test_the_list_takes_the_same_queries_for_more_notices(actors: Actors) -> None:
    leaders_notice(actors)
    client = client_for(actors.dispatcher)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("supervision:list"))
    for _ in range(5):
        leaders_notice(actors)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("supervision:list"))
    assert len(many) == len(few)


def test_the_unit_answers_on_the_notice_page_and_others_may_not(actors: Actors) -> None:
    notice = leaders_notice(actors)
    url = reverse("supervision:detail", args=[notice.pk])
    assert "<textarea" not in client_for(actors.leader).get(url).content.decode()
    assert client_for(actors.leader).post(url, {"answer": "我来答"}).status_code == 403
    handler = client_for(actors.handler_edu)
    assert "<textarea" in handler.get(url).content.decode()
    assert handler.post(url, {"answer": "  "}).status_code == 400
    response = handler.post(url, {"answer": "已于今日修复路灯三盏"})
    assert response.status_code == 302
    page = handler.get(url).content.decode()
    assert "已于今日修复路灯三盏" in page and "<textarea" not in page
    notice.refresh_from_db()
    assert notice.answered_by == actors.handler_edu
    again = client_for(actors.head_edu).post(url, {"answer": "再答一次"})
    assert again.status_code == 302
    notice.refresh_from_db()
    assert notice.answer == "已于今日修复路灯三盏"


def test_a_leader_issues_a_notice_on_the_form(actors: Actors) -> None:
    appeal = dispatched(actors)
    url = reverse("supervision:new") + f"?appeal={appeal.number}"
    assert client_for(actors.dispatcher).get(url).status_code == 403
    assert client_for(actors.handler_edu).get(url).status_code == 403
    leader = client_for(actors.leader)
    assert leader.get(url).status_code == 200
    assert leader.get(reverse("supervision:new") + "?appeal=999999").status_code == 404
    refused = leader.post(url, {"text": "请说明进展", "answer_by": "2020-01-01"})
    assert refused.status_code == 400 and not Notice.objects.exists()
    assert leader.post(url, {"text": "请说明进展", "answer_by": ""}).status_code == 400
    tomorrow = timezone.localdate() + timedelta(days=1)
    done = leader.post(url, {"text": "请三日内说明进展", "answer_by": tomorrow.isoformat()})
    notice = Notice.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("supervision:detail", args=[notice.pk])
    assert (notice.appeal, notice.answer_by, notice.issued_by) == (appeal, tomorrow, actors.leader)


def test_a_leader_issues_a_notice_about_an_item(actors: Actors) -> None:
    campaign = Campaign.objects.create(
        code="QZLX", name="活动", starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31)
    )
    deadline = timezone.localdate() + timedelta(days=10)
    item = ledger.create_issue(campaign=campaign, title="东村路灯长期不亮", track=Track.FIX_NOW,
                               lead_unit=actors.edu, leader=actors.leader, deadline=deadline,
                               actor=actors.dispatcher)  # fmt: skip
    leader = client_for(actors.leader)
    url = reverse("supervision:new") + f"?issue={item.pk}"
    assert leader.get(url).status_code == 200
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert leader.post(url, {"text": "请加快整改", "answer_by": tomorrow}).status_code == 302
    notice = Notice.objects.get(issue=item)
    detail = client_for(actors.head_edu).get(reverse("supervision:detail", args=[notice.pk]))
    assert reverse("ledger:detail", args=[item.pk]) in detail.content.decode()


def test_the_briefing_page_names_late_red_notices_in_scope(actors: Actors) -> None:
    appeal = dispatched(actors)
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - timedelta(days=21))
    rules.sweep(now=timezone.now() - timedelta(days=10))
    url = reverse("supervision:briefing")
    assert appeal.number is not None
    assert appeal.number in client_for(actors.leader).get(url).content.decode()
    assert appeal.number in client_for(actors.head_edu).get(url).content.decode()
    housing = client_for(actors.handler_housing).get(url)
    assert housing.status_code == 200 and appeal.number not in housing.content.decode()
    assert client_for(actors.member).get(url).status_code == 403


def test_the_notices_of_a_target_render_for_its_detail_page(actors: Actors) -> None:
    notice = leaders_notice(actors)
    assert notice.appeal is not None
    html = render_to_string(
        "supervision/_notices.html", {"notices": notices_for(notice.appeal, actors.handler_edu)}
    )
    assert reverse("supervision:detail", args=[notice.pk]) in html and "区教育局" in html
    assert not list(notices_for(notice.appeal, actors.outsider))


def test_home_page_links_to_the_notices(actors: Actors) -> None:
    assert reverse("supervision:list") in client_for(actors.handler_edu).get("/").content.decode()
    assert reverse("supervision:list") not in client_for(actors.member).get("/").content.decode()
