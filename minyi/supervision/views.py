"""Supervision pages: the notices in the user's scope, one notice with the unit's answer form, the
leader's hand-issued notice, and the briefing. Views only ask and show; rules.py does the work."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from minyi.appeals.models import Appeal
from minyi.dates import local_today
from minyi.ledger.choices import OPEN_ISSUE_STATES
from minyi.ledger.models import Issue
from minyi.org.permissions import can, require, scope_filter, visible
from minyi.paging import window
from minyi.supervision import rules
from minyi.supervision.access import SupervisionPerm
from minyi.supervision.forms import AnswerForm, NoticeFilterForm, NoticeForm
from minyi.supervision.models import Notice
from minyi.supervision.queries import RELATED, listed_notices

PAGE_SIZE = 50
#: Items listed on the page to choose what to supervise, in each of its two lists.
CHOOSE_LIMIT = 50


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """Notices in the user's scope (unit staff: to their unit; district roles: all), newest first."""
    require(request.user, SupervisionPerm.VIEW)
    form = NoticeFilterForm(request.GET or None)
    notices, chosen = listed_notices(request.user, form)
    rows, page = window(
        notices,
        request.GET.get("page"),
        size=PAGE_SIZE,
        last=1000,
    )
    today = local_today()
    return render(
        request,
        "supervision/list.html",
        {
            "form": form,
            "rows": [(n, n.answer_status(today)) for n in rows],
            "page": page,
            "query": urlencode(chosen),
        },
    )


def _visible_notice(request: HttpRequest, pk: int) -> Notice:
    """The notice, if this user may see it; otherwise 404 (its existence is not revealed)."""
    require(request.user, SupervisionPerm.VIEW)
    notice = visible(request.user, Notice.objects.filter(pk=pk).select_related(*RELATED)).first()
    if notice is None or not can(request.user, SupervisionPerm.VIEW, notice):
        raise Http404
    return notice


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice, its status (waiting, answered on time or late) and, for the unit, the answer form."""
    notice = _visible_notice(request, pk)
    may_answer = notice.answered_at is None and rules.may_answer(request.user, notice)
    form = AnswerForm() if may_answer else None
    status = 200
    if request.method == "POST":
        if not rules.may_answer(request.user, notice):
            raise PermissionDenied(_("Only %(unit)s may answer this notice.") % {"unit": notice.unit.name})
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                rules.answer_notice(notice, actor=request.user, text=form.cleaned_data["answer"])
            except ValidationError as error:
                if getattr(error, "code", None) != "answered":
                    form.add_error(None, error)
                else:  # someone of the unit answered first: show their answer
                    messages.error(request, error.messages[0])
                    return redirect("supervision:detail", pk=notice.pk)
            else:
                messages.success(request, _("The answer was recorded."))
                return redirect("supervision:detail", pk=notice.pk)
        status = 400
    return render(
        request,
        "supervision/detail.html",
        {"notice": notice, "status": notice.answer_status(), "form": form},
        status=status,
    )


def _target(request: HttpRequest) -> Appeal | Issue | None:
    """The appeal (?appeal=<number>) or item (?issue=<pk>) the new notice is about, if the user sees it;
    None when neither is named."""
    number = request.GET.get("appeal", "").strip()
    issue = request.GET.get("issue", "").strip()
    if number:
        found: Appeal | Issue | None = visible(request.user, Appeal.objects.filter(number=number)).first()
    elif issue:
        issues = Issue.objects.filter(pk=int(issue) if issue.isdigit() else 0).select_related("lead_unit")
        found = scope_filter(request.user, issues, "lead_unit__path").first()
    else:
        return None
    if found is None or not rules.may_issue(request.user, found):
        raise _NotFound(number or issue)
    return found


class _NotFound(Exception):
    """The named appeal or item does not exist or is not the user's to supervise."""


def _choose(request: HttpRequest, missing: str = "") -> HttpResponse:
    """The page to choose what to supervise: the user's open items (those they supervise first) and a
    box for an appeal's number; answered 404 when a named target was not found (its existence is not
    revealed), with the same page and a plain message."""
    items = scope_filter(
        request.user,
        Issue.objects.filter(state__in=OPEN_ISSUE_STATES).select_related("lead_unit"),
        "lead_unit__path",
    )
    leader = request.user.pk  # logged in (login_required)
    mine = items.filter(leader_id=leader).order_by("deadline", "id")[:CHOOSE_LIMIT]
    others = items.exclude(leader_id=leader).order_by("deadline", "id")[:CHOOSE_LIMIT]
    return render(
        request,
        "supervision/choose.html",
        {"mine": mine, "others": others, "missing": missing, "today": local_today()},
        status=404 if missing else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_notice(request: HttpRequest) -> HttpResponse:
    """A leader's notice about one appeal or item, with the date by which the unit must answer."""
    require(request.user, SupervisionPerm.ADD)
    try:
        target = _target(request)
    except _NotFound as missing:
        return _choose(request, str(missing))
    if target is None:
        return _choose(request)
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = rules.issue_notice(
                target,
                actor=request.user,
                text=form.cleaned_data["text"],
                answer_by=form.cleaned_data["answer_by"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The notice was sent to %(unit)s.") % {"unit": notice.unit.name})
            return redirect("supervision:detail", pk=notice.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "supervision/new.html",
        {
            "form": form,
            "target": target,
            "label": rules.target_label(target),
            "is_appeal": isinstance(target, Appeal),
        },
        status=status,
    )


@login_required
@require_GET
def briefing(request: HttpRequest) -> HttpResponse:
    """The red notices the periodic briefing names, in the user's scope."""
    require(request.user, SupervisionPerm.VIEW)
    now = timezone.now()
    notices, page = window(rules.briefing_notices(now, user=request.user), request.GET.get("page"),
                           size=PAGE_SIZE, last=1000)  # fmt: skip
    return render(
        request,
        "supervision/briefing.html",
        {"rows": rules.briefing_rows(notices, now), "page": page, "red_after": rules.RED_AFTER},
    )
