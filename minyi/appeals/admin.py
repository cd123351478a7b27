"""Django admin for IT staff: the category tree (with usual handling units) and the deadline rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, F, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from minyi.appeals.categories import LEVELS
from minyi.appeals.models import Category, SlaRule
from minyi.org.choices import UnitKind
from minyi.org.models import Unit
from minyi.workdays.rules import provisional_notice

#: Units that can be a category's usual handling unit (villages and branches do not handle appeals).
HANDLING_KINDS = (UnitKind.DISTRICT, UnitKind.DEPARTMENT, UnitKind.TOWNSHIP)

# Tree order: each level-1 category, then its level-2 children, each followed by its level-3 ones
# (siblings by their order, then code).
_TREE_ORDER = [
    Coalesce(F("parent__parent__sort"), F("parent__sort"), F("sort")).asc(),
    Coalesce(F("parent__parent__code"), F("parent__code"), F("code")).asc(),
    Case(When(level=3, then=F("parent__sort")), When(level=2, then=F("sort")), default=Value(-1)).asc(),
    Case(When(level=3, then=F("parent__code")), When(level=2, then=F("code")), default=Value("")).asc(),
    Case(When(level=3, then=F("sort")), default=Value(-1)).asc(),
    Case(When(level=3, then=F("code")), default=Value("")).asc(),
]


def _handling_units() -> QuerySet[Unit]:
    return Unit.objects.filter(kind__in=HANDLING_KINDS, is_active=True).order_by("path")


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "code", "parent", "default_unit", "is_active", "is_public", "sort"]

    def clean_parent(self) -> Category | None:
        parent: Category | None = self.cleaned_data.get("parent")
        height = _height(self.instance) if self.instance.pk is not None else 1
        if parent is not None and parent.level + height > LEVELS:
            raise forms.ValidationError(_("The tree has three levels: choose a parent higher up."))
        if parent is not None and self.instance.pk is not None:
            node: Category | None = parent
            while node is not None:  # a category may not hang below itself
                if node.pk == self.instance.pk:
                    raise forms.ValidationError(_("A category cannot be placed below itself."))
                node = node.parent
        return parent


def _height(category: Category) -> int:
    """1 for a leaf, 2 with children, 3 with grandchildren."""
    if Category.objects.filter(parent__parent=category).exists():
        return 3
    return 2 if Category.objects.filter(parent=category).exists() else 1


class _SharedChoicesFormSet(BaseModelFormSet):
    """The list's editable unit column: one query for the units, not one per row."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "---------"), *((u.pk, u.name) for u in _handling_units())]
        for form in self.forms:
            if "default_unit" in form.fields:
                form.fields["default_unit"].choices = choices


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ["tree_name", "code", "level", "default_unit", "is_active", "is_public"]
    list_editable = ["default_unit", "is_active", "is_public"]
    list_filter = ["level", "is_active", "is_public", "default_unit"]
    list_select_related = ["parent__parent", "default_unit"]
    search_fields = ["name", "code", "parent__name"]
    raw_id_fields = ["parent"]
    list_per_page = 100

    def get_ordering(self, request: HttpRequest) -> Any:
        return _TREE_ORDER

    @admin.display(description=_("name"))
    def tree_name(self, category: Category) -> str:
        return "\u3000" * (category.level - 1) + ("└ " if category.level > 1 else "") + category.name

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["formset"] = _SharedChoicesFormSet
        return super().get_changelist_formset(request, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "default_unit":
            kwargs["queryset"] = _handling_units()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        obj.level = obj.parent.level + 1 if obj.parent is not None else 1
        super().save_model(request, obj, form, change)
        if change:  # a moved category takes its subtree along
            Category.objects.filter(parent=obj).update(level=obj.level + 1)
            Category.objects.filter(parent__parent=obj).update(level=obj.level + 2)


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = [
        "urgency",
        "kind",
        "channel",
        "handle_days",
        "return_days",
        "max_extension_days",
        "due_soon_days",
    ]
    list_editable = ["handle_days", "return_days", "max_extension_days", "due_soon_days"]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Deadlines are counted from these rules: say while a year in use is counted provisionally.
        notice = provisional_notice()
        if notice and request.method == "GET":
            messages.warning(request, notice)
        return super().changelist_view(request, extra_context=extra_context)

    list_filter = ["urgency", "kind", "channel"]
