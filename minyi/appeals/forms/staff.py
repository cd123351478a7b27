"""Forms of the staff actions on one appeal (each posts to its own URL with the version it was shown)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from minyi.appeals.choices import (
    AssignmentRole,
    ExtensionState,
    Kind,
    RejectReason,
    ReplyState,
    Satisfaction,
    Urgency,
    WaitingFor,
)
from minyi.appeals.models import Appeal, Assignment, Category, Extension, Followup, Pause, Reply
from minyi.org.choices import UnitKind
from minyi.org.models import Unit

#: Units a dispatcher hands appeals to: the district's departments and townships (they pass work on
#: to their villages themselves); the suggested unit is offered as well, whatever its kind.
DISPATCH_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWNSHIP)
NOTE_MAX = 2000
REPLY_MAX = 4000
MAX_EXTENSION_DAYS = 60
STALE_PAGE = _("This page is out of date; reload it and try again.")


def _label(model: type[Any], field: str) -> Any:
    """The model field's (already translated) verbose name, capitalised lazily."""
    return capfirst(model._meta.get_field(field).verbose_name)


def _text(label: Any, *, required: bool = True, max_length: int = NOTE_MAX, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def dispatch_units(appeal: Appeal, suggested: Unit | None = None) -> QuerySet[Unit]:
    """Units offered for dispatch: never the unit the appeal concerns nor any unit below it (回避)."""
    wanted = Q(kind__in=DISPATCH_KINDS)
    if suggested is not None:
        wanted |= Q(pk=suggested.pk)
    units = Unit.objects.filter(wanted, is_active=True)
    if appeal.concerns_unit is not None:
        units = units.exclude(path__startswith=appeal.concerns_unit.path)
    return units.order_by("path")


def active_categories(appeal: Appeal) -> QuerySet[Category]:
    """The categories a staff member may choose for an appeal: the active ones, and its current one."""
    return Category.objects.filter(Q(is_active=True) | Q(pk=appeal.category_id)).select_related("parent")


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class CategoryChoice(forms.ModelChoiceField):
    """Shows "parent / child" so that equal names under different parents stay apart."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.parent.name} / {obj.name}" if obj.parent_id else str(obj.name)


class ActionForm(forms.Form):
    """Every action carries the appeal's version as rendered, so a stale page cannot overwrite."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": STALE_PAGE, "invalid": STALE_PAGE, "min_value": STALE_PAGE},
    )
    #: The field naming the object the action is about (an assignment, extension or reply), if any.
    key_field = ""
    #: Fields set by the submit button pressed rather than by an input.
    button_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, appeal: Appeal, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.appeal = appeal
        self.user = user

    def key(self) -> str:
        """Which object the (bound or initial) form is about, to tell apart forms of one action."""
        if not self.key_field:
            return ""
        if self.is_bound:
            return str(self.data.get(self.key_field, ""))
        value = self.initial.get(self.key_field)
        return str(getattr(value, "pk", value) or "")

    def input_fields(self) -> list[forms.BoundField]:
        """The visible inputs (buttons supply ``button_fields``)."""
        return [f for f in self.visible_fields() if f.name not in self.button_fields]


# --- dispatcher ------------------------------------------------------------------------------


class DispatchForm(ActionForm):
    category = CategoryChoice(
        queryset=Category.objects.none(),
        required=False,
        label=_label(Appeal, "category"),
        help_text=_("Confirm or correct it: each choice teaches the category suggestions."),
    )
    lead = UnitChoice(
        queryset=Unit.objects.none(), label=AssignmentRole.LEAD.label, empty_label=_("Choose the lead unit")
    )
    co_units = UnitsChoice(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Co-handling units"),
        widget=forms.CheckboxSelectMultiple,
    )
    instructions = _text(_label(Assignment, "instructions"), required=False)
    deadline = forms.DateField(
        label=_label(Appeal, "deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to count the working days of the deadline rules."),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories(self.appeal)  # type: ignore[attr-defined]
        self.fields["lead"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead, co_units = data.get("lead"), data.get("co_units")
        if lead is not None and co_units and lead in co_units:
            self.add_error("co_units", _("The lead unit cannot also be a co-handling unit."))
        return data


class CorrectForm(ActionForm):
    category = CategoryChoice(
        queryset=Category.objects.none(), required=False, label=_label(Appeal, "category")
    )
    urgency = forms.ChoiceField(label=_label(Appeal, "urgency"), choices=Urgency.choices)
    kind = forms.ChoiceField(label=_label(Appeal, "kind"), choices=Kind.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories(self.appeal)  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        """Only the fields whose value differs from the appeal's."""
        data = self.cleaned_data
        found: dict[str, Any] = {}
        if data.get("category") != self.appeal.category:
            found["category"] = data.get("category")
        for name in ("urgency", "kind"):
            if data.get(name) != getattr(self.appeal, name):
                found[name] = data.get(name)
        return found


class RejectForm(ActionForm):
    reason = forms.ChoiceField(
        label=_label(Appeal, "reject_reason"),
        choices=[(r.value, r.label) for r in (RejectReason.OUT_OF_SCOPE, RejectReason.ABUSIVE)],
        help_text=_("A duplicate is merged into the earlier appeal instead."),
    )
    note = _text(_("Explanation for the citizen"))


class MergeForm(ActionForm):
    into = forms.CharField(
        label=_("Tracking number of the earlier appeal"),
        max_length=20,
        help_text=_("This appeal will be answered with that appeal's reply."),
    )


class UnmergeForm(ActionForm):
    pass


class CloseForm(ActionForm):
    note = _text(_("Why it is closed without a follow-up"))


class FollowupForm(ActionForm):
    result = forms.ChoiceField(label=_label(Followup, "result"), choices=Satisfaction.choices)
    comment = _text(_label(Followup, "comment"), required=False)


class DecideExtensionForm(ActionForm):
    extension = forms.ModelChoiceField(
        queryset=Extension.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("This request has already been decided."),
            "required": STALE_PAGE,
        },
    )
    note = _text(_("Note"), required=False, rows=2)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("deny", _("Deny"))])
    key_field = "extension"
    button_fields = ("decision",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["extension"].queryset = Extension.objects.filter(  # type: ignore[attr-defined]
            assignment__appeal=self.appeal, state=ExtensionState.PENDING
        ).select_related("assignment__appeal")


# --- handler ---------------------------------------------------------------------------------


class _AssignmentForm(ActionForm):
    assignment = forms.ModelChoiceField(
        queryset=Assignment.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": STALE_PAGE, "required": STALE_PAGE},
    )
    key_field = "assignment"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = (  # type: ignore[attr-defined]
            Assignment.objects.filter(appeal=self.appeal).select_related("unit", "appeal")
        )


class AcceptForm(_AssignmentForm):
    pass


class ReturnForm(_AssignmentForm):
    reason = _text(_("Why this appeal is not for your unit"))


class RequestExtensionForm(_AssignmentForm):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = _text(_label(Extension, "reason"))


class ProgressForm(ActionForm):
    note = _text(_("What was done"))


class PauseForm(ActionForm):
    waiting_for = forms.ChoiceField(label=_label(Pause, "waiting_for"), choices=WaitingFor.choices)
    reason = _text(_("What information is awaited"))


class ResumeForm(ActionForm):
    note = _text(_("Note"), required=False, rows=2)


class DraftReplyForm(ActionForm):
    body = _text(_label(Reply, "body"), max_length=REPLY_MAX, rows=6)
    publish = forms.BooleanField(label=_label(Reply, "publish"), required=False)


# --- unit head -------------------------------------------------------------------------------


class _ReplyForm(ActionForm):
    reply = forms.ModelChoiceField(
        queryset=Reply.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("This reply is not waiting for approval."),
            "required": STALE_PAGE,
        },
    )
    key_field = "reply"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply"].queryset = Reply.objects.filter(  # type: ignore[attr-defined]
            appeal=self.appeal, state=ReplyState.SUBMITTED
        ).select_related("unit", "appeal")


class ApproveReplyForm(_ReplyForm):
    body = _text(_label(Reply, "body"), max_length=REPLY_MAX, rows=6)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "You may correct the text; the approved text is sent to the citizen."
        )


class SendBackReplyForm(_ReplyForm):
    note = _text(_("What the reply lacks"))
