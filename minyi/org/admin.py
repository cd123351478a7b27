"""Django admin for IT staff: the organisation's raw records."""

from django.contrib import admin

from minyi.org.models import Household, LoginThrottle, Person, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth"]
    raw_id_fields = ["parent"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "role", "title", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["name", "unit__name"]
    raw_id_fields = ["unit", "user"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["code", "head_name", "village", "size"]
    search_fields = ["code", "head_name"]
    raw_id_fields = ["village"]


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    list_display = ["username", "failures", "window_started_at", "locked_until"]
    search_fields = ["username"]
