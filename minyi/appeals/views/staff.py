"""Staff pages of the loop: the list every role uses (the dispatcher's inbox, a unit's work), its Excel
export, one appeal with everything about it, and one POST URL per action.

Views never set state: each action (``minyi.appeals.actions``) runs its rule and the page shows the
refusal it raises. Every page asks ``visible``/``can`` first; an appeal the user may not see is a 404.
"""

from __future__ import annotations

import datetime as dt
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

from minyi import ratelimit
from minyi.appeals import actions, rules
from minyi.appeals.access import AppealPerm, citizen_details, reply_seen_by, unit_recused
from minyi.appeals.categories import usual_units
from minyi.appeals.choices import (
    TRIAGE_STATES,
    DueStatus,
    EventKind,
    FollowupBy,
    RejectReason,
    ReplyState,
    Satisfaction,
    State,
    WaitingFor,
)
from minyi.appeals.filters import (
    AppealFilterForm,
    apply_filters,
    default_filters,
    ordered,
    tabs_for,
    with_due_status,
)
from minyi.appeals.forms.staff import ActionForm, suggested_unit
from minyi.appeals.models import Appeal, AppealEvent, Assignment, Attachment, Extension, Reply
from minyi.appeals.uploads import serve, serve_thumbnail
from minyi.audit.rules import record
from minyi.errors import CORRECT_BELOW, code_of, shown_on, status_of
from minyi.insight import routing
from minyi.insight.duplicates import Mark, marks, with_open_hint
from minyi.insight.duplicates import for_appeal as likely_duplicates
from minyi.insight.replies import ReplyScore, score_reply
from minyi.ledger.access import LedgerPerm
from minyi.org.home import may_review
from minyi.org.models import Person, Unit
from minyi.org.permissions import can, require, visible
from minyi.paging import window
from minyi.privacy import mask_text
from minyi.supervision.queries import notices_for
from minyi.supervision.rules import may_issue
from minyi.workdays.rules import provisional_notice

AnyUser = User | AnonymousUser

PAGE_SIZE = 50
#: Deep offsets get slow on a million rows; past this page, narrow the filters instead.
MAX_PAGE = 1000
EXPORT_LIMIT = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_RELATED = ("category", "township", "village", "lead_unit")
MERGE = actions.BY_KEY["merge"]


# --- shared helpers --------------------------------------------------------------------------


def _visible_appeal(request: HttpRequest, number: str) -> Appeal:
    """The appeal, if this user may see it; otherwise 404 (its existence is not revealed)."""
    require(request.user, AppealPerm.VIEW)
    queryset = Appeal.objects.filter(number=number).select_related(
        *LIST_RELATED, "concerns_unit", "master", "recorded_by__person"
    )
    appeal = visible(request.user, queryset).first()
    if appeal is None or not can(request.user, AppealPerm.VIEW, appeal):
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
    if "q" in form.errors:  # a search that cannot be run finds nothing (rather than everything)
        queryset = queryset.none()
    return ordered(with_due_status(queryset, now), data)


@login_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    """The list every staff role uses; with no filter, the role's own default (e.g. the inbox)."""
    require(request.user, AppealPerm.VIEW)
    now = timezone.now()
    form, defaulted = _filter_form(request)
    queryset = _filtered(request, form, now).defer("body", "search_words")  # never shown in the list
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
    query.pop("tab", None)
    tabs = tabs_for(request.user)
    keys = [tab.key for tab in tabs]
    active = tabs[0].key if defaulted else request.GET.get("tab", "")
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
            "may_handle": request.user.has_perm(AppealPerm.HANDLE),
            "may_follow_up": request.user.has_perm(AppealPerm.FOLLOW_UP),
            "may_make_issue": request.user.has_perm(LedgerPerm.ADD),
            "duplicates_only": duplicates_only,
            "tabs": tabs,
            "may_review": may_review(request.user),
            "active_tab": active if active in keys else "",
            # Dispatchers give the deadlines: tell them while a year in use is counted provisionally.
            "provisional": provisional_notice() if request.user.has_perm(AppealPerm.DISPATCH) else None,
        },
    )


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel: one export for every list, in minyi.reports (masked, audited, and
    written by the worker with progress when large); this address keeps old bookmarks working."""
    require(request.user, AppealPerm.VIEW)
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
    #: The reply check of the text the form starts with (the draft and approval panels; live as one types).
    check: ReplyScore | None = None
    #: The draft the unit head sent back, whose note is shown beside the redraft.
    sent_back: Reply | None = None

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


def _panel(request: HttpRequest, appeal: Appeal, action: actions.Action, target: actions.Target) -> Panel:
    """The form of ``action`` about ``target``, as the detail page offers it."""
    initial, advice = _dispatch_start(request, appeal) if action.key == "dispatch" else ({}, None)
    form = action.form(initial=initial, appeal=appeal, user=request.user, target=target)
    form.auto_id = f"{action.key}-{form.key() or 'x'}-%s"
    unit = target.assignment.unit if isinstance(target, Extension) else getattr(target, "unit", None)
    buttons = [
        (name, str(value), str(label))
        for name in form.button_fields
        for value, label in getattr(form.fields[name], "choices", [])
    ] or [("", "", str(action.button))]
    panel = Panel(
        action=action.key,
        title=str(action.title) % {"unit": unit.name if unit is not None else ""},
        form=form,
        url=reverse(f"appeals:{action.key}", args=[appeal.number]),
        buttons=buttons,
        intro=action.intro(target) if action.intro is not None else "",
        open=action.open,
        advice=advice,
    )
    if action.key in REPLY_CHECKED:
        _with_check(panel, appeal)
    return panel


#: The panels with a reply text, which show the reply check beside it.
REPLY_CHECKED = ("draft_reply", "approve_reply")


def _with_check(panel: Panel, appeal: Appeal) -> None:
    """The check of the panel's text (as typed when the form comes back with an error), and the note of a
    sent-back draft that the redraft starts from."""
    form = panel.form
    body = str(form.data.get("body", "") if form.is_bound else form.initial.get("body", "") or "")
    panel.check = score_reply(appeal.title, appeal.body, body) if body.strip() else None
    panel.sent_back = getattr(form, "sent_back", None)
    if panel.sent_back is not None:
        panel.open = True  # the handler came back to redraft


def _dispatch_start(request: HttpRequest, appeal: Appeal) -> tuple[dict[str, Any], routing.Advice | None]:
    """The dispatch form starts from the suggestion the dispatcher picked, else the first one when the
    appeal came without a category; the advice is shown beside it."""
    hints = routing.advice(appeal)
    category, suggested = appeal.category, suggested_unit(appeal)
    choice = _chosen_suggestion(request, hints)
    if choice is None and category is None and hints is not None and hints.choices:
        choice = hints.choices[0]
    if choice is not None:
        category, suggested = choice.category or category, choice.unit or suggested
    offered = suggested if suggested is not None and not _recused_unit(appeal, suggested) else None
    return {"lead": offered, "category": category}, hints


def _chosen_suggestion(request: HttpRequest, hints: routing.Advice | None) -> routing.Choice | None:
    """The suggestion the dispatcher picked with its "use this" link (?use=N), if any."""
    number = request.GET.get("use", "")
    if hints is None or not number.isdigit() or not 0 < int(number) <= len(hints.choices):
        return None
    return hints.choices[int(number) - 1]


def _recused_unit(appeal: Appeal, unit: Unit) -> bool:
    return unit_recused(unit, appeal)


def _event_details(event: AppealEvent, units: dict[str, str], shown: set[str]) -> list[str]:
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
    # The number of an appeal merged into this one only for who may see it (回避).
    if event.kind == EventKind.MERGED and data.get("merged") in shown:
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
    panels = [
        _panel(request, appeal, action, target)
        for action, target in actions.offered(
            user, appeal, assignments=facts.assignments, extensions=facts.extensions, replies=facts.replies
        )
    ]
    if failed is not None:
        action, form = failed
        for panel in panels:
            if panel.action == action and panel.key == form.key():
                form.auto_id = panel.form.auto_id
                panel.form, panel.open = form, True
    citizen = citizen_details(user, appeal)
    reveal, personal, body = citizen.revealed, citizen.personal, citizen.body
    events = list(appeal.events.select_related("actor__person", "unit"))
    # A progress note's photos, read only when a note has some (its data counts them).
    with_files = [e.pk for e in events if (e.data or {}).get("files")]
    files: dict[int, list[Attachment]] = {}
    for item in Attachment.objects.filter(event_id__in=with_files) if with_files else ():
        files.setdefault(item.event_id or 0, []).append(item)
    codes = {c for e in events for c in (e.data or {}).get("co_units", [])}
    unit_names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    mentioned = {n for e in events if e.kind == EventKind.MERGED and (n := (e.data or {}).get("merged"))}
    visible_numbers = visible(user, Appeal.objects.filter(number__in=mentioned)).values_list(
        "number", flat=True
    )
    shown = {n for n in visible_numbers if n} if mentioned else set()
    timeline = [
        {
            "event": e,
            "actor": _person_name(e.actor) if e.actor_id else "",
            "note": e.note if reveal else mask_text(e.note),
            "details": _event_details(e, unit_names, shown),
            "files": files.get(e.pk, []),  # a progress note's photos (or PDFs)
            "public": e.kind == EventKind.PROGRESS and bool((e.data or {}).get("public")),
        }
        for e in events
    ]
    merged = list(visible(user, appeal.merged_appeals.filter(state=State.MERGED)).only("number", "title"))
    context = {
        "appeal": appeal,
        "due": rules.due_status(appeal),
        "suggested": suggested_unit(appeal) if appeal.state in TRIAGE_STATES else None,
        "personal": personal,
        "revealed": reveal,
        "body": body,
        "attachments": list(appeal.attachments.filter(event__isnull=True)),  # those sent with the appeal
        "assignments": facts.assignments,
        "extensions": facts.extensions,
        "pauses": list(appeal.pauses.select_related("started_by__person", "ended_by__person")),
        "replies": facts.replies,
        "followups": list(appeal.followups.select_related("recorded_by__person")),
        "timeline": timeline,
        "supervision_notices": notices_for(appeal, user),
        "may_issue_notice": may_issue(user, appeal),
        "merged": merged,
        "master_visible": appeal.master is not None and can(user, AppealPerm.VIEW, appeal.master),
        "panels": panels,
        "errors": errors or [],
        "labels": _labels(),
        # Likely duplicates, why, a link to the merge's confirmation and "not a duplicate": for who may
        # merge it now (docs/duplicates.md).
        "duplicates": likely_duplicates(user, appeal) if MERGE.available(user, appeal) else [],
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


@login_required
@require_GET
def attachment_thumbnail(request: HttpRequest, number: str, pk: str) -> HttpResponse:
    """A photo's thumbnail, for the same staff as the photo itself (the page showing it is audited;
    opening the photo is audited again)."""
    appeal = _visible_appeal(request, number)
    return serve_thumbnail(get_object_or_404(Attachment, pk=pk, appeal=appeal))


# --- the reply check while drafting --------------------------------------------------------------


def may_check_reply(user: AnyUser, appeal: Appeal) -> bool:
    """Whoever may draft the appeal's reply now, or approve a draft of it, may have a text checked."""
    if actions.BY_KEY["draft_reply"].available(user, appeal):
        return True
    approve = actions.BY_KEY["approve_reply"]
    return any(approve.available(user, r) for r in appeal.replies.filter(state=ReplyState.SUBMITTED))


@login_required
@require_POST
def reply_check(request: HttpRequest, number: str) -> HttpResponse:
    """The reply check of the text being typed (an htmx fragment): its level in words and colour, the
    score and what is missing. Rate limited per user (MINYI_RATE_LIMITS["reply_check"])."""
    appeal = _visible_appeal(request, number)
    if not may_check_reply(request.user, appeal):
        raise PermissionDenied(_("You may not do this to this appeal."))
    if not ratelimit.hit(request, "reply_check", key=f"user:{request.user.pk}"):
        return render(request, "appeals/staff/_reply_check.html", {"limited": True}, status=429)
    body = request.POST.get("body", "")[: rules.BODY_MAX]
    check = score_reply(appeal.title, appeal.body, body) if body.strip() else None
    return render(request, "appeals/staff/_reply_check.html", {"check": check})


# --- actions -----------------------------------------------------------------------------------


@login_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Run one action (minyi.appeals.actions) through its rule; on refusal show the detail again with
    the reason, answered with the refusal's status."""
    appeal = _visible_appeal(request, number)
    step = actions.BY_KEY[action]
    form = step.form(request.POST, request.FILES, appeal=appeal, user=request.user)
    if not form.is_valid():
        # Errors of hidden fields (a stale version, a request decided meanwhile) have no place below.
        hidden = [str(e) for f in form.hidden_fields() for e in f.errors]
        errors = list(dict.fromkeys(hidden)) or [str(CORRECT_BELOW)]
        return _detail_response(request, appeal, failed=(action, form), errors=errors, status=400)
    try:
        done = actions.perform(step, request.user, appeal, form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        fresh = _visible_appeal(request, number)
        if code_of(refusal) == "conflict":
            data = request.POST.copy()
            data["version"] = str(fresh.version)  # the user's input stays; a deliberate resend may go through
            form = step.form(data, appeal=fresh, user=request.user)
            form.is_valid()
        errors = shown_on(form, refusal)
        return _detail_response(
            request, fresh, failed=(action, form), errors=errors, status=status_of(refusal)
        )
    messages.success(request, done)
    return redirect("appeals:detail", appeal.number)
