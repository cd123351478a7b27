"""A person's dispatch leaves a label (routing.record_label), whichever page or API dispatched it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from minyi.appeals.choices import EventKind
from minyi.appeals.models import AppealEvent
from minyi.insight.routing import record_label


@receiver(post_save, sender=AppealEvent, dispatch_uid="insight.label_on_dispatch")
def label_on_dispatch(sender: type[AppealEvent], instance: AppealEvent, created: bool, **kwargs: Any) -> None:
    if created and instance.kind == EventKind.DISPATCHED and instance.actor is not None:
        record_label(instance.appeal, instance.actor)
