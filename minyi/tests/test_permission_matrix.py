"""The permission matrix (issue 16, the attack suite; docs/security.md): every action of the appeal loop
(minyi.appeals.actions.ACTIONS) and of a rectification item (minyi.ledger.actions.ACTIONS), and the staff
list and detail pages, × every named actor of minyi.testing × the target — the own unit's appeal or item
(区教育局's), another unit's (区住建局's), an appeal the actor's unit is recused from (回避, even one
assigned to it by mistake) and an appeal 区教育局 gave back (now 区住建局's) — asked through HTTP on the
page and on the API.

What is expected comes from the small explicit tables below, never from the guards themselves, so that
a guard that lets too much (or too little) through fails here. The appeals and items are made once per
module (inside the module's transaction); each case runs in its own savepoint, so an allowed action is
undone before the next case. Runs on SQLite and PostgreSQL alike (scripts/check.sh, DATABASE_URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from minyi.appeals import rules
from minyi.appeals.actions import ACTIONS
from minyi.appeals.choices import AssignmentRole, ExtensionState, ReplyState, WaitingFor
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import lead_assignment, new_appeal
from minyi.ledger import rules as ledger_rules
from minyi.ledger.actions import ACTIONS as LEDGER_ACTIONS
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign, Issue
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.rules import create_person
from minyi.testing import Actors

pytestmark = [pytest.mark.django_db, pytest.mark.matrix]

# --- the explicit tables -----------------------------------------------------------------------------

#: Every named actor of minyi.testing, and the code of their own unit (the unit 回避 is asked about).
ROLES: dict[str, str] = {
    "operator": "OFFICE",
    "dispatcher": "OFFICE",
    "handler_edu": "EDU",
    "handler_housing": "HOUSING",
    "head_edu": "EDU",
    "town_handler": "T1",
    "leader": "D",
    "cadre": "T1",
    "member": "T1V1",
    "auditor": "OFFICE",
    "admin": "OFFICE",
    "outsider": "T2",
    "nobody": "D",  # no unit at all: recused or not, it sees nothing
}
TARGETS = ("own", "other", "recused", "returned")
#: The unit holding each target (the appeal given back by 区教育局 is now 区住建局's).
HOLDER = {"own": "EDU", "other": "HOUSING", "returned": "HOUSING"}

#: The dispatcher's steps: the district office's, whichever unit holds the appeal.
DISTRICT_STEPS: dict[str, set[str]] = {
    "dispatch": {"dispatcher"},
    "correct": {"dispatcher"},
    "merge": {"dispatcher"},
    "reject": {"dispatcher"},
    "unmerge": {"dispatcher"},
    "follow_up": {"operator", "dispatcher"},
    "close": {"dispatcher"},
    "decide_extension": {"dispatcher"},
    # Only the operator who recorded a consultation answers it during the call: the world's appeals are
    # recorded by nobody of these roles, so every role is refused here (who may is tested in
    # minyi/appeals/tests with a consultation of the operator's own).
    "answer_during_call": set(),
}
_EDU_STAFF, _HOUSING_STAFF = {"handler_edu", "head_edu"}, {"handler_housing"}
#: The units' steps: only staff of the unit holding the appeal as lead (by the holding unit's code).
UNIT_STEPS: dict[str, dict[str, set[str]]] = {
    "accept": {"EDU": _EDU_STAFF, "HOUSING": _HOUSING_STAFF},
    "return": {"EDU": _EDU_STAFF, "HOUSING": _HOUSING_STAFF},
    "request_extension": {"EDU": _EDU_STAFF, "HOUSING": _HOUSING_STAFF},
    "progress": {"EDU": _EDU_STAFF, "HOUSING": _HOUSING_STAFF},
    "pause": {"EDU": _EDU_STAFF, "HOUSING": _HOUSING_STAFF},
    "resume": {"EDU": _EDU_STAFF, "HOUSING": _HOUSING_STAFF},
    "draft_reply": {"EDU": _EDU_STAFF, "HOUSING": _HOUSING_STAFF},
    "approve_reply": {"EDU": {"head_edu"}, "HOUSING": set()},  # 区住建局 has no head among the actors
    "send_back_reply": {"EDU": {"head_edu"}, "HOUSING": set()},
}
#: Who sees each target on the list and the detail page (district-wide roles, and the units it was
#: assigned to, now or before); nobody sees an appeal they are recused from.
_DISTRICT_VIEWERS = {"operator", "dispatcher", "leader", "auditor"}
VIEWERS: dict[str, set[str]] = {
    "own": _DISTRICT_VIEWERS | _EDU_STAFF,
    "other": _DISTRICT_VIEWERS | _HOUSING_STAFF,
    "returned": _DISTRICT_VIEWERS | _EDU_STAFF | _HOUSING_STAFF,
    "recused": set(),
}

#: The state each action needs, so that only who and which unit decide.
SCENARIO: dict[str, str] = {
    "dispatch": "received",
    "correct": "received",
    "merge": "received",
    "reject": "received",
    "unmerge": "merged",
    "follow_up": "replied",
    "close": "replied",
    "decide_extension": "asking_for_time",
    "answer_during_call": "received",
    "accept": "dispatched",
    "return": "dispatched",
    "request_extension": "in_progress",
    "progress": "in_progress",
    "pause": "in_progress",
    "resume": "paused",
    "draft_reply": "in_progress",
    "approve_reply": "reply_waiting",
    "send_back_reply": "reply_waiting",
}


def expected(action: str, role: str, target: str) -> bool:
    """Whether ``role`` may take ``action`` on ``target``: from the tables above only."""
    if target == "recused":
        return False
    if action in DISTRICT_STEPS:
        return role in DISTRICT_STEPS[action]
    return role in UNIT_STEPS[action][HOLDER[target]]


def test_the_tables_cover_every_action_and_actor() -> None:
    assert set(SCENARIO) == {a.key for a in ACTIONS} == set(DISTRICT_STEPS) | set(UNIT_STEPS)
    assert set(ROLES) == {name for name, kind in Actors.__annotations__.items() if kind == "User"}
    assert set(LEDGER_SCENARIO) == {a.key for a in LEDGER_ACTIONS}


# --- the world, made once per module -----------------------------------------------------------------


@dataclass
class World:
    """The appeals of each scenario and target (recused: one per unit code), the merge target, and the
    items of the ledger part."""

    appeals: dict[tuple[str, str], int] = field(default_factory=dict)  # (scenario, target or unit code)
    master: int = 0
    items: dict[tuple[str, str], int] = field(default_factory=dict)  # (ledger scenario, own/other)
    sessions: dict[str, str] = field(default_factory=dict)  # each role's session key, logged in once


def _bring(actors: Actors, appeal: Appeal, scenario: str, holder: str, head_housing: User) -> Appeal:
    """Bring a fresh (or returned) appeal to ``scenario`` with ``holder`` as its lead unit."""
    unit = actors.edu if holder == "EDU" else actors.housing
    handler = actors.handler_edu if holder == "EDU" else actors.handler_housing
    head = actors.head_edu if holder == "EDU" else head_housing
    if scenario in ("received", "merged"):
        if scenario == "merged":
            rules.merge(appeal, into=new_appeal(actors), actor=actors.dispatcher)
        return appeal
    appeal = rules.dispatch(appeal, lead=unit, actor=actors.dispatcher)
    if scenario == "dispatched":
        return appeal
    rules.accept(lead_assignment(appeal), actor=handler)
    if scenario == "asking_for_time":
        rules.request_extension(lead_assignment(appeal), actor=handler, days=2, reason="需协调")
    elif scenario == "paused":
        rules.pause_clock(appeal, actor=handler, waiting_for=WaitingFor.THIRD_PARTY, reason="等待鉴定")
    elif scenario in ("reply_waiting", "replied"):
        reply = rules.draft_reply(appeal, actor=handler, body="已修复路灯，恢复照明。")
        if scenario == "replied":
            rules.approve_reply(reply, actor=head)
    return appeal


def _made(actors: Actors, scenario: str, target: str, head_housing: User) -> Appeal:
    appeal = new_appeal(actors)
    if target == "returned":
        rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
        rules.return_to_dispatcher(lead_assignment(appeal), actor=actors.handler_edu, reason="不归我们管")
        appeal.refresh_from_db()
    return _bring(actors, appeal, scenario, HOLDER.get(target, "EDU"), head_housing)


@pytest.fixture(scope="module")
def world(_shared_actors: Actors, django_db_blocker: Any) -> World:
    """Every target of every scenario, made through the rules in the module's transaction."""
    actors = _shared_actors
    made = World()
    with django_db_blocker.unblock():
        head_housing = create_person(name="吴局长", unit=actors.housing, role=Role.UNIT_HEAD,
                                     username="head_housing", password_hash="!", actor=None).user  # fmt: skip
        assert head_housing is not None
        for scenario in set(SCENARIO.values()):
            for target in ("own", "other", "returned"):
                made.appeals[scenario, target] = _made(actors, scenario, target, head_housing).pk
            # Recused: the own unit's appeal, then found to concern the actor's unit (as if assigned by
            # mistake, or concerning it from the start and dispatched by an import): 回避 still holds.
            for code in set(ROLES.values()):
                appeal = _made(actors, scenario, "own", head_housing)
                Appeal.objects.filter(pk=appeal.pk).update(concerns_unit=Unit.objects.get(code=code))
                made.appeals[scenario, code] = appeal.pk
        made.master = new_appeal(actors).pk
        _make_items(actors, made, head_housing)
        for role in ROLES:
            client = Client()
            client.force_login(getattr(actors, role))
            made.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return made


def _target(world: World, scenario: str, role: str, target: str) -> Appeal:
    key = (scenario, ROLES[role] if target == "recused" else target)
    return Appeal.objects.get(pk=world.appeals[key])


# --- the appeal actions ------------------------------------------------------------------------------


def _payload(action: str, appeal: Appeal, world: World, *, api: bool) -> dict[str, Any]:
    """A valid input of ``action`` on ``appeal`` (the allowed cases prove it valid)."""
    lead = appeal.assignments.filter(role=AssignmentRole.LEAD).order_by("-pk").first()
    extension = lead.extensions.filter(state=ExtensionState.PENDING).first() if lead else None
    reply = appeal.replies.filter(state=ReplyState.SUBMITTED).first()
    housing = Unit.objects.get(code="HOUSING")
    master = Appeal.objects.get(pk=world.master)
    payloads: dict[str, dict[str, Any]] = {
        "dispatch": {"lead": housing.code if api else housing.pk},
        "correct": {"urgency": "urgent", "kind": "complaint"},
        "merge": {"into": master.number},
        "reject": {"reason": "out_of_scope", "note": "不属于受理范围"},
        "unmerge": {},
        "follow_up": {"result": "satisfied", "comment": ""},
        "close": {"note": "联系不上来电人"},
        "answer_during_call": {"body": "已在电话中答复。"},
        "decide_extension": {
            "extension": extension.pk if extension else 0,
            "decision": "approve",
            "note": "",
        },
        "accept": {"assignment": lead.pk if lead else 0},
        "return": {"assignment": lead.pk if lead else 0, "reason": "不归我们管"},
        "request_extension": {"assignment": lead.pk if lead else 0, "days": 1, "reason": "需协调"},
        "progress": {"note": "已到现场查看"},
        "pause": {"waiting_for": "third_party", "reason": "等待鉴定"},
        "resume": {"note": "鉴定已到"},
        "draft_reply": {"body": "已处理完毕。"},
        "approve_reply": {"reply": reply.pk if reply else 0, "body": reply.body if reply else ""},
        "send_back_reply": {"reply": reply.pk if reply else 0, "note": "请补充依据"},
    }
    return {"version": appeal.version, **payloads[action]}


def _footprint(appeal: Appeal) -> tuple[int, int, int, int]:
    fresh = Appeal.objects.get(pk=appeal.pk)
    return fresh.version, fresh.events.count(), fresh.replies.count(), fresh.assignments.count()


def _client(world: World, role: str) -> Client:
    """A client logged in as ``role`` (its session made once, with the module's data)."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


CASES = [(a.key, role, target) for a in ACTIONS for role in ROLES for target in TARGETS]


@pytest.mark.parametrize("way", ["page", "api"])
@pytest.mark.parametrize(("action", "role", "target"), CASES)
def test_appeal_action(world: World, action: str, role: str, target: str, way: str) -> None:
    appeal = _target(world, SCENARIO[action], role, target)
    slug = action.replace("_", "-")
    client, before = _client(world, role), _footprint(appeal)
    if way == "page":
        response = client.post(
            f"/appeals/{appeal.number}/{slug}/", _payload(action, appeal, world, api=False)
        )
        allowed = {302}
    else:
        response = client.post(
            f"/api/v1/appeals/{appeal.number}/{slug}/",
            _payload(action, appeal, world, api=True),
            content_type="application/json",
        )
        allowed = {200, 201}
    if expected(action, role, target):
        assert response.status_code in allowed, response.content.decode()[:2000]
    else:
        assert response.status_code in {400, 403, 404, 409}, response.status_code
        assert _footprint(appeal) == before  # refused: nothing changed


@pytest.mark.parametrize(("role", "target"), [(role, target) for role in ROLES for target in TARGETS])
def test_staff_list_and_detail(world: World, role: str, target: str) -> None:
    appeal = _target(world, "in_progress", role, target)
    client = _client(world, role)
    sees = role in VIEWERS[target]
    detail = client.get(f"/appeals/{appeal.number}/")
    assert (detail.status_code == 200) == sees, detail.status_code
    api_detail = client.get(f"/api/v1/appeals/{appeal.number}/")
    assert (api_detail.status_code == 200) == sees, api_detail.status_code
    listed = client.get("/appeals/", {"state": "", "q": str(appeal.number)})
    assert (f'href="/appeals/{appeal.number}/"' in listed.content.decode()) == sees
    rows = client.get("/api/v1/appeals/", {"page_size": 200})  # the whole module's appeals on one page
    numbers = {a["number"] for a in rows.json()["results"]} if rows.status_code == 200 else set()
    assert rows.status_code != 200 or rows.json()["next"] is None
    assert (appeal.number in numbers) == sees


# --- the ledger's steps ------------------------------------------------------------------------------

#: The state each step of an item needs.
LEDGER_SCENARIO: dict[str, str] = {
    "report": "open",
    "submit": "open",
    "agree": "submitted",
    "send_back": "submitted",
    "decide": "agreed",
    "convert": "open",
    "milestone": "open",
    "quantity": "open",
    "quantity_plan": "open",
    "milestone_done": "open",
    "edit": "open",
}
_PLANNERS = {"dispatcher", "leader"}  # the district office (who make items) and the supervising leader
#: Who may take each step on an item led by 区教育局 (own) or by 区住建局 (other).
LEDGER_WHO: dict[str, dict[str, set[str]]] = {
    "report": {"own": _EDU_STAFF, "other": _HOUSING_STAFF},
    "submit": {"own": _EDU_STAFF, "other": _HOUSING_STAFF},
    "agree": {"own": {"head_edu"}, "other": set()},
    "send_back": {"own": {"head_edu"}, "other": set()},
    "decide": {"own": {"leader"}, "other": {"leader"}},
    "convert": {"own": _PLANNERS, "other": _PLANNERS},
    "milestone": {"own": _PLANNERS | _EDU_STAFF, "other": _PLANNERS | _HOUSING_STAFF},
    "quantity": {"own": _EDU_STAFF, "other": _HOUSING_STAFF},
    "quantity_plan": {"own": _PLANNERS | _EDU_STAFF, "other": _PLANNERS | _HOUSING_STAFF},
    "milestone_done": {"own": _EDU_STAFF, "other": _HOUSING_STAFF},
    "edit": {"own": _PLANNERS | _EDU_STAFF, "other": _PLANNERS | _HOUSING_STAFF},
}


def _make_items(actors: Actors, made: World, head_housing: User) -> None:
    campaign = Campaign.objects.create(code="MATRIX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                                       ends_on=date(2026, 12, 31))  # fmt: skip
    for scenario in set(LEDGER_SCENARIO.values()):
        for target, unit, head in (
            ("own", actors.edu, actors.head_edu),
            ("other", actors.housing, head_housing),
        ):
            handler = actors.handler_edu if target == "own" else actors.handler_housing
            issue = ledger_rules.create_issue(
                campaign=campaign, title="校园周边路灯整治", track=Track.FIX_IN_CAMPAIGN, lead_unit=unit,
                leader=actors.leader, deadline=timezone.localdate() + timedelta(days=60),
                actor=actors.dispatcher, quantity_total=Decimal(10), quantity_unit="盏",
            )  # fmt: skip
            due_on = timezone.localdate() + timedelta(days=30)
            ledger_rules.add_milestone(
                issue, actor=actors.dispatcher, title="更换灯杆", due_on=due_on, owner=unit
            )
            if scenario in ("submitted", "agreed"):
                issue.refresh_from_db()
                ledger_rules.submit_for_signoff(issue, actor=handler, evidence="已全部更换。")
                if scenario == "agreed":
                    ledger_rules.agree_signoff(issue, actor=head)
            made.items[scenario, target] = issue.pk


def _ledger_payload(step: str, issue: Issue, *, api: bool) -> dict[str, Any]:
    milestone = issue.milestones.get()
    soon = (timezone.localdate() + timedelta(days=20)).isoformat()
    payloads: dict[str, dict[str, Any]] = {
        "report": {"text": "已更换五盏。"},
        "submit": {"evidence": "已全部更换。"},
        "agree": {},
        "send_back": {"reason": "缺少现场照片。"},
        "decide": {"decision": "approve", "reason": "", "reply": ""},
        "convert": {"reason": "需跨年度实施。"},
        "milestone": {
            "title": "验收",
            "due_on": soon,
            "owner": issue.lead_unit.code if api else issue.lead_unit.pk,
        },
        "quantity": {"quantity_done": "3", "milestone": ""},
        "quantity_plan": {"quantity_total": "12", "quantity_unit": "盏", "quantity_label": "更换路灯"},
        "milestone_done": {"milestone": milestone.pk, "evidence": "已完成。"},
        "edit": {"title": "校园周边路灯整治（扩大）"},
    }
    return {"version": issue.version, **payloads[step]}


def _item_footprint(issue: Issue) -> tuple[Any, ...]:
    fresh = Issue.objects.get(pk=issue.pk)
    return fresh.version, fresh.state, fresh.events.count(), fresh.milestones.count(), fresh.quantity_done


LEDGER_CASES = [
    (action.key, role, target, way)
    for action in LEDGER_ACTIONS
    for role in ROLES
    for target in ("own", "other")
    for way in ("page", "api")
    if (action.form if way == "page" else action.body) is not None
]


@pytest.mark.parametrize(("step", "role", "target", "way"), LEDGER_CASES)
def test_ledger_step(world: World, step: str, role: str, target: str, way: str) -> None:
    issue = Issue.objects.select_related("lead_unit").get(pk=world.items[LEDGER_SCENARIO[step], target])
    action = next(a for a in LEDGER_ACTIONS if a.key == step)
    client, before = _client(world, role), _item_footprint(issue)
    payload = _ledger_payload(step, issue, api=way == "api")
    if way == "page":
        response = client.post(f"/ledger/{issue.pk}/{action.slug}/", payload)
        allowed = {302}
    else:
        response = client.post(f"/api/v1/issues/{issue.pk}/{action.api_path}/", payload,
                               content_type="application/json")  # fmt: skip
        allowed = {200, 201}
    if role in LEDGER_WHO[step][target]:
        assert response.status_code in allowed, response.content.decode()[:2000]
    else:
        assert response.status_code in {400, 403, 404, 409}, response.status_code
        assert _item_footprint(issue) == before
