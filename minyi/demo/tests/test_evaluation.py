"""The demo evaluation: one form about the townships, about 600 answers, about 40 comment appeals, once."""

from __future__ import annotations

from datetime import date

import pytest

from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal
from minyi.demo import evaluation as demo
from minyi.evaluation import results
from minyi.evaluation.choices import FormState
from minyi.evaluation.models import EvaluationForm, Response
from minyi.ledger.models import Campaign
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_demo_seeds_once_and_its_results_show(actors: Actors) -> None:
    campaign = Campaign.objects.create(
        code="C", name="活动", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    made = demo.seed(campaign)
    assert made == {"evaluation_forms": 1, "evaluation_answers": 600, "evaluation_comments": 40}
    assert demo.seed(campaign) == {}
    form = EvaluationForm.objects.get()
    assert form.state == FormState.CLOSED and form.campaign == campaign
    assert Response.objects.count() == 600
    assert Appeal.objects.filter(channel=Channel.EVALUATION).count() == 40
    summary = results.summary(campaign)
    assert summary["answers"] == 600
    assert all(row["mean"] is not None and 1 <= row["mean"] <= 5 for row in summary["units"])
