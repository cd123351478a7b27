"""Staff pages of the loop: the list every role uses (the dispatcher's inbox, a unit's work), its Excel
export, one appeal with everything about it, and one POST URL per action.

Views never set state: each action calls its function in ``minyi.appeals.rules`` and shows the
refusal it raises. Every page asks ``visible``/``can`` first; an appeal the user may not see is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minyi.appeals import rules
from minyi.appeals.access import citizen_details, reply_seen_by
from minyi.appeals.categories import usual_units
from minyi.appeals.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    TRIAGE_STATES,
    WORKING_STATES,
    AssignmentRole,
    AssignmentState,
    DueStatus,
    EventKind,
    ExtensionState,
    FollowupBy,
    RejectReason,
    ReplyState,
    Satisfaction,
    State,
    WaitingFor,
)
from minyi.appeals.filters import AppealFilterForm, apply_filters, default_filters, ordered, with_due_status
from minyi.appeals.forms import staff as staff_forms
from minyi.appeals.forms.staff import ActionForm, dispatch_units
from minyi.appeals.models import Appeal, AppealEvent, Assignment, Attachment, Extension, Reply
from minyi.appeals.uploads import serve
from minyi.audit.rules import record
from minyi.insight import routing
from minyi.insight.duplicates import Mark, marks, with_open_hint
from minyi.insight.duplicates import for_appeal as likely_duplicates
from minyi.insight.replies import score_reply
from minyi.org.models import Person, Unit
from minyi.org.permissions import can, person_of, require, visible
from minyi.paging import window
from minyi.privacy import mask_text
from minyi.supervision.queries import notices_for
from minyi.supervision.rules import may_issue
from minyi.workdays.rules import end_of_day

AnyUser = User | AnonymousUser

VIEW = "appeals.view_appeal"
PAGE_SIZE = 50
#: Deep offsets get slow on a million rows; past this page, narrow the filters instead.
MAX_PAGE = 1000
EXPORT_LIMIT = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_RELATED = ("category", "township", "village", "lead_unit")


# --- shared helpers --------------------------------------------------------------------------


def _suggested_for(appeal: Appeal) -> Unit | None:
    if appeal.category_id is None:
        return None
    return usual_units().get(appeal.category_id)


def _visible_appeal(request: HttpRequest, number: str) -> Appeal:
    """The appeal, if this user may see it; otherwise 404 (its existence is not revealed)."""
    require(request.user, VIEW)
    queryset = Appeal.objects.filter(number=number).select_related(
        *LIST_RELATED, "concerns_unit", "master", "recorded_by__person"
    )
    appeal = visible(request.user, queryset).first()
    if appeal is None or not can(request.user, VIEW, appeal):
        raise Http404
    return appeal


def _person_name(user: User | None) -> str:
    if user is None:
        return "—"
    try:
        return user.person.name
    except Person.DoesNotExist:
        return user.get_username()


def field_labels(model: type[Any], *names: str) -> dict[str, str]:
    """The models' own (already translated) field names, capitalised, for headings and tables."""
    return {name: capfirst(getattr(model._meta.get_field(name), "verbose_name", name)) for name in names}


def _labels() -> dict[str, dict[str, str]]:
    return {
        "appeal": field_labels(
            Appeal,
            "number",
            "channel",
            "kind",
            "urgency",
            "category",
            "received_at",
            "recorded_by",
            "lead_unit",
            "concerns_unit",
            "supporters",
            "master",
            "reject_reason",
            "state",
            "deadline",
            "citizen_email",
        ),
        "assignment": field_labels(
            Assignment, "unit", "role", "state", "dispatched_at", "deadline", "instructions"
        ),
        "extension": field_labels(Extension, "days", "reason"),
    }


def _local(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(moment).strftime(fmt) if moment is not None else ""


# --- the list ----------------------------------------------------------------------------------


@dataclass
class Row:
    appeal: Appeal
    title: str
    suggested: Unit | None
    due: DueStatus
    duplicate: Mark | None = None  # the likely earlier appeal this one repeats (minyi.insight)


def _filter_form(request: HttpRequest) -> tuple[AppealFilterForm, bool]:
    """The filter form bound to the query, or to the role's defaults when no filter was given."""
    given = any(name in request.GET for name in AppealFilterForm.base_fields)
    data: QueryDict | dict[str, str] = request.GET if given else default_filters(request.user)
    return AppealFilterForm(data), not given


def _filtered(request: HttpRequest, form: AppealFilterForm, now: dt.datetime) -> Any:
    form.is_valid()  # a bad filter shows its error; the valid ones still apply
    data = getattr(form, "cleaned_data", {})
    queryset = visible(request.user, Appeal.objects.select_related(*LIST_RELATED))
    queryset = apply_filters(queryset, data, user=request.user, now=now)
    return ordered(with_due_status(queryset, now), data)


@login_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    """The list every staff role uses; with no filter, the role's own default (e.g. the inbox)."""
    require(request.user, VIEW)
    now = timezone.now()
    form, defaulted = _filter_form(request)
    queryset = _filtered(request, form, now).defer("body")  # the list never shows the long text
    duplicates_only = request.GET.get("dups") == "on"
    if duplicates_only:
        queryset = queryset.filter(Exists(with_open_hint().filter(appeal=OuterRef("pk"))))
    appeals, page = window(queryset, request.GET.get("page"), size=PAGE_SIZE, last=MAX_PAGE)
    # One query for the page: merged and rejected rows need no mark.
    duplicate_marks = marks(
        request.user, [a.pk for a in appeals if a.state not in (State.MERGED, State.REJECTED)]
    )
    suggestions = usual_units() if any(a.state in TRIAGE_STATES for a in appeals) else {}
    rows = [
        Row(
            appeal=a,
            title=mask_text(a.title),
            suggested=suggestions.get(a.category_id) if a.state in TRIAGE_STATES and a.category_id else None,
            due=DueStatus(a.due_state),  # annotated by with_due_status
            duplicate=duplicate_marks.get(a.pk),
        )
        for a in appeals
    ]
    # The filters in effect (the role's defaults included), for the export link.
    query = form.data.copy() if isinstance(form.data, QueryDict) else QueryDict(mutable=True)
    if not isinstance(form.data, QueryDict):
        query.update(form.data)
    query.pop("page", None)
    return render(
        request,
        "appeals/staff/list.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "defaulted": defaulted,
            "query": query.urlencode(),
            "export_limit": EXPORT_LIMIT,
            "labels": _labels(),
            "may_handle": request.user.has_perm("appeals.handle_appeal"),
            "may_follow_up": request.user.has_perm("appeals.follow_up_appeal"),
            "may_make_issue": request.user.has_perm("ledger.add_issue"),
            "duplicates_only": duplicates_only,
        },
    )


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel: one export for every list, in minyi.reports (masked, audited, and
    written by the worker with progress when large); this address keeps old bookmarks working."""
    require(request.user, VIEW)
    query = request.GET.urlencode()
    return redirect(reverse("reports:export", args=["appeals"]) + (f"?{query}" if query else ""))


@dataclass
class Panel:
    """One action form on the detail page."""

    action: str
    title: str
    form: ActionForm
    url: str
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, label)
    intro: str = ""
    open: bool = False
    advice: Any = None  # minyi.insight.routing.Advice: the category suggestions beside the dispatch form

    @property
    def key(self) -> str:
        return self.form.key()

    @property
    def dom_id(self) -> str:
        return f"act-{self.action}-{self.key}" if self.key else f"act-{self.action}"


@dataclass
class Facts:
    """What the detail page shows besides the appeal row itself (read once, used by the panels)."""

    assignments: list[Assignment]
    extensions: list[Extension]
    replies: list[Reply]


def _facts(user: AnyUser, appeal: Appeal) -> Facts:
    assignments = list(
        appeal.assignments.select_related("unit", "dispatched_by__person").prefetch_related(
            Prefetch(
                "extensions",
                queryset=Extension.objects.select_related("requested_by__person", "decided_by__person"),
            )
        )
    )
    extensions = [e for a in assignments for e in a.extensions.all()]  # e.assignment is a, no query
    replies = [
        reply
        for reply in appeal.replies.select_related("unit", "drafted_by__person", "decided_by__person")
        if reply_seen_by(user, reply)
    ]
    return Facts(assignments=assignments, extensions=extensions, replies=replies)


def _panels(request: HttpRequest, appeal: Appeal, facts: Facts) -> list[Panel]:
    """The actions this user may take on the appeal in its current state."""
    user = request.user
    person = person_of(user)
    panels: list[Panel] = []

    def add(
        action: str, title: str, button: str, initial: dict[str, Any] | None = None, **extra: Any
    ) -> None:
        spec = ACTIONS[action]
        form = spec.form(
            initial={"version": appeal.version, **(initial or {})}, **spec.kwargs(request, appeal)
        )
        form.auto_id = f"{action}-{form.key() or 'x'}-%s"
        buttons = extra.pop("buttons", None) or [("", "", button)]
        panels.append(
            Panel(
                action=action,
                title=title,
                form=form,
                url=reverse(f"appeals:{action}", args=[appeal.number]),
                buttons=buttons,
                **extra,
            )
        )

    may_dispatch = can(user, "appeals.dispatch_appeal", appeal)
    if may_dispatch and appeal.state in TRIAGE_STATES:
        hints = routing.advice(appeal)
        category, suggested = appeal.category, _suggested_for(appeal)
        # The form starts from the suggestion the dispatcher picked, else the first one when the
        # appeal came without a category.
        choice = _chosen_suggestion(request, hints)
        if choice is None and category is None and hints is not None and hints.choices:
            choice = hints.choices[0]
        if choice is not None:
            category, suggested = choice.category or category, choice.unit or suggested
        offered = suggested if suggested is not None and not _recused_unit(appeal, suggested) else None
        add(
            "dispatch",
            _("Dispatch"),
            _("Dispatch"),
            {"lead": offered, "category": category},
            open=True,
            advice=hints,
        )
        add(
            "correct",
            _("Correct category, urgency or kind"),
            _("Save the correction"),
            {"category": appeal.category, "urgency": appeal.urgency, "kind": appeal.kind},
        )
        add("merge", _("Merge into an earlier appeal (duplicate)"), _("Merge"))
        add("reject", _("Reject"), _("Reject"))
    if may_dispatch and appeal.state == State.MERGED:
        add("unmerge", _("Undo the merge"), _("Undo the merge"))
    if appeal.state == State.REPLIED and can(user, "appeals.follow_up_appeal", appeal):
        add("follow_up", _("Record the follow-up call"), _("Record the follow-up"))
    if appeal.state == State.REPLIED and may_dispatch:
        add("close", _("Close without a follow-up"), _("Close"))
    if may_dispatch:
        for extension in facts.extensions:
            if extension.state == ExtensionState.PENDING:
                add(
                    "decide_extension",
                    _("Extension requested by %(unit)s") % {"unit": extension.assignment.unit.name},
                    "",
                    {"extension": extension},
                    intro=_("%(days)d more working days: %(reason)s")
                    % {"days": extension.days, "reason": extension.reason},
                    buttons=[("decision", "approve", _("Approve")), ("decision", "deny", _("Deny"))],
                    open=True,
                )

    if person is not None and can(user, "appeals.handle_appeal", appeal):
        mine = [
            a
            for a in facts.assignments
            if a.state in ACTIVE_ASSIGNMENT_STATES and a.unit.is_within(person.unit)
        ]
        now = timezone.now()
        pending_extension = any(e.state == ExtensionState.PENDING for e in facts.extensions)
        for a in mine:
            named = {"unit": a.unit.name}
            if a.state == AssignmentState.PENDING:
                add("accept", _("Accept for %(unit)s") % named, _("Accept"), {"assignment": a}, open=True)
            if a.role == AssignmentRole.LEAD and now <= a.return_by:
                add("return", _("Return to the dispatcher (wrong unit)"), _("Return"), {"assignment": a})
            if (
                a.role == AssignmentRole.LEAD
                and a.state == AssignmentState.ACCEPTED
                and not pending_extension
            ):
                add("request_extension", _("Ask for more time"), _("Ask for more time"), {"assignment": a})
        lead = next((a for a in mine if a.role == AssignmentRole.LEAD), None)
        if mine and appeal.state in WORKING_STATES:
            add("progress", _("Report progress"), _("Save the note"))
        if lead is not None and appeal.state in WORKING_STATES:
            if appeal.paused_at is None:
                add("pause", _("Pause the deadline clock"), _("Pause the clock"))
            else:
                add("resume", _("Resume the deadline clock"), _("Resume the clock"))
        submitted = any(r.state == ReplyState.SUBMITTED for r in facts.replies)
        if (
            lead is not None
            and lead.state == AssignmentState.ACCEPTED
            and appeal.state == State.IN_PROGRESS
            and not submitted
        ):
            add("draft_reply", _("Draft the reply"), _("Submit for approval"))

    if person is not None and can(user, "appeals.approve_reply", appeal):
        for reply in facts.replies:
            if reply.state == ReplyState.SUBMITTED and reply.unit.is_within(person.unit):
                add(
                    "approve_reply",
                    _("Approve the reply"),
                    _("Approve and send"),
                    {"reply": reply, "body": reply.body},
                    open=True,
                    intro=score_reply(appeal.title, appeal.body, reply.body).describe(),
                )
                add("send_back_reply", _("Send the reply back"), _("Send back"), {"reply": reply})
    return panels


def _chosen_suggestion(request: HttpRequest, hints: routing.Advice | None) -> routing.Choice | None:
    """The suggestion the dispatcher picked with its "use this" link (?use=N), if any."""
    number = request.GET.get("use", "")
    if hints is None or not number.isdigit() or not 0 < int(number) <= len(hints.choices):
        return None
    return hints.choices[int(number) - 1]


def _recused_unit(appeal: Appeal, unit: Unit) -> bool:
    return appeal.concerns_unit is not None and unit.is_within(appeal.concerns_unit)


def _event_details(event: AppealEvent, units: dict[str, str]) -> list[str]:
    """The few facts of an event's data worth a line on the timeline."""
    data, lines = event.data or {}, []
    if deadline := data.get("deadline"):
        lines.append(
            _("Deadline: %(date)s") % {"date": _local(dt.datetime.fromisoformat(deadline), "%Y-%m-%d")}
        )
    if co_units := data.get("co_units"):
        lines.append(_("Co-handling: %(units)s") % {"units": "、".join(units.get(c, c) for c in co_units)})
    if "days" in data:
        lines.append(_("%(n)d working days") % {"n": data["days"]})
    if (result := data.get("result")) in Satisfaction.values:
        lines.append(str(Satisfaction(result).label))
    if (by := data.get("by")) in FollowupBy.values:
        lines.append(str(FollowupBy(by).label))
    if (reason := data.get("reason")) in RejectReason.values:
        lines.append(str(RejectReason(reason).label))
    if (waiting := data.get("waiting_for")) in WaitingFor.values:
        lines.append(str(WaitingFor(waiting).label))
    if event.kind == EventKind.MERGED and data.get("master"):
        lines.append(_("Merged into %(number)s") % {"number": data["master"]})
    if event.kind == EventKind.MERGED and data.get("merged"):
        lines.append(_("%(number)s was merged into this appeal") % {"number": data["merged"]})
    return lines


def _detail_response(
    request: HttpRequest,
    appeal: Appeal,
    *,
    failed: tuple[str, ActionForm] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    facts = _facts(user, appeal)
    panels = _panels(request, appeal, facts)
    if failed is not None:
        action, form = failed
        for panel in panels:
            if panel.action == action and panel.key == form.key():
                form.auto_id = panel.form.auto_id
                panel.form, panel.open = form, True
    citizen = citizen_details(user, appeal)
    reveal, personal, body = citizen.revealed, citizen.personal, citizen.body
    events = list(appeal.events.select_related("actor__person", "unit"))
    codes = {c for e in events for c in (e.data or {}).get("co_units", [])}
    unit_names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    timeline = [
        {
            "event": e,
            "actor": _person_name(e.actor) if e.actor_id else "",
            "note": e.note if reveal else mask_text(e.note),
            "details": _event_details(e, unit_names),
        }
        for e in events
    ]
    merged = list(visible(user, appeal.merged_appeals.filter(state=State.MERGED)).only("number", "title"))
    context = {
        "appeal": appeal,
        "due": rules.due_status(appeal),
        "suggested": _suggested_for(appeal) if appeal.state in TRIAGE_STATES else None,
        "personal": personal,
        "revealed": reveal,
        "body": body,
        "attachments": list(appeal.attachments.all()),
        "assignments": facts.assignments,
        "extensions": facts.extensions,
        "pauses": list(appeal.pauses.select_related("started_by__person", "ended_by__person")),
        "replies": facts.replies,
        "followups": list(appeal.followups.select_related("recorded_by__person")),
        "timeline": timeline,
        "supervision_notices": notices_for(appeal, user),
        "may_issue_notice": may_issue(user, appeal),
        "merged": merged,
        "master_visible": appeal.master is not None and can(user, VIEW, appeal.master),
        "panels": panels,
        "errors": errors or [],
        "labels": _labels(),
        # Likely duplicates with a one-click merge (the merge action's form): for who may dispatch it now.
        "duplicates": likely_duplicates(user, appeal)
        if appeal.state in TRIAGE_STATES and can(user, "appeals.dispatch_appeal", appeal)
        else [],
    }
    return render(request, "appeals/staff/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """Everything about one appeal, and the actions the user may take now."""
    return _detail_response(request, _visible_appeal(request, number))


@login_required
@require_GET
def attachment(request: HttpRequest, number: str, pk: str) -> FileResponse:
    """A file of the appeal, only for staff who may see the appeal (audited)."""
    appeal = _visible_appeal(request, number)
    item = get_object_or_404(Attachment, pk=pk, appeal=appeal)
    record("appeals.attachment_view", actor=request.user, obj=appeal, detail={"attachment": item.pk})
    return serve(item)


# --- actions -----------------------------------------------------------------------------------


def _conflict() -> rules.VersionConflict:
    return rules.VersionConflict(
        _("Someone else changed this appeal while you were working on it. Reload it and try again."),
        code="conflict",
    )


def _do_dispatch(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.dispatch(
        appeal,
        lead=data["lead"],
        co_units=list(data["co_units"]),
        instructions=data["instructions"],
        deadline=end_of_day(data["deadline"]) if data["deadline"] else None,
        actor=request.user,
        expected_version=data["version"],
        category=data["category"],
    )
    return _("The appeal was dispatched to %(unit)s.") % {"unit": data["lead"].name}


def _do_correct(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    assert isinstance(form, staff_forms.CorrectForm)
    changes = form.changes()
    if not changes:
        raise ValidationError(_("Nothing was changed."), code="unchanged")
    rules.correct(appeal, actor=request.user, expected_version=form.cleaned_data["version"], **changes)
    return _("The details were corrected.")


def _do_reject(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.reject(
        appeal, actor=request.user, reason=data["reason"], note=data["note"], expected_version=data["version"]
    )
    return _("The appeal was rejected.")


def _do_merge(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    master = visible(request.user, Appeal.objects.filter(number=data["into"].strip())).first()
    if master is None:
        raise ValidationError(_("No appeal you may see has this tracking number."), code="master")
    rules.merge(appeal, into=master, actor=request.user, expected_version=data["version"])
    return _("The appeal was merged into %(number)s.") % {"number": master.number}


def _do_unmerge(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    rules.unmerge(appeal, actor=request.user)
    return _("The merge was undone; the appeal is back in the inbox.")


def _do_close(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.close(appeal, actor=request.user, note=data["note"], expected_version=data["version"])
    return _("The appeal was closed.")


def _do_follow_up(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.follow_up(
        appeal, result=data["result"], by=FollowupBy.CALL, actor=request.user, comment=data["comment"]
    )
    if data["result"] == Satisfaction.UNSATISFIED:
        return _("The follow-up was recorded; the appeal is reopened for dispatch.")
    return _("The follow-up was recorded and the appeal closed.")


def _do_decide_extension(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    approve = data["decision"] == "approve"
    rules.decide_extension(data["extension"], actor=request.user, approve=approve, note=data["note"])
    return _("The extension was approved.") if approve else _("The extension was denied.")


def _do_accept(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    rules.accept(form.cleaned_data["assignment"], actor=request.user)
    return _("Accepted.")


def _do_return(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.return_to_dispatcher(data["assignment"], actor=request.user, reason=data["reason"])
    return _("The appeal was returned to the dispatcher.")


def _do_request_extension(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.request_extension(data["assignment"], actor=request.user, days=data["days"], reason=data["reason"])
    return _("The extension was requested; the dispatcher decides.")


def _do_progress(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    rules.report_progress(appeal, actor=request.user, note=form.cleaned_data["note"])
    return _("The progress note was saved.")


def _do_pause(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.pause_clock(appeal, actor=request.user, waiting_for=data["waiting_for"], reason=data["reason"])
    return _("The deadline clock is paused.")


def _do_resume(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    rules.resume_clock(appeal, actor=request.user, note=form.cleaned_data["note"])
    return _("The deadline clock runs again.")


def _do_draft_reply(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.draft_reply(appeal, actor=request.user, body=data["body"], publish=data["publish"])
    return _("The reply was submitted to the unit head.")


def _do_approve_reply(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.approve_reply(data["reply"], actor=request.user, body=data["body"])
    return _("The reply was approved and sent.")


def _do_send_back_reply(request: HttpRequest, appeal: Appeal, form: ActionForm) -> str:
    data = form.cleaned_data
    rules.send_back_reply(data["reply"], actor=request.user, note=data["note"])
    return _("The reply was sent back for rework.")


def _plain_kwargs(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    return {"appeal": appeal, "user": request.user}


def _dispatch_kwargs(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    return {"appeal": appeal, "user": request.user, "units": dispatch_units(appeal, _suggested_for(appeal))}


@dataclass(frozen=True)
class ActionSpec:
    slug: str
    form: type[ActionForm]
    perform: Callable[[HttpRequest, Appeal, ActionForm], str]
    kwargs: Callable[[HttpRequest, Appeal], dict[str, Any]] = _plain_kwargs


#: Each action: its URL (/appeals/<number>/<slug>/, named appeals:<key>), its form and what it does.
ACTIONS: dict[str, ActionSpec] = {
    "dispatch": ActionSpec("dispatch", staff_forms.DispatchForm, _do_dispatch, _dispatch_kwargs),
    "correct": ActionSpec("correct", staff_forms.CorrectForm, _do_correct),
    "reject": ActionSpec("reject", staff_forms.RejectForm, _do_reject),
    "merge": ActionSpec("merge", staff_forms.MergeForm, _do_merge),
    "unmerge": ActionSpec("unmerge", staff_forms.UnmergeForm, _do_unmerge),
    "close": ActionSpec("close", staff_forms.CloseForm, _do_close),
    "follow_up": ActionSpec("follow-up", staff_forms.FollowupForm, _do_follow_up),
    "decide_extension": ActionSpec("decide-extension", staff_forms.DecideExtensionForm, _do_decide_extension),
    "accept": ActionSpec("accept", staff_forms.AcceptForm, _do_accept),
    "return": ActionSpec("return", staff_forms.ReturnForm, _do_return),
    "request_extension": ActionSpec(
        "request-extension", staff_forms.RequestExtensionForm, _do_request_extension
    ),
    "progress": ActionSpec("progress", staff_forms.ProgressForm, _do_progress),
    "pause": ActionSpec("pause", staff_forms.PauseForm, _do_pause),
    "resume": ActionSpec("resume", staff_forms.ResumeForm, _do_resume),
    "draft_reply": ActionSpec("draft-reply", staff_forms.DraftReplyForm, _do_draft_reply),
    "approve_reply": ActionSpec("approve-reply", staff_forms.ApproveReplyForm, _do_approve_reply),
    "send_back_reply": ActionSpec("send-back-reply", staff_forms.SendBackReplyForm, _do_send_back_reply),
}


@login_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Run one action through its rule; on refusal show the detail again with the reason."""
    appeal = _visible_appeal(request, number)
    spec = ACTIONS[action]
    form = spec.form(request.POST, **spec.kwargs(request, appeal))
    if not form.is_valid():
        # Errors of hidden fields (a stale version, a request decided meanwhile) have no place below.
        hidden = [str(e) for f in form.hidden_fields() for e in f.errors]
        errors = list(dict.fromkeys(hidden)) or [_("Please correct the errors below.")]
        return _detail_response(request, appeal, failed=(action, form), errors=errors, status=400)
    try:
        # Compare the version the user saw. The rules that take expected_version check it again
        # under their row lock; the others lock an assignment, extension or reply before the appeal,
        # so locking the appeal first here would invert that order and risk deadlocks.
        if appeal.version != form.cleaned_data["version"]:
            raise _conflict()
        done = spec.perform(request, appeal, form)
    except rules.VersionConflict as conflict:
        fresh = _visible_appeal(request, number)
        data = request.POST.copy()
        data["version"] = str(fresh.version)  # the user's input stays; a deliberate resend may go through
        again = spec.form(data, **spec.kwargs(request, fresh))
        again.is_valid()
        return _detail_response(request, fresh, failed=(action, again), errors=conflict.messages, status=409)
    except PermissionDenied as denied:
        message = str(denied) or _("You may not do this to this appeal.")
        return _detail_response(
            request, _visible_appeal(request, number), failed=(action, form), errors=[message], status=403
        )
    except ValidationError as refused:
        return _detail_response(
            request,
            _visible_appeal(request, number),
            failed=(action, form),
            errors=refused.messages,
            status=400,
        )
    messages.success(request, done)
    return redirect("appeals:detail", appeal.number)
