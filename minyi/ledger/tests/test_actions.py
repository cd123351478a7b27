"""The steps of an item are defined once (minyi.ledger.actions): each has its page URL or API endpoint,
its page form and API body take the same fields, a panel is offered exactly when the rule would accept
the step, and the rules check who may make and change items themselves."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minyi.ledger import rules
from minyi.ledger.actions import ACTIONS, Action, perform
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign, Issue, Milestone
from minyi.testing import Actors

pytestmark = pytest.mark.django_db
ON_THE_PAGE = [action for action in ACTIONS if action.form is not None]
IN_THE_API = [action for action in ACTIONS if action.body is not None]


@pytest.fixture
def campaign() -> Campaign:
    today = timezone.localdate()
    start, end = today - timedelta(days=30), today + timedelta(days=300)
    return Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=start, ends_on=end)


def new_issue(actors: Actors, campaign: Campaign, *, by: User | None, **fields: Any) -> Issue:
    values: dict[str, Any] = {
        "campaign": campaign, "title": "河道清淤疏浚", "track": Track.FIX_IN_CAMPAIGN,
        "lead_unit": actors.edu, "co_units": [actors.housing], "leader": actors.leader,
        "deadline": timezone.localdate() + timedelta(days=60), "quantity_total": Decimal(11),
        "quantity_unit": "公里", **fields,
    }  # fmt: skip
    return rules.create_issue(**values, actor=by)


def test_every_step_has_its_page_url_or_its_api_endpoint(client: Client) -> None:
    for action in ON_THE_PAGE:
        assert reverse(f"ledger:{action.key}", args=[7]) == f"/ledger/7/{action.slug}/"
    schema = client.get("/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"}).json()
    for action in IN_THE_API:
        assert reverse(f"api:issue-{action.api_path}", args=[7]) == f"/api/v1/issues/7/{action.api_path}/"
        operation = schema["paths"][f"/api/v1/issues/{{id}}/{action.api_path}/"]["post"]
        assert operation["operationId"] == f"v1_issues_{action.api_path.replace('-', '_')}_create"
        assert operation["summary"] == action.summary
    assert {action.key for action in ACTIONS} == {a.key for a in [*ON_THE_PAGE, *IN_THE_API]}


@pytest.mark.parametrize("action", [a for a in ON_THE_PAGE if a in IN_THE_API], ids=lambda a: a.key)
def test_the_page_form_and_the_api_body_take_the_same_fields(action: Action) -> None:
    assert action.form is not None and action.body is not None
    files = {"attachments"}  # the API takes them as the multipart request's files
    assert set(action.form.base_fields) - files == set(action.body().fields)


# --- offered exactly when the rule accepts ------------------------------------------------------------


def _inputs(action: Action, issue: Issue, actors: Actors) -> list[dict[str, Any]]:
    """Valid inputs of ``action``: one for each thing it may be about (the item, or one of its steps)."""
    steps = list(issue.milestones.all())
    inputs: dict[str, list[dict[str, Any]]] = {
        "report": [{"text": "已清淤3公里"}],
        "submit": [{"evidence": "全部完工，附验收单"}],
        "agree": [{}],
        "send_back": [{"reason": "缺少现场照片"}],
        "decide": [{"decision": "approve", "reason": "", "reply": None}],
        "convert": [{"reason": "需要跨年度资金"}],
        "milestone": [{"title": "完成二期", "due_on": issue.deadline, "owner": actors.edu,
                       "quantity_total": None, "quantity_unit": ""}],
        "quantity": [{"milestone": step, "quantity_done": Decimal(1)} for step in [None, *steps]],
        "quantity_plan": [{"quantity_total": Decimal(12), "quantity_unit": "公里", "quantity_label": "疏浚"}],
        "milestone_done": [{"milestone": step, "evidence": "验收单"} for step in steps if not step.done_at],
        "edit": [{"title": "全区河道清淤疏浚"}],
    }  # fmt: skip
    return [{"version": issue.version, **data} for data in inputs[action.key]]


def _accepts(action: Action, user: Any, issue: Issue, data: dict[str, Any]) -> bool:
    """Whether the rule runs with valid input (then everything it did is rolled back)."""
    try:
        with transaction.atomic():
            perform(action, user, issue, data)
            transaction.set_rollback(True)
    except (ValidationError, PermissionDenied):
        return False
    return True


def _open(actors: Actors, campaign: Campaign) -> Issue:
    """Open, with a step of 4 km owned by 海城镇 (neither the lead nor a co-handling unit)."""
    issue = new_issue(actors, campaign, by=actors.dispatcher)
    rules.add_milestone(issue, actor=actors.dispatcher, title="完成一期", due_on=issue.deadline,
                        owner=actors.town, quantity_total=Decimal(4), quantity_unit="公里")  # fmt: skip
    return issue


def _submitted(actors: Actors, campaign: Campaign) -> Issue:
    issue = _open(actors, campaign)
    rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="已完工")
    return issue


def _agreed(actors: Actors, campaign: Campaign) -> Issue:
    issue = _submitted(actors, campaign)
    rules.agree_signoff(issue, actor=actors.head_edu)
    return issue


def _signed_off(actors: Actors, campaign: Campaign) -> Issue:
    """Signed off with a step of its plan never reported done."""
    issue = _agreed(actors, campaign)
    rules.decide_signoff(issue, actor=actors.leader, approve=True)
    return issue


STATES = {"open": _open, "submitted": _submitted, "agreed": _agreed, "signed_off": _signed_off}
ACTORS = ("handler_edu", "head_edu", "handler_housing", "town_handler", "leader", "dispatcher", "auditor")


@pytest.mark.parametrize("state", STATES)
def test_a_step_is_offered_exactly_when_the_rule_accepts(
    actors: Actors, campaign: Campaign, state: str
) -> None:
    issue = Issue.objects.select_related("lead_unit").get(pk=STATES[state](actors, campaign).pk)
    seen = 0
    for name in ACTORS:
        user = getattr(actors, name)
        for action in ACTIONS:
            accepts = any(_accepts(action, user, issue, data) for data in _inputs(action, issue, actors))
            assert action.available(user, issue) == accepts, (state, name, action.key)
            seen += accepts
    assert seen or state == "signed_off"


# --- who may make and change items ------------------------------------------------------------------


def test_the_rules_check_who_makes_and_changes_an_item(actors: Actors, campaign: Campaign) -> None:
    with pytest.raises(PermissionDenied):
        new_issue(actors, campaign, by=actors.handler_edu)
    assert not Issue.objects.exists()
    # No actor: the system itself (demo seeding, management commands).
    issue = new_issue(actors, campaign, by=None, title="系统导入的事项")
    for outsider in (actors.auditor, actors.handler_housing):
        with pytest.raises(PermissionDenied):
            rules.edit_issue(issue, actor=outsider, title="越权修改")
    rules.edit_issue(issue, actor=actors.handler_edu, title="东村路灯整治")  # the lead unit plans it
    issue.refresh_from_db()
    assert issue.title == "东村路灯整治"


def test_a_step_of_a_signed_off_item_is_no_longer_reported_done(actors: Actors, campaign: Campaign) -> None:
    issue = _signed_off(actors, campaign)
    step = Milestone.objects.get(issue=issue)
    with pytest.raises(ValidationError):
        rules.complete_milestone(step, actor=actors.town_handler, evidence="补报一期验收单")
    assert Milestone.objects.get(pk=step.pk).done_at is None
