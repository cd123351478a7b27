"""The demo: 11 weak village branches in 7 joint general branches with 21 tasks (18 signed off), 4
branches cleared by decision, and the river-dredging item with 11 of 11 km done, all read from the
records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from minyi.demo import org as org_demo
from minyi.demo import partybuilding as demo
from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import IssueState
from minyi.ledger.models import Campaign, Issue
from minyi.partybuilding import rules
from minyi.partybuilding.models import JointBranch

pytestmark = pytest.mark.django_db


def test_the_demo_reads_11_weak_branches_in_7_joint_branches_and_11_km_dredged() -> None:
    org_demo.seed(households=200)
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="QZLX2026",
        name="党的群众路线教育实践活动",
        starts_on=today - timedelta(days=270),
        ends_on=today - timedelta(days=30),
    )
    made = demo.seed(campaign)
    assert made["weak"] == 11 and made["joint_branches"] == 7
    figures = rules.summary(campaign)
    assert (figures.weak, figures.joint_branches, figures.cleared) == (11, 7, 4)
    assert (figures.tasks, figures.tasks_signed_off) == (21, 18)
    for joint in JointBranch.objects.prefetch_related("members"):
        roles = [m.role for m in joint.members.all()]
        assert roles.count("advanced") == 1 and 1 <= roles.count("weak") <= 2
    dredging = Issue.objects.get(title="河道清淤疏浚")
    assert dredging.state == IssueState.SIGNED_OFF and ledger_rules.progress(dredging) == 100
    assert ledger_rules.quantity_text(dredging).replace(" ", "") in ("完成疏浚11公里", "疏浚11公里done")
    assert demo.seed(campaign) == {}  # once only
