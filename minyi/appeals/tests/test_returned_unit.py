"""A unit that gave an appeal back no longer acts on it (issue 16, item 3): it still sees the appeal it
once held, but pausing, resuming, progress, drafting a reply, deciding its old draft and the dispatcher's
decision on its old extension request are refused through the page and the API — nothing changes. A
co-unit notes progress but neither stops the clock nor replies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from minyi.appeals import rules
from minyi.appeals.choices import ExtensionState, ReplyState, State, WaitingFor
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import in_progress, lead_assignment
from minyi.testing import Actors
from minyi.worker.models import Job

pytestmark = pytest.mark.django_db

STEPS: dict[str, dict[str, Any]] = {
    "pause": {"waiting_for": WaitingFor.THIRD_PARTY, "reason": "等待第三方检测报告"},
    "resume": {"note": "检测报告已到"},
    "progress": {"note": "已派人到现场查看"},
    "draft-reply": {"body": "已处理完毕。"},
}


def snapshot(appeal: Appeal) -> tuple[Any, ...]:
    fresh = Appeal.objects.get(pk=appeal.pk)
    return (
        fresh.state,
        fresh.version,
        fresh.paused_at,
        fresh.deadline,
        fresh.events.count(),
        fresh.pauses.count(),
        fresh.replies.count(),
        Job.objects.count(),
    )


def refused_everywhere(user: Any, appeal: Appeal, step: str, statuses: set[int]) -> None:
    """``user``'s page POST and API call of ``step`` are refused with one of ``statuses``; nothing changes."""
    before = snapshot(appeal)
    page = Client()
    page.force_login(user)
    posted = page.post(f"/appeals/{appeal.number}/{step}/", {"version": appeal.version, **STEPS[step]})
    assert posted.status_code in statuses, (user.username, step, posted.status_code)
    rest = APIClient()
    rest.force_login(user)
    called = rest.post(f"/api/v1/appeals/{appeal.number}/{step}/", STEPS[step], format="json")
    assert called.status_code in statuses, (user.username, step, called.status_code, called.content)
    assert snapshot(appeal) == before, (user.username, step)


def test_right_after_giving_it_back_the_unit_can_neither_pause_resume_note_nor_reply(actors: Actors) -> None:
    appeal = in_progress(actors)
    rules.pause_clock(appeal, actor=actors.handler_edu, waiting_for=WaitingFor.CITIZEN, reason="等待补充材料")
    appeal = rules.return_to_dispatcher(
        lead_assignment(appeal), actor=actors.handler_edu, reason="不归我们管"
    )
    assert appeal.state == State.RECEIVED
    for step in STEPS:
        refused_everywhere(actors.handler_edu, appeal, step, {409})  # the appeal waits for dispatch


def test_once_another_unit_holds_it_the_unit_that_gave_it_back_is_refused(actors: Actors) -> None:
    appeal = in_progress(actors)
    rules.return_to_dispatcher(lead_assignment(appeal), actor=actors.handler_edu, reason="不归我们管")
    appeal = rules.dispatch(appeal, lead=actors.housing, co_units=[actors.town], actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_housing)
    appeal.refresh_from_db()
    for step in ("pause", "progress", "draft-reply"):
        refused_everywhere(actors.handler_edu, appeal, step, {403})
    rules.pause_clock(
        appeal, actor=actors.handler_housing, waiting_for=WaitingFor.THIRD_PARTY, reason="等检测"
    )
    appeal.refresh_from_db()
    refused_everywhere(actors.handler_edu, appeal, "resume", {403})
    # The co-unit notes progress, but the clock and the reply are the lead unit's.
    refused_everywhere(actors.town_handler, appeal, "resume", {403})
    refused_everywhere(actors.town_handler, appeal, "draft-reply", {403})
    client = Client()
    client.force_login(actors.town_handler)
    noted = client.post(
        f"/appeals/{appeal.number}/progress/", {"version": appeal.version, **STEPS["progress"]}
    )
    assert noted.status_code == 302
    # The lead unit still may (so the refusals above are about the unit, not the step).
    client.force_login(actors.handler_housing)
    resumed = client.post(f"/appeals/{appeal.number}/resume/", {"version": appeal.version, **STEPS["resume"]})
    assert resumed.status_code == 302


def test_the_draft_of_a_unit_that_gave_the_appeal_back_is_never_approved_nor_blocks_the_new_lead(
    actors: Actors,
) -> None:
    appeal = in_progress(actors)
    stale = rules.draft_reply(appeal, actor=actors.handler_edu, body="教育局的答复：已处理。")
    rules.return_to_dispatcher(lead_assignment(appeal), actor=actors.handler_edu, reason="不归我们管")
    appeal = rules.dispatch(appeal, lead=actors.housing, actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_housing)
    appeal.refresh_from_db()
    before = snapshot(appeal)
    page = Client()
    page.force_login(actors.head_edu)
    approved = page.post(
        f"/appeals/{appeal.number}/approve-reply/",
        {"version": appeal.version, "reply": stale.pk, "body": stale.body},
    )
    assert approved.status_code == 409
    assert "不再" in approved.content.decode() or "no longer" in approved.content.decode()
    rest = APIClient()
    rest.force_login(actors.head_edu)
    called = rest.post(f"/api/v1/appeals/{appeal.number}/approve-reply/", {"reply": stale.pk}, format="json")
    assert called.status_code == 409, called.content
    sent_back = rest.post(
        f"/api/v1/appeals/{appeal.number}/send-back-reply/",
        {"reply": stale.pk, "note": "重写"},
        format="json",
    )
    assert sent_back.status_code == 409, sent_back.content
    assert snapshot(appeal) == before
    stale.refresh_from_db()
    assert stale.state == ReplyState.SUBMITTED and stale.sent_at is None
    # 住建局 drafts its own reply: the old draft does not stand in the way.
    page.force_login(actors.handler_housing)
    drafted = page.post(
        f"/appeals/{appeal.number}/draft-reply/", {"version": appeal.version, "body": "住建局已修复。"}
    )
    assert drafted.status_code == 302


def test_an_extension_asked_by_a_unit_that_gave_the_appeal_back_is_not_decided(actors: Actors) -> None:
    appeal = in_progress(actors)
    extension = rules.request_extension(
        lead_assignment(appeal), actor=actors.handler_edu, days=2, reason="需协调"
    )
    rules.return_to_dispatcher(lead_assignment(appeal), actor=actors.handler_edu, reason="不归我们管")
    appeal.refresh_from_db()
    before = snapshot(appeal)
    rest = APIClient()
    rest.force_login(actors.dispatcher)
    called = rest.post(
        f"/api/v1/appeals/{appeal.number}/decide-extension/",
        {"extension": extension.pk, "decision": "approve"},
        format="json",
    )
    assert called.status_code == 409, called.content
    page = Client()
    page.force_login(actors.dispatcher)
    posted = page.post(
        f"/appeals/{appeal.number}/decide-extension/",
        {"version": appeal.version, "extension": extension.pk, "decision": "approve"},
    )
    assert posted.status_code == 409
    assert snapshot(appeal) == before
    extension.refresh_from_db()
    assert extension.state == ExtensionState.PENDING
