"""Django admin for IT staff: enter each year's official holidays, or seed them from chinesecalendar.

Every save here moves the calendar's stamp (models.CalendarYear.save, rules.mark_changed_by_hand),
so every process computes the next deadline with the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from minyi.workdays import rules
from minyi.workdays.models import CalendarDay, CalendarYear

#: The State Council has published its notice since 2000; earlier years come from the library only.
FIRST_NOTICE_YEAR = 2000


class NoticeForm(forms.Form):
    """The State Council's notice for one year: lines pasted from it, or a small sheet."""

    year = forms.IntegerField(label=_("year"), min_value=FIRST_NOTICE_YEAR, max_value=2100)
    lines = forms.CharField(
        label=_("dates from the notice"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 12, "cols": 40, "placeholder": "2027-01-01 休 元旦\n2027-02-06 班"}
        ),
        help_text=_(
            "One date a line, then 休 (a rest day) or 班 (a working day), "
            "then the holiday's name if you like."
        ),
    )
    sheet = forms.FileField(
        label=_("or a sheet (.xlsx)"),
        required=False,
        help_text=_("Columns: date, 休 or 班, name. A header row is skipped."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year = data.get("year")
        if year is None:
            return data
        sheet = data.get("sheet")
        rows: Sequence[Sequence[Any]]
        if sheet is not None:
            rows = _sheet_rows(sheet)
        elif (data.get("lines") or "").strip():
            rows = rules.notice_lines(data["lines"])
        else:
            raise forms.ValidationError(_("Paste the notice's dates or choose a sheet."))
        data["days"] = rules.parse_notice(year, rows)
        return data


def _sheet_rows(upload: Any) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        raise forms.ValidationError(_("This file is not an Excel workbook (.xlsx).")) from None
    try:
        return [tuple(row[:3]) for row in book.worksheets[0].iter_rows(max_row=400, values_only=True)]
    finally:
        book.close()


def _days_text(days: list[rules.NoticeDay]) -> str:
    return "\n".join(f"{day.date.isoformat()} {'班' if day.is_workday else '休'} {day.name}" for day in days)


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
        load = path(
            "load/", self.admin_site.admin_view(self.load_notice_view), name="workdays_calendaryear_load"
        )
        return [seed, load, *super().get_urls()]

    def load_notice_view(self, request: HttpRequest) -> HttpResponse:
        """Load a year's holidays from the State Council's notice: the dates, a preview of the running
        deadlines they move, then confirm (rules.load_notice)."""
        if not self._may_seed(request):
            raise PermissionDenied
        form = NoticeForm(request.POST or None, request.FILES or None)
        preview: list[rules.MovedDeadline] | None = None
        days: list[rules.NoticeDay] = []
        if request.method == "POST" and form.is_valid():
            year, days = form.cleaned_data["year"], form.cleaned_data["days"]
            if request.POST.get("confirm"):
                moved = rules.load_notice(year, days, actor=request.user)
                messages.success(
                    request,
                    gettext(
                        "The holidays of %(year)s are loaded: %(rest)d rest days and %(work)d make-up "
                        "working days; %(moved)d running deadlines moved."
                    )
                    % {
                        "year": year,
                        "rest": sum(1 for day in days if not day.is_workday),
                        "work": sum(1 for day in days if day.is_workday),
                        "moved": len(moved),
                    },
                )
                return HttpResponseRedirect(reverse("admin:workdays_calendaryear_changelist"))
            preview = rules.preview_notice(year, days)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Load the State Council's holiday notice"),
            "opts": self.model._meta,
            "form": form,
            "days": days,
            "days_text": _days_text(days),
            "preview": preview,
        }
        return TemplateResponse(request, "admin/workdays/calendaryear/load.html", context)

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
        context = {
            **(extra_context or {}),
            "may_seed": self._may_seed(request),
            "provisional": rules.provisional_notice(),
        }
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
