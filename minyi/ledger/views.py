"""The ledger page: rectification items with the summary line, filtered by campaign, track, state."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minyi.appeals.models import Appeal
from minyi.ledger.choices import OPEN_ISSUE_STATES, IssueState, Track
from minyi.ledger.forms import IssueForm
from minyi.ledger.models import Campaign, Issue
from minyi.ledger.rules import create_issue, progress, summary, summary_sentence
from minyi.org.models import Unit
from minyi.org.permissions import require, scope_filter, scope_of, visible
from minyi.paging import window

PAGE_SIZE = 50


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    require(request.user, "ledger.view_issue")
    campaigns = list(Campaign.objects.all())
    campaign = next((c for c in campaigns if c.code == request.GET.get("campaign")), None)
    issues = scope_filter(request.user, Issue.objects.all(), "lead_unit__path")
    if campaign is not None:
        issues = issues.filter(campaign=campaign)
    track = request.GET.get("track", "")
    if track in Track.values:
        issues = issues.filter(original_track=track)
    state = request.GET.get("state", "")
    if state in IssueState.values:
        issues = issues.filter(state=state)
    if request.GET.get("overdue"):
        issues = issues.filter(state__in=OPEN_ISSUE_STATES, deadline__lt=timezone.localdate())
    rows, page = window(
        issues.select_related("lead_unit", "leader__person").prefetch_related("milestones"),
        request.GET.get("page"),
        size=PAGE_SIZE,
        last=1000,
    )
    scope = scope_of(request.user)
    figures = summary(campaign=campaign, unit=scope if isinstance(scope, Unit) else None)
    return render(
        request,
        "ledger/list.html",
        {
            "rows": [(issue, progress(issue)) for issue in rows],
            "page": page,
            "campaigns": campaigns,
            "campaign": campaign,
            "tracks": Track.choices,
            "states": IssueState.choices,
            "track": track,
            "state": state,
            "sentence": summary_sentence(figures),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_issue(request: HttpRequest) -> HttpResponse:
    """Make a rectification item, usually of appeals selected in the inbox (?appeal=N&appeal=M)."""
    require(request.user, "ledger.add_issue")
    numbers = request.GET.getlist("appeal") or request.POST.getlist("appeal")
    appeals = list(visible(request.user, Appeal.objects.filter(number__in=numbers[:200])))
    first = appeals[0] if appeals else None
    initial = {"title": first.title if first else "", "lead_unit": first.lead_unit if first else None}
    form = IssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = create_issue(**data, actor=request.user, appeals=appeals)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Rectification item “%(title)s” created.") % {"title": issue.title})
            return redirect("ledger:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "ledger/new.html", {"form": form, "appeals": appeals}, status=status)
