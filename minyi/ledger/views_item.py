"""One rectification item's page (/ledger/<pk>/): its facts, linked appeals, plan, reports, sign-off
requests, evidence files, the timeline of every report, decision and notice, and the actions the user
may take now; and the sign-off register (/ledger/register/)."""

from __future__ import annotations

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
from django.views.decorators.http import require_GET, require_POST

from minyi.appeals.access import openable
from minyi.appeals.choices import OPEN_STATES
from minyi.appeals.uploads import serve, serve_thumbnail
from minyi.audit.rules import record
from minyi.errors import CORRECT_BELOW, shown_on, status_of
from minyi.fields import unit_groups
from minyi.ledger import action_forms as f
from minyi.ledger import actions, rules
from minyi.ledger.access import LedgerPerm, may_view
from minyi.ledger.choices import LEAD_KINDS
from minyi.ledger.filters import LedgerFilters
from minyi.ledger.models import Campaign, Issue, IssueFile
from minyi.ledger.queries import signed_off
from minyi.org.models import Unit
from minyi.org.permissions import require, visible
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


@dataclass
class Panel:
    action: str
    title: Any
    button: Any
    form: f.ItemActionForm
    url: str
    open: bool = False


def _panels(request: HttpRequest, issue: Issue, failed: tuple[str, f.ItemActionForm] | None) -> list[Panel]:
    """A panel for each step (minyi.ledger.actions) the user may take now; the one that failed open."""
    panels = []
    for action in actions.ACTIONS:
        if action.form is None or not action.available(request.user, issue):
            continue
        form = action.form(issue=issue, auto_id=f"{action.key}-%s")
        url = reverse(f"ledger:{action.key}", args=[issue.pk])
        panel = Panel(action.key, str(action.title), str(action.button), form, url)
        if failed is not None and failed[0] == action.key:
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
        "appeals": (
            shown := list(visible(request.user, appeals).only("number", "title", "state", "replied_at"))
        ),
        "openable": openable(request.user, shown),
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
    """Run one step through its rule; on refusal show the page again with the reason, answered with the
    refusal's status."""
    issue = _item(request, pk)
    step = actions.BY_KEY[action]
    if step.form is None:
        raise Http404  # a step of the API only
    form = step.form(request.POST, request.FILES, issue=issue, auto_id=f"{action}-%s")
    if not form.is_valid():
        return _detail(request, issue, failed=(action, form), errors=[str(CORRECT_BELOW)], status=400)
    try:
        message = actions.perform(step, request.user, issue, form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        errors, status = shown_on(form, refusal), status_of(refusal)
        return _detail(request, issue, failed=(action, form), errors=errors, status=status)
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


@login_required
@require_GET
def evidence_thumbnail(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """An evidence photo's thumbnail, for the same readers as the photo itself."""
    issue = _item(request, pk)
    return serve_thumbnail(get_object_or_404(IssueFile, pk=file_pk, issue=issue))


# --- the sign-off register -----------------------------------------------------------------------


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """销号登记: every signed-off item with its date, approver and evidence; a date that is no date is
    said above an empty register (400)."""
    require(request.user, LedgerPerm.VIEW)
    context: dict[str, Any] = {
        "campaigns": Campaign.objects.all(),
        "units": unit_groups(Unit.objects.filter(kind__in=LEAD_KINDS, is_active=True)),
    }
    try:
        rows, chosen, dates = signed_off(request.user, request.GET)
    except ValidationError as error:
        context |= {
            "rows": [],
            "f": LedgerFilters.parse(request.GET),
            "dates": {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")},
            "errors": error.messages,
        }
        return render(request, "ledger/register.html", context, status=400)
    page_rows, page = window(
        rows.select_related(
            "issue__lead_unit", "issue__campaign", "decided_by__person", "agreed_by__person"
        ).prefetch_related("files"),
        request.GET.get("page"),
        size=50,
        last=1000,
    )
    context |= {
        "rows": page_rows,
        "page": page,
        "f": chosen,
        "dates": dates,
        "query": urlencode({**chosen.query(), **{k: v for k, v in dates.items() if v}}),
    }
    return render(request, "ledger/register.html", context)
    return render(
        request,
        "ledger/register.html",
        {
            "rows": page_rows,
            "page": page,
            "f": chosen,
            "dates": dates,
            "campaigns": Campaign.objects.all(),
            "units": unit_groups(Unit.objects.filter(kind__in=LEAD_KINDS, is_active=True)),
            "query": urlencode({**chosen.query(), **{k: v for k, v in dates.items() if v}}),
        },
    )
