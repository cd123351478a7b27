"""The actions of the loop are defined once (minyi.appeals.actions): each has its page URL and its API
endpoint, its page form and API body take the same fields, and a panel is offered exactly when the rule
would accept the action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from minyi.api.tests.helpers import api_as
from minyi.appeals import rules
from minyi.appeals.actions import ACTIONS, Action, Target, offered, perform
from minyi.appeals.choices import FollowupBy, Satisfaction, WaitingFor
from minyi.appeals.models import Appeal, Assignment, Extension, Reply
from minyi.appeals.tests.factories import dispatched, in_progress, lead_assignment, new_appeal, replied
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_every_action_has_its_page_url_and_its_api_endpoint_with_its_operation(client: Client) -> None:
    schema = client.get("/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"}).json()
    for action in ACTIONS:
        page = reverse(f"appeals:{action.key}", args=["2026010100000001"])
        api = reverse(f"api:appeal-{action.slug}", args=["2026010100000001"])
        assert page == f"/appeals/2026010100000001/{action.slug}/"
        assert api == f"/api/v1/appeals/2026010100000001/{action.slug}/"
        operation = schema["paths"][f"/api/v1/appeals/{{number}}/{action.slug}/"]["post"]
        assert operation["operationId"] == f"appeal_{action.key}"
        assert operation["summary"] == action.summary


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.key)
def test_the_page_form_and_the_api_body_take_the_same_fields(action: Action) -> None:
    assert set(action.form.base_fields) - set(action.form.page_only_fields) == set(action.body().fields)


def test_the_api_body_resolves_codes_and_ids_with_an_error_at_each_field(actors: Actors) -> None:
    appeal = new_appeal(actors)
    dispatcher = api_as(actors.dispatcher)
    body = {"lead": "NOPE", "co_units": ["HOUSING"], "category": "nope", "version": appeal.version}
    assert dispatcher.act(appeal.number, "dispatch", body).json()["fields"] == {
        "lead": ["Unknown unit code NOPE."],
        "category": ["Unknown category code nope."],
    }
    both = {"lead": "EDU", "co_units": ["EDU"], "version": appeal.version}
    assert dispatcher.act(appeal.number, "dispatch", both).json()["fields"] == {
        "co_units": ["The lead unit cannot also be a co-handling unit."]
    }
    working = dispatched(actors)
    refused = api_as(actors.handler_housing).act(working.number, "accept", {"assignment": 10**9})
    assert refused.status_code == 404  # not his to see, whatever the body
    missing = api_as(actors.handler_edu).act(working.number, "accept", {"assignment": 10**9})
    assert missing.json()["fields"] == {"assignment": ["This appeal has no such assignment."]}
    accepted = api_as(actors.handler_edu).act(working.number, "accept")  # the unit's open assignment
    assert accepted.status_code == 200 and accepted.json()["message"] == "Accepted."


# --- offered exactly when the rule accepts ------------------------------------------------------------


def _sample(action: Action, appeal: Appeal, target: Target, master: Appeal) -> dict[str, Any]:
    """Valid input of ``action`` (as the page form or the API body cleans it)."""
    inputs: dict[str, dict[str, Any]] = {
        "answer_during_call": {"body": "可到政务服务中心医保窗口补办。", "publish": False},
        "dispatch": {"lead": master.lead_unit, "co_units": [], "instructions": "", "deadline": None,
                     "category": None},
        "correct": {"urgency": "urgent"},
        "merge": {"into": master},
        "reject": {"reason": "out_of_scope", "note": "不属于本区受理范围"},
        "unmerge": {},
        "follow_up": {"result": Satisfaction.SATISFIED, "comment": ""},
        "close": {"note": "多次联系不上"},
        "decide_extension": {"extension": target, "decision": "approve", "note": ""},
        "accept": {"assignment": target},
        "return": {"assignment": target, "reason": "不属于本单位职责"},
        "request_extension": {"assignment": target, "days": 1, "reason": "需协调"},
        "progress": {"note": "已到现场查看"},
        "pause": {"waiting_for": WaitingFor.CITIZEN, "reason": "请补充具体位置"},
        "resume": {"note": ""},
        "draft_reply": {"body": "已更换路灯。", "publish": False},
        "approve_reply": {"reply": target, "body": None},
        "send_back_reply": {"reply": target, "note": "请写明完成时间"},
    }  # fmt: skip
    return {"version": appeal.version, **inputs[action.key]}


def _accepts(action: Action, user: Any, appeal: Appeal, data: dict[str, Any]) -> bool:
    """Whether the rule runs with valid input (then everything it did is rolled back)."""
    try:
        with transaction.atomic():
            perform(action, user, appeal, data)
            transaction.set_rollback(True)
    except (ValidationError, PermissionDenied):
        return False
    return True


def _candidates(appeal: Appeal) -> dict[type[Target], list[Any]]:
    """The targets the staff page asks about (all the appeal's assignments, extensions and replies)."""
    assignments = list(appeal.assignments.select_related("unit"))
    return {
        Appeal: [appeal],
        Assignment: assignments,
        Extension: [e for a in assignments for e in a.extensions.all()],
        Reply: list(appeal.replies.select_related("unit")),
    }


def _received(actors: Actors) -> Appeal:
    return new_appeal(actors)


def _consultation_on_the_phone(actors: Actors) -> Appeal:
    """A consultation the operator took on the hotline: the operator may answer it during the call."""
    return new_appeal(actors, channel="hotline", kind="consultation", actor=actors.operator)


def _merged(actors: Actors) -> Appeal:
    appeal = new_appeal(actors)
    return rules.merge(appeal, into=new_appeal(actors), actor=actors.dispatcher)


def _with_co_unit(actors: Actors) -> Appeal:
    return rules.dispatch(
        new_appeal(actors), lead=actors.edu, co_units=[actors.town], actor=actors.dispatcher
    )


def _asking_for_time(actors: Actors) -> Appeal:
    appeal = in_progress(actors)
    rules.request_extension(lead_assignment(appeal), actor=actors.handler_edu, days=2, reason="需协调资金")
    return appeal


def _reply_waiting(actors: Actors) -> Appeal:
    appeal = in_progress(actors)
    rules.draft_reply(appeal, actor=actors.handler_edu, body="已修好。")
    return appeal


def _paused(actors: Actors) -> Appeal:
    appeal = in_progress(actors)
    rules.pause_clock(appeal, actor=actors.handler_edu, waiting_for=WaitingFor.THIRD_PARTY, reason="等待鉴定")
    return appeal


def _returned(actors: Actors) -> Appeal:
    """Given back by 教育局, whose staff still see it but no longer act on it."""
    appeal = dispatched(actors)
    return rules.return_to_dispatcher(lead_assignment(appeal), actor=actors.handler_edu, reason="不归我们管")


def _reopened(actors: Actors) -> Appeal:
    appeal = replied(actors)
    rules.follow_up(appeal, result=Satisfaction.UNSATISFIED, by=FollowupBy.CITIZEN)
    return appeal


STATES: dict[str, Callable[[Actors], Appeal]] = {
    "received": _received,
    "consultation_on_the_phone": _consultation_on_the_phone,
    "merged": _merged,
    "dispatched_with_a_co_unit": _with_co_unit,
    "in_progress": in_progress,
    "asking_for_time": _asking_for_time,
    "reply_waiting": _reply_waiting,
    "paused": _paused,
    "replied": replied,
    "returned": _returned,
    "reopened": _reopened,
}
ACTORS = ("dispatcher", "operator", "handler_edu", "head_edu", "handler_housing", "town_handler", "auditor")


@pytest.mark.parametrize("state", STATES)
def test_a_panel_is_offered_exactly_when_the_rule_accepts(actors: Actors, state: str) -> None:
    appeal = Appeal.objects.select_related("concerns_unit").get(pk=STATES[state](actors).pk)
    # An earlier appeal to merge into, dispatched to 住建局 (the unit a dispatch hands to).
    master = rules.dispatch(new_appeal(actors), lead=actors.housing, actor=actors.dispatcher)
    candidates = _candidates(appeal)
    facts = {"assignments": candidates[Assignment], "extensions": candidates[Extension],
             "replies": candidates[Reply]}  # fmt: skip
    seen = 0
    for name in ACTORS:
        user = getattr(actors, name)
        panels = {(action.key, target.pk) for action, target in offered(user, appeal, **facts)}
        accepted = {
            (action.key, target.pk)
            for action in ACTIONS
            for target in candidates[action.target]
            if _accepts(action, user, appeal, _sample(action, appeal, target, master))
        }
        assert panels == accepted, (state, name)
        seen += len(panels)
    assert seen  # someone may act in every state: the comparison is not between two empty sets


def test_a_unit_that_gave_an_appeal_back_no_longer_works_on_it(actors: Actors) -> None:
    appeal = _returned(actors)  # 教育局 still sees it (it held it once)
    rules.dispatch(appeal, lead=actors.housing, co_units=[actors.town], actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_housing)
    with pytest.raises(PermissionDenied):
        rules.report_progress(appeal, actor=actors.handler_edu, note="还在办")
    # A co-handling unit notes its progress; the clock and the reply are the lead unit's.
    assert rules.report_progress(appeal, actor=actors.town_handler, note="镇里已派人")
    with pytest.raises(PermissionDenied):
        rules.pause_clock(appeal, actor=actors.town_handler, waiting_for=WaitingFor.CITIZEN, reason="等")
    with pytest.raises(PermissionDenied):
        rules.draft_reply(appeal, actor=actors.town_handler, body="已处理。")
