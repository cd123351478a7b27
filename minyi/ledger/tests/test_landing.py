"""Where the ledger takes its users: a new item opens on its own page, and the ledger list opens on
what needs action (overdue, then waiting for a sign-off decision, then open), signed-off items last."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minyi.ledger import rules
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign, Issue
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(actors: Actors) -> Campaign:
    return Campaign.objects.create(
        code="QZLX", name="群众路线教育实践活动", starts_on=date(2020, 1, 1), ends_on=date(2099, 12, 31)
    )


def item(actors: Actors, campaign: Campaign, title: str, days: int) -> Issue:
    today = timezone.localdate()
    return rules.create_issue(
        campaign=campaign,
        title=title,
        track=Track.FIX_IN_CAMPAIGN,
        lead_unit=actors.edu,
        leader=actors.leader,
        deadline=today + timedelta(days=max(days, 1)),
        actor=actors.dispatcher,
    )


def test_a_new_item_opens_on_its_own_page(actors: Actors, campaign: Campaign, client: Client) -> None:
    client.force_login(actors.dispatcher)
    form = {
        "campaign": campaign.pk,
        "source": "own",
        "title": "东村路灯整治",
        "track": Track.FIX_NOW,
        "lead_unit": actors.edu.pk,
        "leader": actors.leader.pk,
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
    }
    response = client.post(reverse("ledger:new"), form, follow=True)
    issue = Issue.objects.get()
    assert response.redirect_chain == [(reverse("ledger:detail", args=[issue.pk]), 302)]
    page = response.content.decode()
    assert "东村路灯整治" in page and "已创建整改事项" in page


def test_the_ledger_opens_on_what_needs_action(actors: Actors, campaign: Campaign, client: Client) -> None:
    done = item(actors, campaign, "已销号事项", 1)
    rules.submit_for_signoff(done, actor=actors.handler_edu, evidence="已完成，附照片")
    rules.agree_signoff(done, actor=actors.head_edu)
    rules.decide_signoff(done, actor=actors.leader, approve=True)
    item(actors, campaign, "正在整改事项", 5)
    waiting = item(actors, campaign, "待审核销号事项", 30)
    rules.submit_for_signoff(waiting, actor=actors.handler_edu, evidence="已完成，附照片")
    late = item(actors, campaign, "已超期事项", 10)
    # Time passed: its deadline is now behind us.
    Issue.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    Issue.objects.filter(pk=done.pk).update(deadline=timezone.localdate() - timedelta(days=30))
    client.force_login(actors.leader)
    page = client.get(reverse("ledger:list")).content.decode()
    titles = re.findall(r'<a href="/ledger/\d+/">([^<]+)</a>', page)
    assert titles == ["已超期事项", "待审核销号事项", "正在整改事项", "已销号事项"]
