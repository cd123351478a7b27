"""The role-model library in the admin, read-only: rows change only through rules.py, and are audited."""

from __future__ import annotations

from django.contrib import admin

from minyi.admin_base import ReadOnlyAdmin
from minyi.exemplars.models import ActivityExemplar, Exemplar, ExemplarMaterial, Showing


@admin.register(Exemplar)
class ExemplarAdmin(ReadOnlyAdmin):
    list_display = ["name", "level", "known_for", "place"]
    list_filter = ["level"]
    search_fields = ["name", "known_for", "place"]


@admin.register(ExemplarMaterial)
class ExemplarMaterialAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "exemplar", "copies"]
    list_filter = ["kind"]
    list_select_related = ["exemplar"]


@admin.register(Showing)
class ShowingAdmin(ReadOnlyAdmin):
    list_display = ["shown_on", "material", "place", "unit", "audience"]
    list_select_related = ["material", "unit"]
    raw_id_fields = ["material", "unit", "recorded_by"]
    date_hierarchy = "shown_on"


@admin.register(ActivityExemplar)
class ActivityExemplarAdmin(ReadOnlyAdmin):
    list_display = ["activity", "exemplar", "linked_at"]
    list_select_related = ["activity", "exemplar"]
    raw_id_fields = ["activity", "exemplar", "linked_by"]
