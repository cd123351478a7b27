"""The item page (/ledger/<pk>/): progress reports with evidence, the three sign-off steps through the
page, the plan, conversion, the timeline, who sees what, and the sign-off register."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minyi.appeals.choices import State
from minyi.ledger import rules
from minyi.ledger.choices import EventKind, IssueState, Track
from minyi.ledger.models import Campaign, Issue, IssueFile
from minyi.testing import Actors

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def campaign() -> Campaign:
    return Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                                   ends_on=date(2026, 12, 31))  # fmt: skip


def make(actors: Actors, campaign: Campaign, track: str = Track.FIX_NOW, **fields: Any) -> Issue:
    values: dict[str, Any] = {
        "campaign": campaign,
        "title": "东村路灯长期不亮",
        "track": track,
        "lead_unit": actors.edu,
        "leader": actors.leader,
        "deadline": timezone.localdate() + timedelta(days=30),
        "actor": actors.dispatcher,
    }
    return rules.create_issue(**{**values, **fields})


def post(client: Any, issue: Issue, action: str, **data: Any) -> Any:
    issue.refresh_from_db()
    return client.post(f"/ledger/{issue.pk}/{action}/", {"version": issue.version, **data})


def test_handler_reports_progress_with_a_photo_that_only_viewers_can_open(
    client: Any, actors: Actors, campaign: Campaign
) -> None:
    issue = make(actors, campaign)
    client.force_login(actors.handler_edu)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    assert post(client, issue, "report", text="已更换路灯2盏", attachments=[photo]).status_code == 302
    page = client.get(f"/ledger/{issue.pk}/").content.decode()
    assert "已更换路灯2盏" in page and "现场.png" in page
    assert issue.events.filter(kind=EventKind.REPORT).count() == 1
    stored = IssueFile.objects.get()
    assert client.get(f"/ledger/{issue.pk}/files/{stored.pk}/").status_code == 200
    client.force_login(actors.handler_housing)  # another unit: the item and its files do not exist
    assert client.get(f"/ledger/{issue.pk}/").status_code == 404
    assert client.get(f"/ledger/{issue.pk}/files/{stored.pk}/").status_code == 404


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_and_nothing_is_saved(
    client: Any, actors: Actors, campaign: Campaign
) -> None:
    issue = make(actors, campaign)
    client.force_login(actors.handler_edu)
    script = SimpleUploadedFile("证据.png", b"#!/bin/sh\nrm -rf /", content_type="image/png")
    response = post(client, issue, "report", text="已整改", attachments=[script])
    assert response.status_code == 400
    assert "证据.png" in response.content.decode()
    assert not issue.reports.exists() and not IssueFile.objects.exists()


def test_sign_off_through_the_page_reject_once_then_approve_answers_the_appeals(
    client: Any, actors: Actors, campaign: Campaign
) -> None:
    from minyi.appeals.tests.factories import in_progress

    appeals = [in_progress(actors) for _ in range(2)]
    issue = make(actors, campaign, appeals=appeals)
    client.force_login(actors.handler_edu)
    page = client.get(f"/ledger/{issue.pk}/").content.decode()
    assert "panel-submit" in page and "panel-decide" not in page
    assert post(client, issue, "submit", evidence="").status_code == 400  # evidence required
    assert post(client, issue, "submit", evidence="路灯已全部更换").status_code == 302
    client.force_login(actors.head_edu)
    assert post(client, issue, "agree").status_code == 302
    client.force_login(actors.dispatcher)  # not the supervising leader: no panel, and refused
    assert "panel-decide" not in client.get(f"/ledger/{issue.pk}/").content.decode()
    assert post(client, issue, "decide", decision="approve").status_code == 403
    client.force_login(actors.leader)
    response = post(client, issue, "decide", decision="reject", reason="")
    assert response.status_code == 400  # a rejection needs its reason
    assert Issue.objects.get(pk=issue.pk).state == IssueState.UNIT_AGREED
    assert post(client, issue, "decide", decision="reject", reason="缺少照片").status_code == 302
    assert Issue.objects.get(pk=issue.pk).state == IssueState.OPEN
    client.force_login(actors.handler_edu)
    post(client, issue, "submit", evidence="补充照片，路灯已全部更换")
    client.force_login(actors.head_edu)
    post(client, issue, "agree")
    client.force_login(actors.leader)
    page = client.get(f"/ledger/{issue.pk}/").content.decode()
    assert "补充照片" in page  # the default reply is drafted from the evidence
    assert (
        post(client, issue, "decide", decision="approve", reply="经整改，路灯已全部修好。").status_code == 302
    )
    issue.refresh_from_db()
    assert issue.state == IssueState.SIGNED_OFF and issue.signed_off_at is not None
    for appeal in appeals:
        appeal.refresh_from_db()
        assert appeal.state == State.REPLIED
        assert appeal.replies.get(state="sent").body == "经整改，路灯已全部修好。"
    kinds = list(issue.events.values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "agreed", "rejected", "submitted", "agreed", "approved"]
    page = client.get(f"/ledger/{issue.pk}/").content.decode()
    assert "缺少照片" in page  # the rejection and its reason stay on the record


def test_a_page_made_stale_by_a_decision_is_refused(client: Any, actors: Actors, campaign: Campaign) -> None:
    issue = make(actors, campaign)
    stale = issue.version  # the handler opened the page here, then the item went round once
    rules.submit_for_signoff(issue, actor=actors.head_edu, evidence="已整改")
    rules.agree_signoff(issue, actor=actors.head_edu)
    rules.decide_signoff(issue, actor=actors.leader, approve=False, reason="未见成效")
    client.force_login(actors.handler_edu)
    response = client.post(f"/ledger/{issue.pk}/submit/", {"version": stale, "evidence": "已整改"})
    assert response.status_code == 409 and 'id="action-error"' in response.content.decode()  # a conflict
    assert issue.signoffs.count() == 1
    assert Issue.objects.get(pk=issue.pk).state == IssueState.OPEN


def test_conversion_and_plan_through_the_page(client: Any, actors: Actors, campaign: Campaign) -> None:
    issue = make(actors, campaign, Track.FIX_IN_CAMPAIGN)
    client.force_login(actors.handler_edu)  # a handler does not convert items
    assert "panel-convert" not in client.get(f"/ledger/{issue.pk}/").content.decode()
    assert post(client, issue, "convert", reason="需要三年").status_code == 403
    client.force_login(actors.dispatcher)
    assert post(client, issue, "convert", reason="").status_code == 400
    assert post(client, issue, "convert", reason="需要跨年度资金").status_code == 302
    issue.refresh_from_db()
    assert issue.track == Track.LONG_TERM and issue.original_track == Track.FIX_IN_CAMPAIGN
    late = (issue.deadline + timedelta(days=1)).isoformat()
    response = post(client, issue, "milestone", title="完成施工", due_on=late, owner=actors.edu.pk)
    assert response.status_code == 400 and not issue.milestones.exists()
    post(client, issue, "milestone", title="完成设计", due_on=issue.deadline.isoformat(), owner=actors.edu.pk)
    step = issue.milestones.get()
    client.force_login(actors.handler_edu)
    assert post(client, issue, "milestone-done", milestone=step.pk, evidence="设计已批复").status_code == 302
    page = client.get(f"/ledger/{issue.pk}/").content.decode()
    assert "100%" in page and "需要跨年度资金" in page


def test_the_register_lists_signed_off_items_with_approver_and_evidence(
    client: Any, actors: Actors, campaign: Campaign
) -> None:
    done = make(actors, campaign, title="集贸市场占道经营")
    rules.submit_for_signoff(done, actor=actors.handler_edu, evidence="占道摊位全部迁入市场")
    rules.agree_signoff(done, actor=actors.head_edu)
    rules.decide_signoff(done, actor=actors.leader, approve=True)
    make(actors, campaign, title="还在整改的事项")
    client.force_login(actors.head_edu)
    page = client.get("/ledger/register/").content.decode()
    assert "集贸市场占道经营" in page and "占道摊位全部迁入市场" in page and "还在整改的事项" not in page
    assert actors.leader.person.name in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "集贸市场占道经营" not in client.get("/ledger/register/", {"from": tomorrow}).content.decode()


def test_ledger_filters_by_unit_and_leader_and_the_sentence_follows(
    client: Any, actors: Actors, campaign: Campaign
) -> None:
    make(actors, campaign, title="教育局的事项")
    make(actors, campaign, title="住建局的事项", lead_unit=actors.housing)
    client.force_login(actors.leader)
    page = client.get("/ledger/", {"unit": actors.housing.code}).content.decode()
    assert "住建局的事项" in page and "教育局的事项" not in page and "立即改 1 项" in page
    page = client.get("/ledger/", {"leader": actors.leader.pk}).content.decode()
    assert "立即改 2 项" in page


def test_an_overdue_item_shows_its_supervision_notices_and_leaders_may_issue_one(
    client: Any, actors: Actors, campaign: Campaign
) -> None:
    from minyi.supervision.rules import sweep

    issue = make(actors, campaign, title="西村河道淤塞")
    Issue.objects.filter(pk=issue.pk).update(deadline=timezone.localdate() - timedelta(days=2))  # now late
    assert sum(sweep().values()) >= 1
    client.force_login(actors.head_edu)
    page = client.get(f"/ledger/{issue.pk}/").content.decode()
    assert 'id="h-notices"' in page and 'id="issue-notice"' not in page
    assert issue.events.filter(kind=EventKind.NOTICE).exists()  # on the item's timeline too
    client.force_login(actors.leader)
    assert 'id="issue-notice"' in client.get(f"/ledger/{issue.pk}/").content.decode()


def test_a_step_of_a_signed_off_item_is_not_reported_done_on_the_page(
    client: Any, actors: Actors, campaign: Campaign
) -> None:
    issue = make(actors, campaign, Track.LONG_TERM)
    step = rules.add_milestone(issue, actor=actors.dispatcher, title="完成设计", due_on=issue.deadline,
                               owner=actors.edu)  # fmt: skip
    client.force_login(actors.handler_edu)
    assert "panel-milestone_done" in client.get(f"/ledger/{issue.pk}/").content.decode()
    rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="已整改")
    rules.agree_signoff(issue, actor=actors.head_edu)
    rules.decide_signoff(issue, actor=actors.leader, approve=True)
    assert "panel-milestone_done" not in client.get(f"/ledger/{issue.pk}/").content.decode()
    response = post(client, issue, "milestone-done", milestone=step.pk, evidence="设计图")
    assert response.status_code == 409 and 'id="action-error"' in response.content.decode()
    step.refresh_from_db()
    assert step.done_at is None
