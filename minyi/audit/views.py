"""The auditor's page: the audit trail, filtered by action, actor, object and time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minyi.audit.access import AuditPerm
from minyi.audit.forms import AuditFilterForm
from minyi.audit.queries import filtered_events
from minyi.org.permissions import require


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require(request.user, AuditPerm.VIEW)
    form = AuditFilterForm(request.GET or None)
    page = Paginator(filtered_events(form), 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"form": form, "page": page})
