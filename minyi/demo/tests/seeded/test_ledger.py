"""The demo campaign: the figures of the real one it is modelled on ("立即改26项已全部完成，边学边改31项
已完成25项，6项转为常态整改", 1.3万多条意见建议), read from the records by the ledger's own summary."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from minyi.appeals.choices import Channel, ReplyState, State
from minyi.appeals.models import Appeal, Reply
from minyi.demo import ledger as demo
from minyi.ledger.choices import IssueState, Track
from minyi.ledger.models import Campaign, Issue, SignOff
from minyi.supervision.models import Notice

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]  # seeded once: conftest.py

FIELD_CHANNELS = {Channel.MAILBOX, Channel.HOTLINE, Channel.AGRI_HOTLINE, Channel.SYMPOSIUM,
                  Channel.EVALUATION, Channel.VISIT, Channel.LETTER, Channel.WALK_IN}  # fmt: skip


def summary(code: str) -> dict[str, dict[str, int]]:
    out = StringIO()
    call_command("ledger", "summary", "--campaign", code, "--json", stdout=out)
    data: dict[str, dict[str, int]] = json.loads(out.getvalue())
    return data


def test_seed_demo_loads_a_campaign_that_reads_26_of_26_and_31_25_6(seeded: str) -> None:
    assert f"Campaign {demo.CAMPAIGN_NAME}: appeals 13," in seeded
    code, starts, ends = demo.campaign_span(timezone.localdate())
    campaign = Campaign.objects.get(code=code)
    assert (campaign.name, campaign.starts_on, campaign.ends_on) == (demo.CAMPAIGN_NAME, starts, ends)

    figures = summary(code)
    assert (figures["fix_now"]["total"], figures["fix_now"]["closed"]) == (26, 26)
    fix_in = figures["fix_in_campaign"]
    assert (fix_in["total"], fix_in["closed"], fix_in["converted_to_long_term"]) == (31, 25, 6)
    assert figures["long_term"]["total"] >= 2 and figures["long_term"]["overdue"] >= 1

    # "1.3万多条" from every channel, in every month of the campaign, across the district.
    appeals = Appeal.objects.filter(received_at__date__gte=starts, received_at__date__lte=ends)
    assert 13_000 <= appeals.count() <= 13_400
    assert set(appeals.values_list("channel", flat=True).distinct()) == FIELD_CHANNELS
    months = {timezone.localtime(at).month for at in appeals.values_list("received_at", flat=True)}
    assert len(months) == 8
    assert appeals.values("township").distinct().count() == 7
    states = dict(appeals.order_by().values_list("state").annotate(n=Count("id")))
    assert states[State.CLOSED] > 0.8 * appeals.count()  # most closed with replies, a few still open
    assert 0 < states.get(State.IN_PROGRESS, 0) + states.get(State.DISPATCHED, 0) < 300

    # Each item that became long-term work says why and has a plan, partly done with evidence.
    converted = Issue.objects.filter(campaign=campaign, original_track=Track.FIX_IN_CAMPAIGN,
                                     track=Track.LONG_TERM)  # fmt: skip
    assert converted.count() == 6
    for issue in converted:
        steps = list(issue.milestones.all())
        assert issue.converted_reason and 2 <= len(steps) <= 4, issue.title
        assert any(s.done_at is not None and s.evidence for s in steps), issue.title
    today = timezone.localdate()
    assert all(issue.deadline > ends for issue in converted)  # the plan runs past the campaign
    late_steps = [s for i in converted for s in i.milestones.all() if s.done_at is None and s.due_on < today]
    assert 1 <= len(late_steps) <= 2

    # Every signed-off item was approved by its own supervising leader after its unit head agreed,
    # some after a rejection with a reason, and every appeal linked to it has its answer.
    # (Of the two campaign tracks: the long-term track also holds the village party organisations'
    # rectification tasks and the dredging works, which minyi.demo.partybuilding signs off its own way.)
    signed = Issue.objects.filter(
        campaign=campaign,
        state=IssueState.SIGNED_OFF,
        original_track__in=[Track.FIX_NOW, Track.FIX_IN_CAMPAIGN],
    )
    assert signed.count() == 51
    approvals = SignOff.objects.filter(issue__in=signed, approved=True)
    assert approvals.count() == 51
    assert all(
        s.decided_by_id == s.issue.leader_id and s.agreed_by_id for s in approvals.select_related("issue")
    )
    assert SignOff.objects.filter(issue__in=signed, approved=False).exclude(reason="").exists()
    linked = Appeal.objects.filter(issues__in=signed)
    assert linked.count() > 50
    assert set(linked.values_list("state", flat=True)) <= {State.REPLIED, State.CLOSED}
    assert not linked.exclude(replies__state=ReplyState.SENT).exists()
    # Those still open when their item was signed off were answered by the sign-off itself.
    assert any(Reply.objects.filter(appeal__issues=i, body__contains=i.title).exists() for i in signed)

    # The overdue items have their supervision notices.
    overdue = Issue.objects.filter(
        campaign=campaign, state=IssueState.OPEN, deadline__lt=timezone.localdate()
    )
    assert overdue.exists()
    assert Notice.objects.filter(issue__in=overdue).exists()

    # Loading again changes nothing.
    counts = (Appeal.objects.count(), Issue.objects.count(), Notice.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert demo.seed() == {}
    assert (Appeal.objects.count(), Issue.objects.count(), Notice.objects.count()) == counts
    assert summary(code) == figures
