"""Django admin for IT staff: the organisation's raw records."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.org import throttle
from minyi.org.auth import AdminLoginForm
from minyi.org.models import Household, LoginThrottle, Person, Unit
from minyi.org.permissions import OrgPerm

# The admin site's login shares the login delay and its messages (minyi/org/auth.py).
admin.site.login_form = AdminLoginForm


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
    list_display = ["username", "address", "failures", "last_failure_at", "retry_at"]
    search_fields = ["username", "address"]
    actions = ["clear_delays"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only failed logins write these rows

    def has_change_permission(self, request: HttpRequest, obj: LoginThrottle | None = None) -> bool:
        return False

    def has_unlock_login_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(OrgPerm.UNLOCK_LOGIN)

    @admin.action(
        description=gettext_lazy("Clear the login delays of the selected user names"),
        permissions=["unlock_login"],
    )
    def clear_delays(self, request: HttpRequest, queryset: QuerySet[LoginThrottle]) -> None:
        usernames = sorted(set(queryset.values_list("username", flat=True)))
        for username in usernames:
            throttle.clear_delays(username, actor=request.user, via="admin")
        messages.success(
            request, _("Cleared the login delays of: %(names)s") % {"names": ", ".join(usernames)}
        )
