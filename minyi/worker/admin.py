"""Django admin for IT staff: the outbox, read-only but for sending failed jobs back to the queue, and
the deliveries of messages to their gateways and the workers' heartbeats (read-only)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from minyi.privacy import mask_text
from minyi.worker.models import Delivery, Heartbeat, Job
from minyi.worker.rules import retry_now

# Payloads and errors carry citizens' phone numbers: shown masked, as everywhere they are not needed.
SHOWN = (
    "kind",
    "state",
    "attempts",
    "max_attempts",
    "run_after",
    "locked_by",
    "locked_at",
    "created_at",
    "finished_at",
    "dedupe_key",
    "request_id",
    "masked_payload",
    "masked_last_error",
)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "state",
        "attempts",
        "max_attempts",
        "run_after",
        "locked_by",
        "finished_at",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["kind", "dedupe_key", "locked_by"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    actions = ["retry_selected"]
    fields = SHOWN
    readonly_fields = SHOWN

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The list may act on jobs (retry now); a single job is only shown: saving the form would
        # write back a state the worker may have changed since the page was opened.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("payload"))
    def masked_payload(self, job: Job) -> str:
        return mask_text(json.dumps(job.payload, ensure_ascii=False, indent=2))

    @admin.display(description=_("last error"))
    def masked_last_error(self, job: Job) -> str:
        return mask_text(job.last_error)

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        count = retry_now(queryset, actor=request.user)
        message = ngettext(
            "%(count)d failed or dead job was sent back to the queue.",
            "%(count)d failed or dead jobs were sent back to the queue.",
            count,
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Each message handed to its gateway: one started and never finished is one a worker died
    sending (the next run sends it again under the same key). Holds no address in clear."""

    fields = readonly_fields = ("key", "channel", "job", "started_at", "finished_at", "outcome", "calls")
    list_display = list(fields)
    list_filter = ["channel", "outcome"]
    search_fields = ["key"]
    ordering = ["-id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    """Which workers run, and when each was last seen (what /readyz and /metrics read)."""

    fields = readonly_fields = ("worker_id", "started_at", "seen_at", "stopped_at", "jobs_run")
    list_display = list(fields)
    ordering = ["-seen_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
