"""The demo role models: loaded through the rules, shown in townships during the campaign (never in the
future), linked to the campaign's study activities, counted by the summary, and loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from minyi.audit.models import AuditEvent
from minyi.demo import exemplars as demo
from minyi.exemplars import rules
from minyi.exemplars.models import ActivityExemplar, Exemplar, Showing
from minyi.exemplars.tests.conftest import TODAY
from minyi.ledger.models import Campaign
from minyi.study.tests.conftest import build_study
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_the_summary_counts_it(actors: Actors) -> None:
    study = build_study(actors, attendances=False)
    made = demo.seed(study.campaign, today=TODAY)
    # Two townships in the test district: each exhibition and the film tour both of them.
    assert made == {"exemplars": 6, "materials": 10, "showings": 6, "links": 5}
    assert demo.seed(study.campaign, today=TODAY) == {
        "exemplars": 0,
        "materials": 0,
        "showings": 0,
        "links": 0,
    }
    assert Exemplar.objects.count() == 6
    mediator = Exemplar.objects.get(name="林秀英")
    assert (mediator.level, mediator.place) == ("close_to_home", "海城镇东村")
    showings = Showing.objects.all()
    assert {s.unit.name for s in showings if s.unit} == {"海城镇", "青山镇"}
    assert all(study.campaign.starts_on <= s.shown_on <= TODAY for s in showings)
    figures = rules.summary(study.campaign)
    assert figures["exemplars"] == {"national": 2, "provincial": 1, "local": 1, "close_to_home": 2}
    assert figures["showings_by_kind"]["exhibition"] == {"showings": 4, "audience": 320 + 260 + 260 + 410}
    assert figures["showings"] == 6 and figures["audience"] == 320 + 260 + 260 + 410 + 150 + 90
    # tour (焦裕禄, 杨善洲 and, round again, 陈海生), discussion (谷文昌), research (林秀英); not the report
    assert figures["activities_linked"] == 3
    assert ActivityExemplar.objects.count() == 5
    assert AuditEvent.objects.filter(action__startswith="exemplars.").count() == 6 + 10 + 6 + 5


def test_demo_of_a_campaign_not_begun_shows_nothing(actors: Actors) -> None:
    later = Campaign.objects.create(
        code="NEXT",
        name="下一期",
        starts_on=TODAY + dt.timedelta(days=10),
        ends_on=TODAY + dt.timedelta(days=90),
    )
    made = demo.seed(later, today=TODAY)
    assert made["exemplars"] == 6 and made["showings"] == 0 and made["links"] == 0
