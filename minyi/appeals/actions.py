"""Every step of the loop that staff take on one appeal, each defined once: its slug, its input (the
staff page's form and the API's serializer, both in minyi.appeals.forms.staff), the guard of its rule
(which says whether it is available), what it runs and what the user is told.

The staff page (minyi.appeals.views.staff) makes a URL of each and a panel of each target it is
available for; the API (minyi.api.appeals) makes an endpoint and its OpenAPI operation of each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.appeals import rules
from minyi.appeals.choices import FollowupBy, Satisfaction
from minyi.appeals.forms import staff as f
from minyi.appeals.models import Appeal, Assignment, Extension, Reply
from minyi.errors import passes
from minyi.insight.replies import score_reply
from minyi.workdays.rules import end_of_day

AnyUser = User | AnonymousUser
Data = dict[str, Any]
Target = Appeal | Assignment | Extension | Reply


@dataclass(frozen=True)
class Action:
    """One step of the loop as the staff page and the API offer it."""

    #: The page's URL name (appeals:<key>) and panel; the URL path (page and API) is ``slug``.
    key: str
    #: What the action is about: the appeal itself, or one of its assignments, extensions or replies.
    target: type[Target]
    #: The rule's guard: raises the refusal when ``actor`` may not take the action on a target now.
    check: Callable[[Any, Any], object]
    #: Calls the rule with the cleaned input; returns what the user is told.
    run: Callable[[AnyUser, Appeal, Data], str]
    form: type[f.ActionForm]
    body: type[f.ActionIn]
    #: The API operation's summary (the schema is written in English).
    summary: str
    #: The panel's heading (``%(unit)s``: the unit of the target) and its button (a form with
    #: ``button_fields`` has a button for each of their choices instead).
    title: Promise
    button: Promise | None = None
    #: Whether the panel starts open (what the user most likely came to do).
    open: bool = False
    #: A line above the panel's form, about the target.
    intro: Callable[[Any], str] | None = None

    @property
    def slug(self) -> str:
        return self.key.replace("_", "-")

    def available(self, user: AnyUser, target: Target) -> bool:
        """Whether the rule would let ``user`` take this action on ``target`` now (no row lock)."""
        return isinstance(target, self.target) and passes(self.check, user, target)


def perform(action: Action, user: AnyUser, appeal: Appeal, data: Data) -> str:
    """Run ``action`` on ``appeal`` with its cleaned input; what the user is told.

    The version the user saw is compared here, without a lock: the rules that take
    ``expected_version`` compare it again under their row lock, while the others lock an assignment,
    extension or reply before the appeal, so locking the appeal first here would invert that order."""
    rules.StaleAppeal.check(data.get("version"), appeal.version)
    return action.run(user, appeal, data)


def offered(
    user: AnyUser,
    appeal: Appeal,
    *,
    assignments: Sequence[Assignment],
    extensions: Sequence[Extension],
    replies: Sequence[Reply],
) -> list[tuple[Action, Target]]:
    """Every action ``user`` may take on ``appeal`` now, with the target it is about (the appeal, or
    one of the given assignments, extensions or replies): the panels of the staff page."""
    candidates: dict[type[Target], Sequence[Target]] = {
        Appeal: [appeal],
        Assignment: assignments,
        Extension: extensions,
        Reply: replies,
    }
    return [
        (action, target)
        for action in ACTIONS
        for target in candidates[action.target]
        if action.available(user, target)
    ]


# --- what each action runs -------------------------------------------------------------------------


def _dispatch(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.dispatch(
        appeal,
        lead=data["lead"],
        co_units=list(data["co_units"]),
        instructions=data["instructions"],
        deadline=end_of_day(data["deadline"]) if data["deadline"] else None,
        actor=user,
        expected_version=data["version"],
        category=data["category"],
    )
    return _("The appeal was dispatched to %(unit)s.") % {"unit": data["lead"].name}


def _correct(user: AnyUser, appeal: Appeal, data: Data) -> str:
    given = {name: data[name] for name in ("category", "urgency", "kind") if name in data}
    rules.correct(appeal, actor=user, expected_version=data["version"], **given)
    return _("The details were corrected.")


def _reject(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.reject(
        appeal, actor=user, reason=data["reason"], note=data["note"], expected_version=data["version"]
    )
    return _("The appeal was rejected.")


def _merge(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.merge(appeal, into=data["into"], actor=user, expected_version=data["version"])
    return _("The appeal was merged into %(number)s.") % {"number": data["into"].number}


def _unmerge(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.unmerge(appeal, actor=user)
    return _("The merge was undone; the appeal is back in the inbox.")


def _close(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.close(appeal, actor=user, note=data["note"], expected_version=data["version"])
    return _("The appeal was closed.")


def _follow_up(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.follow_up(appeal, result=data["result"], by=FollowupBy.CALL, actor=user, comment=data["comment"])
    if data["result"] == Satisfaction.UNSATISFIED:
        return _("The follow-up was recorded; the appeal is reopened for dispatch.")
    return _("The follow-up was recorded and the appeal closed.")


def _decide_extension(user: AnyUser, appeal: Appeal, data: Data) -> str:
    approve = data["decision"] == "approve"
    rules.decide_extension(data["extension"], actor=user, approve=approve, note=data["note"])
    return _("The extension was approved.") if approve else _("The extension was denied.")


def _accept(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.accept(data["assignment"], actor=user)
    return _("Accepted.")


def _return(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.return_to_dispatcher(data["assignment"], actor=user, reason=data["reason"])
    return _("The appeal was returned to the dispatcher.")


def _request_extension(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.request_extension(data["assignment"], actor=user, days=data["days"], reason=data["reason"])
    return _("The extension was requested; the dispatcher decides.")


def _progress(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.report_progress(appeal, actor=user, note=data["note"], public=bool(data.get("public")))
    return _("The progress note was saved.")


def _pause(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.pause_clock(appeal, actor=user, waiting_for=data["waiting_for"], reason=data["reason"])
    return _("The deadline clock is paused.")


def _resume(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.resume_clock(appeal, actor=user, note=data["note"])
    return _("The deadline clock runs again.")


def _draft_reply(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.draft_reply(appeal, actor=user, body=data["body"], publish=data["publish"])
    return _("The reply was submitted to the unit head.")


def _approve_reply(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.approve_reply(data["reply"], actor=user, body=data["body"])
    return _("The reply was approved and sent.")


def _send_back_reply(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.send_back_reply(data["reply"], actor=user, note=data["note"])
    return _("The reply was sent back for rework.")


def _extension_intro(extension: Extension) -> str:
    return _("%(days)d more working days: %(reason)s") % {"days": extension.days, "reason": extension.reason}


def _reply_intro(reply: Reply) -> str:
    return score_reply(reply.appeal.title, reply.appeal.body, reply.body).describe()


#: The actions, in the order the staff page shows their panels.
ACTIONS: list[Action] = [
    Action(
        "dispatch", Appeal, rules.check_triage, _dispatch, f.DispatchForm, f.DispatchIn,
        "Dispatch to a lead unit (and co-units)", gettext_lazy("Dispatch"), gettext_lazy("Dispatch"),
        open=True,
    ),
    Action(
        "correct", Appeal, rules.check_triage, _correct, f.CorrectForm, f.CorrectIn,
        "Correct the category, urgency or kind", gettext_lazy("Correct category, urgency or kind"),
        gettext_lazy("Save the correction"),
    ),
    Action(
        "merge", Appeal, rules.check_triage, _merge, f.MergeForm, f.MergeIn,
        "Merge a duplicate into an earlier appeal", gettext_lazy("Merge into an earlier appeal (duplicate)"),
        gettext_lazy("Merge"),
    ),
    Action(
        "reject", Appeal, rules.check_triage, _reject, f.RejectForm, f.RejectIn,
        "Reject (out of scope, abusive)", gettext_lazy("Reject"), gettext_lazy("Reject"),
    ),
    Action(
        "unmerge", Appeal, rules.check_unmerge, _unmerge, f.UnmergeForm, f.ActionIn, "Undo a merge",
        gettext_lazy("Undo the merge"), gettext_lazy("Undo the merge"),
    ),
    Action(
        "follow_up", Appeal, rules.check_follow_up, _follow_up, f.FollowupForm, f.FollowUpIn,
        "Record the follow-up call (closes or reopens)", gettext_lazy("Record the follow-up call"),
        gettext_lazy("Record the follow-up"),
    ),
    Action(
        "close", Appeal, rules.check_close, _close, f.CloseForm, f.CloseIn,
        "Close a replied appeal without a follow-up", gettext_lazy("Close without a follow-up"),
        gettext_lazy("Close"),
    ),
    Action(
        "decide_extension", Extension, rules.check_decide_extension, _decide_extension,
        f.DecideExtensionForm, f.DecideExtensionIn, "Approve or deny an extension",
        gettext_lazy("Extension requested by %(unit)s"), open=True, intro=_extension_intro,
    ),
    Action(
        "accept", Assignment, rules.check_accept, _accept, f.AcceptForm, f.AssignmentIn,
        "Accept the unit's assignment", gettext_lazy("Accept for %(unit)s"), gettext_lazy("Accept"),
        open=True,
    ),
    Action(
        "return", Assignment, rules.check_return, _return, f.ReturnForm, f.ReturnIn,
        "Return a misrouted appeal to the dispatcher", gettext_lazy("Return to the dispatcher (wrong unit)"),
        gettext_lazy("Return"),
    ),
    Action(
        "request_extension", Assignment, rules.check_request_extension, _request_extension,
        f.RequestExtensionForm, f.RequestExtensionIn, "Ask for more working days",
        gettext_lazy("Ask for more time"), gettext_lazy("Ask for more time"),
    ),
    Action(
        "progress", Appeal, rules.check_report_progress, _progress, f.ProgressForm, f.ProgressIn,
        "Report progress", gettext_lazy("Report progress"), gettext_lazy("Save the note"),
    ),
    Action(
        "pause", Appeal, rules.check_pause, _pause, f.PauseForm, f.PauseIn, "Pause the deadline clock",
        gettext_lazy("Pause the deadline clock"), gettext_lazy("Pause the clock"),
    ),
    Action(
        "resume", Appeal, rules.check_resume, _resume, f.ResumeForm, f.ResumeIn, "Resume the deadline clock",
        gettext_lazy("Resume the deadline clock"), gettext_lazy("Resume the clock"),
    ),
    Action(
        "draft_reply", Appeal, rules.check_draft_reply, _draft_reply, f.DraftReplyForm, f.DraftReplyIn,
        "Draft the reply for the unit head", gettext_lazy("Draft the reply"),
        gettext_lazy("Submit for approval"),
    ),
    Action(
        "approve_reply", Reply, rules.check_approve_reply, _approve_reply, f.ApproveReplyForm,
        f.ApproveReplyIn, "Approve and send the reply", gettext_lazy("Approve the reply"),
        gettext_lazy("Approve and send"), open=True, intro=_reply_intro,
    ),
    Action(
        "send_back_reply", Reply, rules.check_send_back_reply, _send_back_reply, f.SendBackReplyForm,
        f.SendBackReplyIn, "Send the draft reply back", gettext_lazy("Send the reply back"),
        gettext_lazy("Send back"),
    ),
]  # fmt: skip

BY_KEY: dict[str, Action] = {action.key: action for action in ACTIONS}
