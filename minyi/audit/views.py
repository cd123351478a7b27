"""The auditor's page: the audit trail, filtered by action, actor, object and time."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minyi.audit.forms import AuditFilterForm
from minyi.audit.models import AuditEvent
from minyi.dates import day_start
from minyi.org.permissions import Action, require


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None)
    page = Paginator(filtered_events(form), 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"form": form, "page": page})


def filtered_events(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    """The audit events the (bound) filter ``form`` selects when valid, all of them otherwise, in the
    model's order (newest first); the auditor's page and its export share it."""
    events = AuditEvent.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["actor"]:
            events = events.filter(actor_name__icontains=data["actor"])
        if data["subject"]:
            events = events.filter(subject__icontains=data["subject"])
        if data["date_from"]:
            events = events.filter(at__gte=day_start(data["date_from"]))
        if data["date_to"]:
            events = events.filter(at__lt=day_start(data["date_to"] + timedelta(days=1)))
    return events
