"""The audit trail's list query, shared by the auditor's page and its Excel export."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from minyi.audit.forms import AuditFilterForm
from minyi.audit.models import AuditEvent


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
            start = datetime.combine(data["date_from"], time.min)
            events = events.filter(at__gte=timezone.make_aware(start))
        if data["date_to"]:
            end = datetime.combine(data["date_to"], time.max)
            events = events.filter(at__lte=timezone.make_aware(end))
    return events
