"""The audit trail's list query, shared by the auditor's page and its Excel export."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from minyi.audit.forms import AuditFilterForm
from minyi.audit.models import AuditEvent
from minyi.dates import day_start


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
