"""Django admin of insight: the places an admin adds to the district's gazetteer (docs/design.md).

Hotspot places come from the unit tree, the appeals' addresses and this list; nothing else changes the
places a board shows, so the list is edited here freely (no rules module: it holds no state of an appeal).
"""

from __future__ import annotations

from django.contrib import admin

from minyi.insight.models import GazetteerPlace


@admin.register(GazetteerPlace)
class GazetteerPlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "township", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
