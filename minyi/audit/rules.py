"""Writing audit records. Every other app audits through ``record`` and ``record_personal_view``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from minyi.audit.context import current
from minyi.audit.models import AuditEvent


def record(
    action: str,
    *,
    actor: User | AnonymousUser | None,
    obj: models.Model | None = None,
    subject: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit record for ``action`` done by ``actor`` (None: the system) to ``obj``."""
    context = current.get()
    user = actor if actor is not None and actor.is_authenticated else None
    event_detail = dict(detail or {})
    if context is not None:
        event_detail.setdefault("via", context.via)
        if context.token:
            event_detail.setdefault("token", context.token)
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(user.get_username() if user is not None else "") or "",
        ip=context.ip if context else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        # An object names itself for the trail by ``audit_label`` when its str() holds personal data.
        object_repr=str(getattr(obj, "audit_label", obj))[:200] if obj is not None else "",
        subject=subject[:200],
        detail=event_detail,
    )


def record_personal_view(
    *, actor: User | AnonymousUser, obj: models.Model, subject: str, fields: list[str]
) -> AuditEvent:
    """Audit that ``actor`` saw the unmasked ``fields`` of ``subject``'s personal data."""
    return record("personal_data.view", actor=actor, obj=obj, subject=subject, detail={"fields": fields})
