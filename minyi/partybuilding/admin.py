"""Village party organisations in the admin: read-only (marks, joint branches and tasks change only
through rules.py, which audits every change)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from minyi.admin_base import ReadOnlyAdmin
from minyi.partybuilding.models import JointBranch, JointBranchTask, JointMember, WeakMark


@admin.register(WeakMark)
class WeakMarkAdmin(ReadOnlyAdmin):
    list_display = ["branch", "marked_on", "cleared_on", "campaign"]
    list_select_related = ["branch", "campaign"]
    raw_id_fields = ["branch", "campaign", "marked_by", "cleared_by"]


class MemberInline(admin.TabularInline):
    model = JointMember
    extra = 0
    raw_id_fields = ["branch"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(JointBranch)
class JointBranchAdmin(ReadOnlyAdmin):
    list_display = ["name", "township", "campaign", "formed_on"]
    list_select_related = ["township", "campaign"]
    raw_id_fields = ["township", "campaign", "formed_by"]
    inlines = [MemberInline]


@admin.register(JointBranchTask)
class JointBranchTaskAdmin(ReadOnlyAdmin):
    list_display = ["joint_branch", "issue", "area"]
    list_select_related = ["joint_branch", "issue"]
    raw_id_fields = ["joint_branch", "issue"]
