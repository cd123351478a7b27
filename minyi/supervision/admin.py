"""Supervision notices in the admin: read-only (notices change only through rules.py, and are audited)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from minyi.supervision.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["issued_at", "level", "unit", "appeal", "issue", "answer_by", "answered_at"]
    list_filter = ["level"]
    list_select_related = ["unit", "appeal", "issue"]
    raw_id_fields = ["appeal", "issue", "unit", "issued_by", "answered_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
