"""Study in the admin: branches and rolls are kept here; activity records are read-only (they change
only through rules.py, and are audited)."""

from __future__ import annotations

from django.contrib import admin

from minyi.admin_base import ReadOnlyAdmin
from minyi.study.models import Activity, Attendance, Branch, Material, Membership, Reminder, Session


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "liaison", "responsible", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["unit", "party_unit", "liaison", "responsible"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "home_branch", "current_branch", "mobile", "is_active"]
    list_filter = ["mobile", "is_active"]
    search_fields = ["person__name"]
    raw_id_fields = ["person", "home_branch", "current_branch"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "unit", "campaign", "created_at"]
    list_filter = ["kind"]


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "topic", "activity", "code"]
    list_select_related = ["activity"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["session", "person", "mode", "recorded_at"]
    list_filter = ["mode"]
    list_select_related = ["session", "person"]


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ["handed_on", "kind", "title", "count", "branch", "person"]
    list_filter = ["kind"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["person", "period_from", "period_to", "sent_at"]
