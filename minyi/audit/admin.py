"""Read-only view of the audit trail in Django admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minyi.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "ip", "action", "object_type", "object_repr", "subject"]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_repr", "subject"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
