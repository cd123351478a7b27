"""Outreach in the admin: read-only (visits, difficulties and pairings change only through rules.py,
which audits every change)."""

from __future__ import annotations

from django.contrib import admin

from minyi.admin_base import ReadOnlyAdmin
from minyi.outreach.models import Difficulty, Pairing, Visit


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdmin):
    list_display = ["person", "unit", "household", "visits_planned", "period", "state", "started_on"]
    list_filter = ["state", "period"]
    list_select_related = ["person", "unit", "household"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["visited_on", "visitor", "place_kind", "village", "household", "enterprise", "campaign"]
    list_filter = ["place_kind"]
    list_select_related = ["visitor", "village", "household", "enterprise", "campaign"]
    raw_id_fields = ["visitor", "village", "household", "enterprise", "township", "campaign", "recorded_by"]
    date_hierarchy = "visited_on"


@admin.register(Difficulty)
class DifficultyAdmin(ReadOnlyAdmin):
    list_display = ["text", "visit", "handled_on_spot", "appeal"]
    list_filter = ["handled_on_spot"]
    raw_id_fields = ["visit", "appeal", "category"]
