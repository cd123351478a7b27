"""Every step of a rectification item, each defined once: its input (the item page's form and the
API's serializer, in minyi.ledger.action_forms), when it is available (from the guard of its rule),
what it runs and what the user is told.

The item page (minyi.ledger.views_item) makes a URL and a panel of each step that has a form; the API
(minyi.api.resources_ledger) an endpoint and its OpenAPI operation of each step that has a serializer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.errors import passes
from minyi.ledger import action_forms as f
from minyi.ledger import rules
from minyi.ledger.models import Issue, Milestone

AnyUser = User | AnonymousUser
Data = dict[str, Any]


@dataclass(frozen=True)
class Action:
    """One step of an item as the item page and the API offer it."""

    #: The page's URL name (ledger:<key>) and panel; the page's URL path is the key with dashes.
    key: str
    #: Calls the rule with the cleaned input; returns what the user is told.
    run: Callable[[AnyUser, Issue, Data], str]
    #: Whether the rule would let the user take the step on the item now (asked without the lock).
    available: Callable[[AnyUser, Issue], bool]
    #: The page's form, its panel's heading and button (no form: not on the page).
    form: type[f.ItemActionForm] | None = None
    title: Promise | None = None
    button: Promise | None = None
    #: The API's input, its path under /api/v1/issues/<id>/ and the operation's summary (no input: not in
    #: the API).
    body: type[f.StepSerializer] | None = None
    api_path: str = ""
    summary: str = ""

    @property
    def slug(self) -> str:
        return self.key.replace("_", "-")


def perform(action: Action, user: AnyUser, issue: Issue, data: Data) -> str:
    """Run ``action`` on ``issue`` with its cleaned input, refusing a version the user saw that is no
    longer the item's; what the user is told."""
    rules.StaleItem.check(data.get("version"), issue.version)
    return action.run(user, issue, data)


def _guarded(check: Callable[[Any, Issue], object]) -> Callable[[AnyUser, Issue], bool]:
    return lambda user, issue: passes(check, user, issue)


def _files(data: Data) -> Any:
    return data.get("attachments") or ()


# --- what each step runs ---------------------------------------------------------------------------


def _report(user: AnyUser, issue: Issue, data: Data) -> str:
    rules.report_progress(issue, actor=user, text=data["text"], files=_files(data))
    return _("Progress reported.")


def _submit(user: AnyUser, issue: Issue, data: Data) -> str:
    rules.submit_for_signoff(issue, actor=user, evidence=data["evidence"], files=_files(data))
    return _("Submitted for sign-off; the unit head is asked to agree.")


def _agree(user: AnyUser, issue: Issue, data: Data) -> str:
    rules.agree_signoff(issue, actor=user)
    return _("Agreed; the supervising leader decides now.")


def _send_back(user: AnyUser, issue: Issue, data: Data) -> str:
    rules.send_back_signoff(issue, actor=user, reason=data["reason"])
    return _("Sent back; the unit works on and submits again.")


def _decide(user: AnyUser, issue: Issue, data: Data) -> str:
    approve = data["decision"] == "approve"
    rules.decide_signoff(issue, actor=user, approve=approve, reason=data["reason"], reply=data["reply"])
    return _("Signed off.") if approve else _("Sign-off rejected; the item is back at work.")


def _convert(user: AnyUser, issue: Issue, data: Data) -> str:
    rules.convert_to_long_term(issue, actor=user, reason=data["reason"])
    return _("The item is now long-term work; add the steps of its plan.")


def _milestone(user: AnyUser, issue: Issue, data: Data) -> str:
    rules.add_milestone(
        issue, actor=user, title=data["title"], due_on=data["due_on"], owner=data["owner"],
        quantity_total=data["quantity_total"], quantity_unit=data["quantity_unit"],
    )  # fmt: skip
    return _("Step added to the plan.")


def _quantity_plan(user: AnyUser, issue: Issue, data: Data) -> str:
    rules.edit_issue(
        issue, actor=user, expected_version=data["version"], quantity_total=data["quantity_total"],
        quantity_unit=data["quantity_unit"], quantity_label=data["quantity_label"],
    )  # fmt: skip
    return _("Planned quantity saved.")


def _quantity(user: AnyUser, issue: Issue, data: Data) -> str:
    rules.report_quantity(data.get("milestone") or issue, actor=user, done=data["quantity_done"])
    return _("Quantity done reported.")


def _may_report_quantity(user: AnyUser, issue: Issue) -> bool:
    return any(passes(rules.check_report_quantity, user, target) for target in [issue, *_steps(issue)])


def _milestone_done(user: AnyUser, issue: Issue, data: Data) -> str:
    rules.complete_milestone(data["milestone"], actor=user, evidence=data["evidence"], files=_files(data))
    return _("Step reported done.")


def _may_finish_step(user: AnyUser, issue: Issue) -> bool:
    return any(passes(rules.check_complete_milestone, user, step) for step in _steps(issue))


def _steps(issue: Issue) -> list[Milestone]:
    steps = list(issue.milestones.all())
    for step in steps:
        step.issue = issue  # the guard reads the item's state: no query per step
    return steps


def _edit(user: AnyUser, issue: Issue, data: Data) -> str:
    fields = {name: value for name, value in data.items() if name in rules.EDITABLE_FIELDS}
    rules.edit_issue(issue, actor=user, expected_version=data.get("version"), **fields)
    return _("The details were saved.")


#: The steps, in the order the item page shows their panels.
ACTIONS: list[Action] = [
    Action(
        "report", _report, _guarded(rules.check_report), f.ReportForm, gettext_lazy("Report progress"),
        gettext_lazy("Report"), f.ReportInput, "progress",
        "Report progress on an item (its lead or a co-handling unit)",
    ),
    Action(
        "submit", _submit, _guarded(rules.check_submit), f.SubmitForm, gettext_lazy("Submit for sign-off"),
        gettext_lazy("Submit"), f.SubmitInput, "submit",
        "Submit an item for sign-off, with evidence (the lead unit)",
    ),
    Action(
        "agree", _agree, _guarded(rules.check_agree), f.AgreeForm, gettext_lazy("Agree to the sign-off"),
        gettext_lazy("Agree"), f.StepSerializer, "agree",
        "Agree to a sign-off request (the lead unit's head)",
    ),
    Action(
        "send_back", _send_back, _guarded(rules.check_send_back), f.SendBackForm,
        gettext_lazy("Send the request back"), gettext_lazy("Send back"), f.SendBackInput, "send-back",
        "Send a sign-off request back to work with a reason (the lead unit's head)",
    ),
    Action(
        "decide", _decide, _guarded(rules.check_decide), f.DecideForm, gettext_lazy("Decide the sign-off"),
        gettext_lazy("Decide"), f.DecideInput, "decide",
        "Approve or reject a sign-off (the supervising leader)",
    ),
    Action(
        "convert", _convert, _guarded(rules.check_convert), f.ConvertForm,
        gettext_lazy("Make it long-term work"), gettext_lazy("Convert"), f.ConvertInput, "convert",
        "Make a fix-while-learning item long-term work",
    ),
    Action(
        "milestone", _milestone, _guarded(rules.check_plan), f.MilestoneForm,
        gettext_lazy("Add a step to the plan"), gettext_lazy("Add"), f.MilestoneInput, "milestones",
        "Add a dated step to an item's plan",
    ),
    Action(
        "quantity", _quantity, _may_report_quantity, f.QuantityForm, gettext_lazy("Report the quantity done"),
        gettext_lazy("Report"),
    ),
    Action(
        "quantity_plan", _quantity_plan, _guarded(rules.check_edit), f.QuantityPlanForm,
        gettext_lazy("Plan a quantity of work"), gettext_lazy("Save"),
    ),
    Action(
        "milestone_done", _milestone_done, _may_finish_step, f.MilestoneDoneForm,
        gettext_lazy("Report a step done"), gettext_lazy("Report"), f.MilestoneDoneInput, "milestone-done",
        "Report a step of the plan done, with evidence",
    ),
    Action(
        "edit", _edit, _guarded(rules.check_edit), body=f.EditInput, api_path="edit",
        summary="Change an item's details (its lead unit, supervising leader or the district office)",
    ),
]  # fmt: skip

BY_KEY: dict[str, Action] = {action.key: action for action in ACTIONS}
