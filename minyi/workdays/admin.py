"""Django admin for IT staff: enter each year's official holidays, or seed them from chinesecalendar.

Every save here moves the calendar's stamp (models.CalendarYear.save, rules.mark_changed_by_hand),
so every process computes the next deadline with the change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from minyi.workdays import rules
from minyi.workdays.models import CalendarDay, CalendarYear


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ["date", "is_workday", "name"]
    extra = 0


def _report_seeded(request: HttpRequest, asked: list[int] | None, seeded: list[int]) -> None:
    if seeded:
        messages.success(
            request,
            gettext("Loaded the holidays of %(years)s from the library.")
            % {"years": ", ".join(map(str, seeded))},
        )
    skipped = sorted(set(asked or []) - set(seeded))
    if skipped:
        messages.warning(
            request,
            gettext(
                "Not loaded from the library: %(years)s (entered by an administrator, or not known to the "
                "library)."
            )
            % {"years": ", ".join(map(str, skipped))},
        )
    elif not seeded:
        messages.warning(request, gettext("The library knows no year to load."))


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "confirmed", "source", "day_count", "note", "updated_at"]
    list_filter = ["confirmed", "source"]
    search_fields = ["year", "note"]
    readonly_fields = ["updated_at"]
    inlines = [CalendarDayInline]
    actions = ["seed_selected"]
    change_list_template = "admin/workdays/calendaryear/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return super().get_queryset(request).annotate(day_count=Count("days"))

    @admin.display(description=_("days stored"), ordering="day_count")
    def day_count(self, obj: CalendarYear) -> int:
        return int(getattr(obj, "day_count", 0))

    def _may_seed(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    @admin.action(description=_("Seed the selected years from the library"), permissions=["seed"])
    def seed_selected(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        asked = sorted(queryset.values_list("year", flat=True))
        _report_seeded(request, asked, rules.seed_from_library(asked))

    def has_seed_permission(self, request: HttpRequest) -> bool:
        return self._may_seed(request)

    def get_urls(self) -> list[URLPattern]:
        seed = path(
            "seed/",
            self.admin_site.admin_view(require_POST(self.seed_all_view)),
            name="workdays_calendaryear_seed",
        )
        return [seed, *super().get_urls()]

    def seed_all_view(self, request: HttpRequest) -> HttpResponse:
        """Seed every year the library knows (years entered by an administrator are kept)."""
        if not self._may_seed(request):
            raise PermissionDenied
        _report_seeded(request, None, rules.seed_from_library())
        return HttpResponseRedirect(reverse("admin:workdays_calendaryear_changelist"))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        warning = rules.calendar_warning()
        if warning and request.method == "GET":
            messages.warning(request, warning)
        context = {**(extra_context or {}), "may_seed": self._may_seed(request)}
        return super().changelist_view(request, extra_context=context)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name"]

    def clean(self) -> dict[str, Any]:
        # Here the year is not a field: the day is filed under its date's year when saved.
        self.instance.year_id = None
        return super().clean() or {}


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "is_workday", "name", "year"]
    list_filter = ["is_workday", "year"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_select_related = ["year"]

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "l")
