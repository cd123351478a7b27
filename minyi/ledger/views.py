"""The ledger page: rectification items with the summary line, filtered by campaign, track, state."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minyi.appeals.models import Appeal
from minyi.fields import unit_groups
from minyi.ledger.access import LedgerPerm
from minyi.ledger.choices import LEAD_KINDS, IssueSource, IssueState, Track
from minyi.ledger.filters import LedgerFilters
from minyi.ledger.forms import IssueForm
from minyi.ledger.models import Campaign
from minyi.ledger.queries import needs_action_first
from minyi.ledger.rules import (
    check_create_issue,
    create_issue,
    progress,
    quantity_text,
    summary,
    summary_sentence,
)
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.permissions import require, visible
from minyi.paging import window

PAGE_SIZE = 50


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """Items in the user's scope by campaign, unit, leader, track, state, source and overdue, with the
    summary line of exactly the filtered items."""
    require(request.user, LedgerPerm.VIEW)
    chosen = LedgerFilters.parse(request.GET)
    today = timezone.localdate()
    issues = chosen.apply(request.user, today)
    rows, page = window(
        needs_action_first(issues, today)
        .select_related("lead_unit", "leader__person")
        .prefetch_related("milestones"),
        request.GET.get("page"),
        size=PAGE_SIZE,
        last=1000,
    )
    return render(
        request,
        "ledger/list.html",
        {
            "rows": [(issue, progress(issue), quantity_text(issue)) for issue in rows],
            "page": page,
            "f": chosen,
            "query": urlencode(chosen.query()),
            "campaigns": Campaign.objects.all(),
            "units": unit_groups(Unit.objects.filter(kind__in=LEAD_KINDS, is_active=True)),
            "leaders": User.objects.filter(person__role=Role.LEADER, is_active=True)
            .select_related("person")
            .order_by("person__name"),
            "tracks": Track.choices,
            "states": IssueState.choices,
            "sources": IssueSource.choices,
            "sentence": summary_sentence(summary(issues=issues, today=today)),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_issue(request: HttpRequest) -> HttpResponse:
    """Make a rectification item, usually of appeals selected in the inbox (?appeal=N&appeal=M)."""
    check_create_issue(request.user)
    numbers = request.GET.getlist("appeal") or request.POST.getlist("appeal")
    appeals = list(visible(request.user, Appeal.objects.filter(number__in=numbers[:200])))
    first = appeals[0] if appeals else None
    initial = {"title": first.title if first else "", "lead_unit": first.lead_unit if first else None}
    form = IssueForm(request.POST or None, initial=initial, appeals=appeals)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = create_issue(**data, actor=request.user, appeals=appeals)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Rectification item “%(title)s” created.") % {"title": issue.title})
            return redirect("ledger:detail", pk=issue.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "ledger/new.html", {"form": form, "appeals": appeals}, status=status)
