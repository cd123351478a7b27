"""/supervision/new/ without parameters: a page to choose what to supervise, never a bare 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minyi.ledger import rules as ledger
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_a_leader_without_a_target_chooses_one(actors: Actors, client: Client) -> None:
    campaign = Campaign.objects.create(
        code="QZLX", name="活动", starts_on=date(2020, 1, 1), ends_on=date(2099, 1, 1)
    )
    item = ledger.create_issue(
        campaign=campaign,
        title="东村路灯长期不亮",
        track=Track.FIX_NOW,
        lead_unit=actors.edu,
        leader=actors.leader,
        deadline=timezone.localdate() + timedelta(days=10),
        actor=actors.dispatcher,
    )
    client.force_login(actors.leader)
    response = client.get(reverse("supervision:new"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "请选择要督办的诉求或整改事项" in page and "我督办的事项" in page
    chosen = f"{reverse('supervision:new')}?issue={item.pk}"
    assert f'href="{chosen}"' in page
    assert client.get(chosen).status_code == 200
    unknown = client.get(reverse("supervision:new"), {"appeal": "NOPE-1"})
    assert unknown.status_code == 404 and "未找到“NOPE-1”" in unknown.content.decode()
    assert client.get(reverse("supervision:new"), {"issue": "abc"}).status_code == 404


def test_a_handler_is_still_refused(actors: Actors, client: Client) -> None:
    client.force_login(actors.handler_edu)
    assert client.get(reverse("supervision:new")).status_code == 403
