"""The whole appeal loop by script over /api/v1/, each step by the role that owns it, with tokens."""

from __future__ import annotations

from typing import Any

import pytest

from minyi.api.tests.helpers import api_as
from minyi.appeals.choices import State
from minyi.appeals.models import Appeal, Extension, Reply
from minyi.appeals.tests.factories import dispatched, in_progress, new_appeal, replied
from minyi.audit.models import AuditEvent
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "channel": "hotline",
    "kind": "complaint",
    "title": "东村路灯坏了",
    "body": "东村三组村口的路灯坏了三个月。",
    "village": "T1V1",
    "name": "王大海",
    "phone": "13900001111",
}


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return dict(response.json())


def test_a_script_runs_the_whole_loop(actors: Actors) -> None:
    operator, dispatcher = api_as(actors.operator), api_as(actors.dispatcher)
    handler, head = api_as(actors.handler_edu), api_as(actors.head_edu)

    number = ok(operator.post("/appeals/", SUBMISSION), 201)["number"]
    appeal = ok(dispatcher.get(f"/appeals/{number}/"))
    assert (appeal["state"], appeal["channel"]) == ("received", "hotline")

    done = ok(
        dispatcher.act(
            number, "dispatch", {"lead": "EDU", "instructions": "请一周内修复", "version": appeal["version"]}
        )
    )
    assert done["message"] == "The appeal was dispatched to 区教育局."
    assert (done["appeal"]["state"], done["appeal"]["lead_unit"]) == ("dispatched", "EDU")
    [assignment] = done["appeal"]["assignments"]
    assert (assignment["unit"], assignment["role"], assignment["state"]) == ("EDU", "lead", "pending")

    assert ok(handler.act(number, "accept"))["appeal"]["state"] == "in_progress"
    assert ok(handler.act(number, "progress", {"note": "已联系供电所"}))["message"]
    drafted = ok(handler.act(number, "draft-reply", {"body": "已更换路灯三盏。", "publish": True}))
    [reply] = drafted["appeal"]["replies"]
    assert reply["state"] == "submitted"

    approved = ok(head.act(number, "approve-reply", {"reply": reply["id"]}))
    assert approved["appeal"]["state"] == "replied"
    closed = ok(operator.act(number, "follow-up", {"result": "satisfied", "comment": "满意"}))
    assert closed["appeal"]["state"] == "closed"
    assert Appeal.objects.get(number=number).state == State.CLOSED
    # Every step is audited as the token's user, naming the token.
    dispatched_event = AuditEvent.objects.get(action="appeals.dispatched")
    assert dispatched_event.actor == actors.dispatcher
    assert dispatched_event.detail["via"] == "api"
    assert dispatched_event.detail["token"].startswith("test dispatcher (")


def test_unsatisfied_follow_up_reopens_for_dispatch(actors: Actors) -> None:
    appeal = replied(actors)
    done = ok(api_as(actors.dispatcher).act(appeal.number, "follow-up", {"result": "unsatisfied"}))
    assert done["appeal"]["state"] == "reopened"


def test_return_to_the_dispatcher(actors: Actors) -> None:
    appeal = dispatched(actors)
    done = ok(api_as(actors.handler_edu).act(appeal.number, "return", {"reason": "不属于本局职责"}))
    assert (done["appeal"]["state"], done["appeal"]["lead_unit"]) == ("received", None)


def test_extension_requested_and_approved(actors: Actors) -> None:
    appeal = in_progress(actors)
    before = appeal.deadline
    asked = ok(
        api_as(actors.handler_edu).act(appeal.number, "request-extension", {"days": 3, "reason": "需协调"})
    )
    [extension] = asked["appeal"]["extensions"]
    assert (extension["days"], extension["state"]) == (3, "pending")
    decided = ok(api_as(actors.dispatcher).act(appeal.number, "decide-extension", {"decision": "approve"}))
    assert decided["message"] == "The extension was approved."
    assert Extension.objects.get().state == "approved"
    appeal.refresh_from_db()
    assert before is not None and appeal.deadline is not None and appeal.deadline > before


def test_pause_and_resume_the_clock(actors: Actors) -> None:
    appeal = in_progress(actors)
    handler = api_as(actors.handler_edu)
    paused = ok(handler.act(appeal.number, "pause", {"waiting_for": "citizen", "reason": "需要具体位置"}))
    assert paused["appeal"]["due_status"] == "paused"
    resumed = ok(handler.act(appeal.number, "resume", {"note": "已收到"}))
    assert resumed["appeal"]["due_status"] != "paused"


def test_unit_head_sends_a_draft_back(actors: Actors) -> None:
    appeal = in_progress(actors)
    ok(api_as(actors.handler_edu).act(appeal.number, "draft-reply", {"body": "已处理。"}))
    done = ok(api_as(actors.head_edu).act(appeal.number, "send-back-reply", {"note": "请写明处理结果和时间"}))
    assert done["appeal"]["replies"][0]["state"] == "sent_back"


def test_dispatcher_rejects_merges_unmerges_corrects_and_closes(actors: Actors) -> None:
    dispatcher = api_as(actors.dispatcher)
    spam = new_appeal(actors)
    ok(
        dispatcher.act(
            spam.number, "reject", {"reason": "abusive", "note": "内容不当", "version": spam.version}
        )
    )
    first, second = new_appeal(actors), new_appeal(actors)
    merged = ok(dispatcher.act(second.number, "merge", {"into": first.number, "version": second.version}))
    assert (merged["appeal"]["state"], merged["appeal"]["master"]) == ("merged", first.number)
    assert ok(dispatcher.act(second.number, "unmerge"))["appeal"]["state"] == "received"
    corrected = ok(dispatcher.act(first.number, "correct", {"urgency": "urgent", "version": first.version}))
    assert corrected["appeal"]["urgency"] == "urgent"
    answered = replied(actors)
    done = ok(dispatcher.act(answered.number, "close", {"note": "无法联系", "version": answered.version}))
    assert done["appeal"]["state"] == "closed"
    assert Appeal.objects.get(pk=spam.pk).state == State.REJECTED


# --- refusals --------------------------------------------------------------------------------------


def test_stale_version_is_a_conflict(actors: Actors) -> None:
    appeal = new_appeal(actors)
    dispatcher = api_as(actors.dispatcher)
    ok(dispatcher.act(appeal.number, "correct", {"urgency": "urgent", "version": appeal.version}))
    response = dispatcher.act(appeal.number, "dispatch", {"lead": "EDU", "version": appeal.version})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Appeal.objects.get(pk=appeal.pk).state == State.RECEIVED


def test_version_is_required_where_the_rule_checks_it(actors: Actors) -> None:
    appeal = new_appeal(actors)
    response = api_as(actors.dispatcher).act(appeal.number, "dispatch", {"lead": "EDU"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"version"}


def test_an_illegal_transition_is_a_conflict_with_its_reason(actors: Actors) -> None:
    appeal = new_appeal(actors)
    response = api_as(actors.dispatcher).act(appeal.number, "close", {"note": "x", "version": appeal.version})
    assert response.status_code == 409
    assert response.json()["code"] == "illegal"


def test_a_role_that_may_see_but_not_act_is_refused_with_403(actors: Actors) -> None:
    appeal = dispatched(actors)
    response = api_as(actors.handler_edu).act(
        appeal.number, "dispatch", {"lead": "HOUSING", "version": appeal.version}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_unknown_unit_and_bad_body_are_field_errors(actors: Actors) -> None:
    appeal = new_appeal(actors)
    dispatcher = api_as(actors.dispatcher)
    response = dispatcher.act(appeal.number, "dispatch", {"lead": "NOPE", "version": appeal.version})
    assert (response.status_code, list(response.json()["fields"])) == (400, ["lead"])
    response = dispatcher.act(appeal.number, "reject", {"reason": "duplicate", "note": "", "version": 1})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"reason", "note"}
    response = dispatcher.client.post(
        f"/api/v1/appeals/{appeal.number}/progress/", "{not json", content_type="application/json",
        headers=dispatcher.headers(),
    )  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


# --- idempotency ----------------------------------------------------------------------------------


def test_a_retried_action_gets_the_first_answer_and_makes_nothing_twice(actors: Actors) -> None:
    appeal = in_progress(actors)
    handler = api_as(actors.handler_edu)
    first = handler.act(appeal.number, "draft-reply", {"body": "已处理。"}, key="draft-1")
    retry = handler.act(appeal.number, "draft-reply", {"body": "已处理。"}, key="draft-1")
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Reply.objects.count() == 1
    other = handler.act(appeal.number, "draft-reply", {"body": "另一份答复"}, key="draft-1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Reply.objects.count() == 1


def test_the_same_key_on_another_appeal_is_refused_and_changes_nothing_there(actors: Actors) -> None:
    first, second = in_progress(actors), in_progress(actors)
    handler = api_as(actors.handler_edu)
    done = handler.act(first.number, "draft-reply", {"body": "已处理。"}, key="draft-1")
    assert done.status_code == 200
    other = handler.act(second.number, "draft-reply", {"body": "已处理。"}, key="draft-1")
    assert other.status_code == 422
    assert other.json() == {
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was already used for another request "
        f"(POST /api/v1/appeals/{first.number}/draft-reply/); use a new key for each request.",
        "fields": {},
    }
    assert "Idempotent-Replayed" not in other.headers
    assert not Reply.objects.filter(appeal=second).exists()
    assert Appeal.objects.get(pk=second.pk).version == second.version
    # Another step of the same appeal is another target too.
    progress = handler.act(first.number, "progress", {"body": "已处理。"}, key="draft-1")
    assert progress.status_code == 422
    chinese = api_as(actors.handler_edu, language="zh-hans")
    chinese.act(first.number, "progress", {"note": "已联系"}, key="k-zh")
    refused = chinese.act(second.number, "progress", {"note": "已联系"}, key="k-zh")
    assert refused.status_code == 422 and "Idempotency-Key" in refused.json()["message"]
    assert refused.json()["message"] != refused.json()["message"].encode("ascii", "ignore").decode()
    # The same key on the same target still replays the first answer.
    retry = handler.act(first.number, "draft-reply", {"body": "已处理。"}, key="draft-1")
    assert (retry.status_code, retry.headers["Idempotent-Replayed"]) == (200, "true")
    assert retry.json() == done.json()
    assert Reply.objects.filter(appeal=first).count() == 1


def test_a_key_used_to_submit_an_appeal_is_refused_for_an_action(actors: Actors) -> None:
    dispatcher = api_as(actors.dispatcher)
    number = ok(dispatcher.post("/appeals/", SUBMISSION, key="k-1"), 201)["number"]
    version = Appeal.objects.get(number=number).version
    refused = dispatcher.act(number, "dispatch", {"lead": "EDU", "version": version}, key="k-1")
    assert (refused.status_code, refused.json()["code"]) == (422, "idempotency_key_reused")
    assert "(POST /api/v1/appeals/)" in refused.json()["message"]
    assert Appeal.objects.get(number=number).state == State.RECEIVED


def test_clients_do_not_see_each_others_answers_under_one_key(actors: Actors) -> None:
    appeal = in_progress(actors)
    handler, head = api_as(actors.handler_edu), api_as(actors.head_edu)
    mine = handler.act(appeal.number, "progress", {"note": "已联系供电所"}, key="same")
    theirs = head.act(appeal.number, "progress", {"note": "局长已督促"}, key="same")
    assert mine.status_code == theirs.status_code == 200
    assert "Idempotent-Replayed" not in theirs.headers
    notes = list(appeal.events.filter(kind="progress").values_list("note", flat=True))
    assert sorted(notes) == ["局长已督促", "已联系供电所"]


def test_a_refused_action_is_not_remembered_under_its_key(actors: Actors) -> None:
    appeal = new_appeal(actors)
    dispatcher = api_as(actors.dispatcher)
    bad = dispatcher.act(appeal.number, "dispatch", {"lead": "EDU", "version": 99}, key="d-1")
    assert bad.status_code == 409
    good = dispatcher.act(appeal.number, "dispatch", {"lead": "EDU", "version": appeal.version}, key="d-2")
    assert good.status_code == 200
