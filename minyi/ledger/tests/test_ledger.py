"""The ledger's first slice: items, conversion to long-term work, sign-off in three steps, and the
summary offices write ("立即改 26 项, 已完成 26 项; 边学边改 31 项, 已完成 25 项, 转常态 6 项")."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from minyi.ledger import rules
from minyi.ledger.choices import IssueState, Track
from minyi.ledger.models import Campaign, Issue
from minyi.testing import Actors

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)


@pytest.fixture
def campaign(actors: Actors) -> Campaign:
    return Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                                   ends_on=date(2026, 12, 31))  # fmt: skip


def new_issue(actors: Actors, campaign: Campaign, track: str, **fields: object) -> Issue:
    values: dict[str, object] = {
        "campaign": campaign,
        "title": "东村路灯长期不亮",
        "track": track,
        "lead_unit": actors.edu,
        "leader": actors.leader,
        "deadline": TODAY + timedelta(days=30),
        "actor": actors.dispatcher,
    }
    values.update(fields)
    return rules.create_issue(**values)  # type: ignore[arg-type]


def sign_off(actors: Actors, issue: Issue) -> Issue:
    rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="更换路灯3盏，附照片")
    rules.agree_signoff(issue, actor=actors.head_edu)
    return rules.decide_signoff(issue, actor=actors.leader, approve=True)


def test_the_campaign_summary_counts_closed_and_converted_items(actors: Actors, campaign: Campaign) -> None:
    for _ in range(3):
        sign_off(actors, new_issue(actors, campaign, Track.FIX_NOW))
    in_campaign = [new_issue(actors, campaign, Track.FIX_IN_CAMPAIGN) for _ in range(4)]
    sign_off(actors, in_campaign[0])
    sign_off(actors, in_campaign[1])
    rules.convert_to_long_term(in_campaign[2], actor=actors.dispatcher, reason="需要三年资金投入")
    new_issue(actors, campaign, Track.FIX_NOW, deadline=TODAY - timedelta(days=1))  # late
    figures = {f.track: f for f in rules.summary(campaign=campaign, today=TODAY)}
    assert (figures["fix_now"].total, figures["fix_now"].closed, figures["fix_now"].overdue) == (4, 3, 1)
    fix_in = figures["fix_in_campaign"]
    assert (fix_in.total, fix_in.closed, fix_in.converted_to_long_term, fix_in.open) == (4, 2, 1, 2)
    assert Issue.objects.get(pk=in_campaign[2].pk).track == Track.LONG_TERM


def test_summary_command_prints_json_for_a_campaign(actors: Actors, campaign: Campaign) -> None:
    sign_off(actors, new_issue(actors, campaign, Track.FIX_NOW))
    out = StringIO()
    call_command("ledger", "summary", "--campaign", "QZLX", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["fix_now"]["total"] == 1 and data["fix_now"]["closed"] == 1
    assert set(data) == {"fix_now", "fix_in_campaign", "long_term"}


def test_sign_off_needs_evidence_the_unit_head_and_the_supervising_leader(
    actors: Actors, campaign: Campaign
) -> None:
    issue = new_issue(actors, campaign, Track.FIX_NOW)
    with pytest.raises(ValidationError):
        rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="  ")
    with pytest.raises(PermissionDenied):
        rules.submit_for_signoff(issue, actor=actors.handler_housing, evidence="不是我们单位的")
    rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="已整改")
    with pytest.raises(PermissionDenied):
        rules.agree_signoff(issue, actor=actors.handler_edu)  # a handler is not the unit head
    rules.agree_signoff(issue, actor=actors.head_edu)
    with pytest.raises(PermissionDenied):
        rules.decide_signoff(issue, actor=actors.dispatcher, approve=True)
    with pytest.raises(ValidationError):
        rules.decide_signoff(issue, actor=actors.leader, approve=False, reason="")
    rules.decide_signoff(issue, actor=actors.leader, approve=False, reason="照片不能说明问题已解决")
    assert Issue.objects.get(pk=issue.pk).state == IssueState.OPEN  # back to work
    assert sign_off(actors, issue).state == IssueState.SIGNED_OFF


def test_signed_off_or_fix_now_items_are_not_converted(actors: Actors, campaign: Campaign) -> None:
    done = sign_off(actors, new_issue(actors, campaign, Track.FIX_IN_CAMPAIGN))
    with pytest.raises(ValidationError):
        rules.convert_to_long_term(done, actor=actors.dispatcher, reason="太晚了")
    with pytest.raises(ValidationError):
        rules.convert_to_long_term(
            new_issue(actors, campaign, Track.FIX_NOW), actor=actors.dispatcher, reason="x"
        )


def test_supervising_leader_must_be_a_leader(actors: Actors, campaign: Campaign) -> None:
    with pytest.raises(ValidationError):
        new_issue(actors, campaign, Track.FIX_NOW, leader=actors.dispatcher)
    assert not Issue.objects.exists()


def test_long_term_plan_progress_comes_from_its_milestones(actors: Actors, campaign: Campaign) -> None:
    issue = new_issue(actors, campaign, Track.LONG_TERM, deadline=TODAY + timedelta(days=365))
    assert rules.progress(issue) is None
    first = rules.add_milestone(
        issue, actor=actors.dispatcher, title="完成设计", due_on=TODAY, owner=actors.edu
    )
    rules.add_milestone(issue, actor=actors.dispatcher, title="完成施工", due_on=TODAY + timedelta(days=200),
                        owner=actors.edu)  # fmt: skip
    with pytest.raises(ValidationError):
        rules.add_milestone(issue, actor=actors.dispatcher, title="太晚", due_on=TODAY + timedelta(days=400),
                            owner=actors.edu)  # fmt: skip
    with pytest.raises(ValidationError):
        rules.complete_milestone(first, actor=actors.handler_edu, evidence="")
    with pytest.raises(PermissionDenied):
        rules.complete_milestone(first, actor=actors.handler_housing, evidence="设计图")
    rules.complete_milestone(first, actor=actors.handler_edu, evidence="设计图已批复")
    assert rules.progress(issue) == 50
    assert issue.milestones.count() == 2


def test_sign_off_answers_every_linked_appeal_still_open(actors: Actors, campaign: Campaign) -> None:
    from minyi.appeals.choices import State
    from minyi.appeals.tests.factories import in_progress, new_appeal, replied
    from minyi.worker.models import Job

    waiting, working, answered = new_appeal(actors), in_progress(actors), replied(actors)
    issue = new_issue(actors, campaign, Track.FIX_NOW, appeals=[waiting, working, answered])
    rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="全村路灯已全部更换")
    rules.agree_signoff(issue, actor=actors.head_edu)
    assert "全村路灯已全部更换" in rules.default_reply(issue)
    rules.decide_signoff(issue, actor=actors.leader, approve=True, reply="经整改，全村路灯已全部更换。")
    for appeal in (waiting, working):
        appeal.refresh_from_db()
        assert appeal.state == State.REPLIED
        assert appeal.replies.get(state="sent").body == "经整改，全村路灯已全部更换。"
    assert answered.replies.count() == 1  # it had its answer already
    assert sum("经整改" in j.payload["text"] for j in Job.objects.filter(kind="notify.sms")) == 2


def test_ledger_page_shows_the_summary_line_and_the_users_items(
    client: Any, actors: Actors, campaign: Campaign
) -> None:
    sign_off(actors, new_issue(actors, campaign, Track.FIX_NOW))
    new_issue(actors, campaign, Track.FIX_IN_CAMPAIGN, title="西村河道整治")
    new_issue(actors, campaign, Track.FIX_NOW, title="住建局的事项", lead_unit=actors.housing)
    client.force_login(actors.leader)
    page = client.get("/ledger/", {"campaign": "QZLX"}).content.decode()
    assert "立即改 2 项，已完成 1 项" in page and "边学边改 1 项，已完成 0 项" in page
    assert "西村河道整治" in page
    client.force_login(actors.head_edu)  # a unit head sees the items of the unit's subtree only
    page = client.get("/ledger/").content.decode()
    assert "西村河道整治" in page and "住建局的事项" not in page
    assert "立即改 1 项，已完成 1 项" in page
    client.force_login(actors.member)
    assert client.get("/ledger/").status_code == 403


def test_dispatcher_makes_an_item_of_three_appeals_selected_in_the_inbox(
    client: Any, actors: Actors, campaign: Campaign
) -> None:
    from minyi.appeals.tests.factories import new_appeal

    appeals = [new_appeal(actors, title=f"东村路灯不亮 {i}") for i in range(3)]
    client.force_login(actors.dispatcher)
    inbox = client.get("/appeals/").content.decode()
    assert 'form="make-issue"' in inbox
    numbers = [a.number for a in appeals]
    page = client.get("/ledger/new/", {"appeal": numbers}).content.decode()
    assert all(n in page for n in numbers)
    form = {
        "appeal": numbers,
        "campaign": campaign.pk,
        "title": "东村路灯整治",
        "track": Track.FIX_NOW,
        "lead_unit": actors.edu.pk,
        "leader": actors.leader.pk,
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
    }
    assert client.post("/ledger/new/", {**form, "deadline": "2000-01-01"}).status_code == 400
    assert not Issue.objects.exists()
    response = client.post("/ledger/new/", form)
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert set(issue.appeals.values_list("number", flat=True)) == set(numbers)
    client.force_login(actors.handler_edu)
    assert client.get("/ledger/new/").status_code == 403
