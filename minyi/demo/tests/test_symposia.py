"""The demo symposia on the small test district: symposia across the campaign's months, townships and
groups, and the campaign's existing symposium appeals linked to them, with no appeal added."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal
from minyi.demo import symposia as demo
from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.symposia.models import Opinion, Symposium
from minyi.symposia.summary import summary
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def _appeal(channel: str, township: Unit, day: date, name: str = "") -> Appeal:
    return appeal_rules.submit(
        channel=channel, kind=Kind.SUGGESTION, title="意见", body="座谈会上提的意见", township=township,
        citizen_name=name, received_at=datetime.combine(day, time(4), tzinfo=UTC),
    ).appeal  # fmt: skip


def test_demo_symposia_take_in_the_campaigns_symposium_appeals(actors: Actors) -> None:
    campaign = Campaign.objects.create(
        code="DEMO26", name="示范活动", starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30)
    )
    heard = [
        _appeal(Channel.SYMPOSIUM, town, date(2026, month, day), name)
        for town in (actors.town, actors.other_town)
        for month, day, name in ((3, 20, "王大海"), (4, 15, ""), (5, 3, ""), (6, 28, "李四"), (3, 1, ""))
    ]
    hotline = _appeal(Channel.HOTLINE, actors.town, date(2026, 4, 1))
    too_late = _appeal(Channel.SYMPOSIUM, actors.town, date(2026, 7, 2))
    appeals_before = Appeal.objects.count()

    made = demo.seed(campaign, count=12)

    assert made == {"symposia": 12, "opinions": len(heard)}
    assert Appeal.objects.count() == appeals_before
    symposia = list(Symposium.objects.all())
    assert len(symposia) == 12
    assert all(
        campaign.starts_on <= s.held_on <= campaign.ends_on and s.campaign == campaign for s in symposia
    )
    assert all(8 <= s.attendees <= 40 and str(s.attendees) in s.minutes for s in symposia)
    assert {s.held_on.month for s in symposia} == {3, 4, 5, 6}
    assert {s.township for s in symposia} == {actors.town, actors.other_town}
    assert len({s.group for s in symposia}) >= 3
    for appeal in heard:
        opinion = Opinion.objects.select_related("symposium").get(appeal=appeal)
        assert opinion.symposium.township == appeal.township
        assert opinion.speaker == appeal.citizen_name
        earlier = [
            s for s in symposia if s.township == appeal.township and s.held_on <= appeal.received_at.date()
        ]
        if earlier:  # held on or before the day it was received, when the township had one by then
            assert opinion.symposium.held_on <= appeal.received_at.date()
    assert not Opinion.objects.filter(appeal__in=[hotline, too_late]).exists()
    assert summary(campaign=campaign).total.opinions == len(heard)

    assert demo.seed(campaign, count=12) == {}  # once only
    assert Symposium.objects.count() == 12 and Opinion.objects.count() == len(heard)
