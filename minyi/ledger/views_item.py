"""One rectification item's page (/ledger/<pk>/): its facts, linked appeals, plan, reports, sign-off
requests, evidence files, the timeline of every report, decision and notice, and the actions the user
may take now; and the sign-off register (/ledger/register/)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minyi.appeals.choices import OPEN_STATES
from minyi.appeals.uploads import serve
from minyi.audit.rules import record
from minyi.ledger import action_forms as f
from minyi.ledger import rules
from minyi.ledger.access import may_view
from minyi.ledger.choices import LEAD_KINDS, OPEN_ISSUE_STATES, IssueState, Track
from minyi.ledger.models import Campaign, Issue, IssueFile
from minyi.ledger.queries import signed_off
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.permissions import acts_for, require, visible
from minyi.paging import window
from minyi.supervision.queries import notices_for
from minyi.supervision.rules import may_issue

AnyUser = User | AnonymousUser


def _item(request: HttpRequest, pk: int) -> Issue:
    issue = get_object_or_404(
        Issue.objects.select_related("campaign", "lead_unit", "leader__person").prefetch_related("co_units"),
        pk=pk,
    )
    if not may_view(request.user, issue):
        raise Http404  # never confirm that an item outside one's scope exists
    return issue


# --- actions -----------------------------------------------------------------------------------


def _files(request: HttpRequest) -> list[Any]:
    return request.FILES.getlist("attachments")


def _do_report(request: HttpRequest, issue: Issue, data: dict[str, Any]) -> str:
    rules.report_progress(issue, actor=request.user, text=data["text"], files=_files(request))
    return _("Progress reported.")


def _do_submit(request: HttpRequest, issue: Issue, data: dict[str, Any]) -> str:
    rules.submit_for_signoff(issue, actor=request.user, evidence=data["evidence"], files=_files(request))
    return _("Submitted for sign-off; the unit head is asked to agree.")


def _do_agree(request: HttpRequest, issue: Issue, data: dict[str, Any]) -> str:
    rules.agree_signoff(issue, actor=request.user)
    return _("Agreed; the supervising leader decides now.")


def _do_decide(request: HttpRequest, issue: Issue, data: dict[str, Any]) -> str:
    approve = data["decision"] == "approve"
    rules.decide_signoff(
        issue, actor=request.user, approve=approve, reason=data["reason"], reply=data["reply"]
    )
    return _("Signed off.") if approve else _("Sign-off rejected; the item is back at work.")


def _do_convert(request: HttpRequest, issue: Issue, data: dict[str, Any]) -> str:
    rules.convert_to_long_term(issue, actor=request.user, reason=data["reason"])
    return _("The item is now long-term work; add the steps of its plan.")


def _do_milestone(request: HttpRequest, issue: Issue, data: dict[str, Any]) -> str:
    rules.add_milestone(
        issue, actor=request.user, title=data["title"], due_on=data["due_on"], owner=data["owner"],
        quantity_total=data["quantity_total"], quantity_unit=data["quantity_unit"],
    )  # fmt: skip
    return _("Step added to the plan.")


def _do_quantity_plan(request: HttpRequest, issue: Issue, data: dict[str, Any]) -> str:
    if not rules.may_plan(request.user, issue):
        raise PermissionDenied(
            _("Only the lead unit, the supervising leader or the district office plans an item.")
        )
    rules.edit_issue(
        issue, actor=request.user, expected_version=data["version"], quantity_total=data["quantity_total"],
        quantity_unit=data["quantity_unit"], quantity_label=data["quantity_label"],
    )  # fmt: skip
    return _("Planned quantity saved.")


def _do_quantity(request: HttpRequest, issue: Issue, data: dict[str, Any]) -> str:
    target = data.get("milestone") or issue
    rules.report_quantity(target, actor=request.user, done=data["quantity_done"])
    return _("Quantity done reported.")


def _has_quantity(issue: Issue) -> bool:
    return issue.quantity_total is not None or any(
        m.quantity_total is not None for m in issue.milestones.all()
    )


def _do_milestone_done(request: HttpRequest, issue: Issue, data: dict[str, Any]) -> str:
    rules.complete_milestone(
        data["milestone"], actor=request.user, evidence=data["evidence"], files=_files(request)
    )
    return _("Step reported done.")


@dataclass(frozen=True)
class ActionSpec:
    form: type[f.ItemActionForm]
    perform: Callable[[HttpRequest, Issue, dict[str, Any]], str]
    title: Any
    button: Any
    #: Whether the user may take the action now (decides which panels show; the rule checks again).
    offered: Callable[[AnyUser, Issue], bool]


def _lead(roles: tuple[str, ...]) -> Callable[[AnyUser, Issue], bool]:
    return lambda user, issue: acts_for(user, issue.lead_unit, roles)


_STAFF = (Role.HANDLER, Role.UNIT_HEAD)


def _may_convert(user: AnyUser, issue: Issue) -> bool:
    return (
        issue.state in OPEN_ISSUE_STATES
        and issue.track == Track.FIX_IN_CAMPAIGN
        and (user.pk == issue.leader_id or user.has_perm("ledger.add_issue"))
    )


def _may_finish_step(user: AnyUser, issue: Issue) -> bool:
    return any(acts_for(user, m.owner, _STAFF) for m in issue.milestones.all() if m.done_at is None)


ACTIONS: dict[str, ActionSpec] = {
    "report": ActionSpec(
        f.ReportForm, _do_report, gettext_lazy("Report progress"), gettext_lazy("Report"),
        lambda u, i: i.state in OPEN_ISSUE_STATES and rules.may_report(u, i),
    ),
    "submit": ActionSpec(
        f.SubmitForm, _do_submit, gettext_lazy("Submit for sign-off"), gettext_lazy("Submit"),
        lambda u, i: i.state == IssueState.OPEN and _lead(_STAFF)(u, i),
    ),
    "agree": ActionSpec(
        f.AgreeForm, _do_agree, gettext_lazy("Agree to the sign-off"), gettext_lazy("Agree"),
        lambda u, i: i.state == IssueState.SUBMITTED and _lead((Role.UNIT_HEAD,))(u, i),
    ),
    "decide": ActionSpec(
        f.DecideForm, _do_decide, gettext_lazy("Decide the sign-off"), gettext_lazy("Decide"),
        lambda u, i: i.state == IssueState.UNIT_AGREED and u.pk == i.leader_id,
    ),
    "convert": ActionSpec(
        f.ConvertForm, _do_convert, gettext_lazy("Make it long-term work"), gettext_lazy("Convert"),
        _may_convert,
    ),
    "milestone": ActionSpec(
        f.MilestoneForm, _do_milestone, gettext_lazy("Add a step to the plan"), gettext_lazy("Add"),
        lambda u, i: i.state in OPEN_ISSUE_STATES and rules.may_plan(u, i),
    ),
    "quantity": ActionSpec(
        f.QuantityForm, _do_quantity, gettext_lazy("Report the quantity done"), gettext_lazy("Report"),
        lambda u, i: i.state in OPEN_ISSUE_STATES and _has_quantity(i) and rules.may_report(u, i),
    ),
    "quantity_plan": ActionSpec(
        f.QuantityPlanForm, _do_quantity_plan, gettext_lazy("Plan a quantity of work"), gettext_lazy("Save"),
        lambda u, i: i.state in OPEN_ISSUE_STATES and rules.may_plan(u, i),
    ),
    "milestone_done": ActionSpec(
        f.MilestoneDoneForm, _do_milestone_done, gettext_lazy("Report a step done"), gettext_lazy("Report"),
        _may_finish_step,
    ),
}  # fmt: skip


@dataclass
class Panel:
    action: str
    title: Any
    button: Any
    form: f.ItemActionForm
    url: str
    open: bool = False


def _panels(request: HttpRequest, issue: Issue, failed: tuple[str, f.ItemActionForm] | None) -> list[Panel]:
    panels = []
    for name, spec in ACTIONS.items():
        if not spec.offered(request.user, issue):
            continue
        initial: dict[str, Any] = {"version": issue.version}
        if name == "decide":
            initial["reply"] = rules.default_reply(issue)
        form = spec.form(initial=initial, issue=issue, auto_id=f"{name}-%s")
        url = reverse(f"ledger:{name}", args=[issue.pk])
        panel = Panel(name, str(spec.title), str(spec.button), form, url)
        if failed is not None and failed[0] == name:
            panel.form, panel.open = failed[1], True
        panels.append(panel)
    return panels


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    actor: str = ""
    note: str = ""
    lines: list[str] = field(default_factory=list)


def _name(user: User | None) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def timeline(issue: Issue) -> list[TimelineEntry]:
    """Every report, decision, plan change and notice of the item, oldest first."""
    return [
        TimelineEntry(at=e.at, title=e.get_kind_display(), actor=_name(e.actor), note=e.note,
                      lines=[e.data["unit"]] if e.data.get("unit") else [])
        for e in issue.events.select_related("actor__person")
    ]  # fmt: skip


def _detail(
    request: HttpRequest,
    issue: Issue,
    *,
    failed: tuple[str, f.ItemActionForm] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    milestones = list(issue.milestones.select_related("owner"))
    appeals = issue.appeals.all()
    context = {
        "issue": issue,
        "today": timezone.localdate(),
        "progress": rules.progress(issue),
        "quantity": rules.quantity_text(issue),
        "milestones": [(m, rules.quantity_text(m)) for m in milestones],
        "reports": list(
            issue.reports.select_related("unit", "reported_by__person").prefetch_related("files")
        ),
        "signoffs": list(
            issue.signoffs.select_related(
                "submitted_by__person", "agreed_by__person", "decided_by__person"
            ).prefetch_related("files")
        ),
        "milestone_files": {m.pk: list(m.files.all()) for m in milestones if m.done_at},
        "appeals": list(visible(request.user, appeals).only("number", "title", "state", "replied_at")),
        "appeals_total": appeals.count(),
        "open_appeals": appeals.filter(state__in=OPEN_STATES).count(),
        "timeline": timeline(issue),
        "supervision_notices": notices_for(issue, request.user),
        "may_issue_notice": may_issue(request.user, issue),
        "panels": _panels(request, issue, failed),
        "errors": errors or [],
    }
    return render(request, "ledger/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _item(request, pk))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one action through its rule; on refusal show the page again with the reason (400)."""
    issue = _item(request, pk)
    spec = ACTIONS[action]
    form = spec.form(request.POST, request.FILES, issue=issue, auto_id=f"{action}-%s")
    if not form.is_valid():
        return _detail(request, issue, failed=(action, form), errors=[_("Please correct the errors below.")],
                       status=400)  # fmt: skip
    try:
        if form.cleaned_data["version"] != issue.version:
            raise ValidationError(
                _("Someone else changed this item while you were working on it. Reload it and try again."),
                code="conflict",
            )
        message = spec.perform(request, issue, form.cleaned_data)
    except PermissionDenied as refused:
        return _detail(request, issue, errors=[str(refused)], status=403)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, problems in error.error_dict.items():
                form.add_error(name if name in form.fields else None, problems)
            errors = [_("Please correct the errors below.")]
        else:
            errors = list(error.messages)
        return _detail(request, issue, failed=(action, form), errors=errors, status=400)
    messages.success(request, message)
    return redirect("ledger:detail", issue.pk)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """An evidence file, only for those who may see the item (audited)."""
    issue = _item(request, pk)
    item = get_object_or_404(IssueFile, pk=file_pk, issue=issue)
    record("ledger.file_view", actor=request.user, obj=issue, detail={"file": item.pk})
    return serve(item)


# --- the sign-off register -----------------------------------------------------------------------


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """销号登记: every signed-off item with its date, approver and evidence."""
    require(request.user, "ledger.view_issue")
    rows, chosen, dates = signed_off(request.user, request.GET)
    page_rows, page = window(
        rows.select_related(
            "issue__lead_unit", "issue__campaign", "decided_by__person", "agreed_by__person"
        ).prefetch_related("files"),
        request.GET.get("page"),
        size=50,
        last=1000,
    )
    return render(
        request,
        "ledger/register.html",
        {
            "rows": page_rows,
            "page": page,
            "f": chosen,
            "dates": dates,
            "campaigns": Campaign.objects.all(),
            "units": Unit.objects.filter(kind__in=LEAD_KINDS, is_active=True).order_by("path"),
            "query": urlencode({**chosen.query(), **{k: v for k, v in dates.items() if v}}),
        },
    )
