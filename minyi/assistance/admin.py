"""Social assistance in the admin: the coordination settings, delivery routes and eligibility
checklists are edited here; cases, parts and deliveries are read-only (they change only through
rules.py, which audits every change)."""

from __future__ import annotations

from django.contrib import admin

from minyi.admin_base import ReadOnlyAdmin
from minyi.assistance.models import Case, CasePart, Coordination, Delivery, DeliveryRoute, EligibilityItem


@admin.register(Coordination)
class CoordinationAdmin(admin.ModelAdmin):
    list_display = ["unit", "repeat_days", "stale_days"]
    raw_id_fields = ["unit"]


@admin.register(DeliveryRoute)
class DeliveryRouteAdmin(admin.ModelAdmin):
    list_display = ["type", "unit", "is_active"]
    list_filter = ["type", "is_active"]
    list_editable = ["is_active"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]


@admin.register(EligibilityItem)
class EligibilityItemAdmin(admin.ModelAdmin):
    list_display = ["text", "type", "sort", "is_active"]
    list_filter = ["type", "is_active"]
    list_editable = ["sort", "is_active"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "household", "township", "state", "opened_at", "campaign"]
    list_filter = ["state"]
    list_select_related = ["household", "township", "campaign"]
    raw_id_fields = ["household", "township", "coordinator", "campaign", "source_appeal", "source_difficulty"]


@admin.register(CasePart)
class CasePartAdmin(ReadOnlyAdmin):
    list_display = ["case", "type", "unit", "state", "handed_at", "delivered_on"]
    list_filter = ["type", "state"]
    list_select_related = ["case__household", "unit"]
    raw_id_fields = ["case", "unit", "handed_by"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["part", "amount", "service", "delivered_on", "delivered_by"]
    list_select_related = ["part__case__household", "delivered_by"]
    raw_id_fields = ["part", "delivered_by", "recorded_by"]
