"""Outreach in the admin: read-only (visits, difficulties and pairings change only through rules.py,
which audits every change)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from minyi.outreach.models import Difficulty, Pairing, Visit


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Pairing)
class PairingAdmin(ReadOnly):
    list_display = ["person", "unit", "household", "visits_planned", "period", "state", "started_on"]
    list_filter = ["state", "period"]
    list_select_related = ["person", "unit", "household"]


@admin.register(Visit)
class VisitAdmin(ReadOnly):
    list_display = ["visited_on", "visitor", "place_kind", "village", "household", "enterprise", "campaign"]
    list_filter = ["place_kind"]
    list_select_related = ["visitor", "village", "household", "enterprise", "campaign"]
    raw_id_fields = ["visitor", "village", "household", "enterprise", "township", "campaign", "recorded_by"]
    date_hierarchy = "visited_on"


@admin.register(Difficulty)
class DifficultyAdmin(ReadOnly):
    list_display = ["text", "visit", "handled_on_spot", "appeal"]
    list_filter = ["handled_on_spot"]
    raw_id_fields = ["visit", "appeal", "category"]
