"""Symposia in the admin: read-only (symposia and their opinions change only through rules.py, which
audits every change)."""

from __future__ import annotations

from django.contrib import admin

from minyi.admin_base import ReadOnlyAdmin
from minyi.symposia.models import Opinion, Symposium


@admin.register(Symposium)
class SymposiumAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "title", "host", "group", "attendees", "township", "campaign"]
    list_filter = ["group"]
    list_select_related = ["host", "township", "campaign"]
    raw_id_fields = ["host", "township", "village", "campaign", "recorded_by"]
    date_hierarchy = "held_on"


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ["symposium", "appeal", "speaker"]
    raw_id_fields = ["symposium", "appeal"]
