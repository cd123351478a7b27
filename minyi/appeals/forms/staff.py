"""The input of each staff action on one appeal (minyi.appeals.actions), twice side by side: the staff
page's form and the API's serializer. Both clean to the same data — model instances where the page
shows choices and the API takes codes or ids — so that one function runs the action for both.

Every page form carries the appeal's version as rendered, so a stale page cannot overwrite; the API
takes it where the rule checks it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from minyi.appeals import rules
from minyi.appeals.access import concerned_units
from minyi.appeals.categories import usual_units
from minyi.appeals.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    AssignmentRole,
    AssignmentState,
    ExtensionState,
    Kind,
    RejectReason,
    ReplyState,
    Satisfaction,
    Urgency,
    WaitingFor,
)
from minyi.appeals.forms.public import MultipleFileField
from minyi.appeals.models import Appeal, Assignment, Category, Extension, Followup, Pause, Reply
from minyi.appeals.uploads import MAX_FILE_BYTES, MAX_FILES
from minyi.fields import CategoryChoice, ModelChoice, UnitChoice, UnitsChoice
from minyi.org.choices import UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import acts_for, visible

#: Units a dispatcher hands appeals to: the district's departments and townships (they pass work on
#: to their villages themselves); the suggested unit is offered as well, whatever its kind.
DISPATCH_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWNSHIP)
NOTE_MAX = 2000
REPLY_MAX = 4000
MAX_EXTENSION_DAYS = 60
STALE_PAGE = _("This page is out of date; reload it and try again.")
REJECT_REASONS = (RejectReason.OUT_OF_SCOPE, RejectReason.ABUSIVE)
DECISIONS = [("approve", _("Approve")), ("deny", _("Deny"))]

AnyUser = User | AnonymousUser


def _label(model: type[Any], field: str) -> Any:
    """The model field's (already translated) verbose name, capitalised lazily."""
    return capfirst(model._meta.get_field(field).verbose_name)


def _text(label: Any, *, required: bool = True, max_length: int = NOTE_MAX, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def suggested_unit(appeal: Appeal) -> Unit | None:
    """The unit that usually handles the appeal's category (None without a category)."""
    return usual_units().get(appeal.category_id) if appeal.category_id is not None else None


def _dispatchable(appeal: Appeal) -> QuerySet[Unit]:
    wanted = Q(kind__in=DISPATCH_KINDS)
    if (suggested := suggested_unit(appeal)) is not None:
        wanted |= Q(pk=suggested.pk)
    return Unit.objects.filter(wanted, is_active=True)


def dispatch_units(appeal: Appeal) -> QuerySet[Unit]:
    """Units offered for dispatch: never a unit the appeal (or an appeal merged into it) concerns nor any
    unit below it (回避, minyi.appeals.access.recusal)."""
    units = _dispatchable(appeal)
    for concerned in concerned_units(appeal):
        units = units.exclude(path__startswith=concerned.path)
    return units.order_by("path")


def active_categories(appeal: Appeal) -> QuerySet[Category]:
    """The categories a staff member may choose for an appeal: the active ones, and its current one."""
    return Category.objects.filter(Q(is_active=True) | Q(pk=appeal.category_id)).select_related("parent")


def _visible_number(user: AnyUser, number: str) -> Appeal | None:
    return visible(user, Appeal.objects.filter(number=number.strip())).first()


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
    #: Fields of the page only, which the API's JSON body has no counterpart of (files).
    page_only_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, appeal: Appeal, user: AnyUser, target: Any = None, **kwargs: Any) -> None:
        """``target``: what an unbound form is about (its ``key_field``'s initial value)."""
        super().__init__(*args, **kwargs)
        self.appeal = appeal
        self.user = user
        self.initial.setdefault("version", appeal.version)
        if self.key_field and target is not None:
            self.initial.setdefault(self.key_field, target)

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


def _api_text(*, required: bool = True, max_length: int = NOTE_MAX, **kwargs: Any) -> serializers.CharField:
    if not required:
        kwargs.setdefault("default", "")
    return serializers.CharField(
        required=required, allow_blank=not required, max_length=max_length, trim_whitespace=False, **kwargs
    )


class ActionIn(serializers.Serializer):
    """Every action takes the version of the appeal the client saw (optional where the rule does not
    check it): a stale version is refused with 409."""

    # The docstrings of these serializers are the API's documentation; the appeal and the acting user
    # come in the context, to resolve codes and ids and to choose defaults.

    version = serializers.IntegerField(min_value=1, required=False, default=None)

    @property
    def appeal(self) -> Appeal:
        return self.context["appeal"]

    @property
    def user(self) -> AnyUser:
        return self.context["user"]


class VersionedIn(ActionIn):
    version = serializers.IntegerField(min_value=1)


def _field_error(field: str, message: Any) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = dispatch_units(self.appeal)
        self.fields["category"].queryset = active_categories(self.appeal)  # type: ignore[attr-defined]
        self.fields["lead"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead, co_units = data.get("lead"), data.get("co_units")
        if lead is not None and co_units and lead in co_units:
            self.add_error("co_units", _("The lead unit cannot also be a co-handling unit."))
        return data


class DispatchIn(VersionedIn):
    lead = serializers.CharField(max_length=40, help_text="Code of the lead unit.")
    co_units = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )
    instructions = _api_text(required=False)
    deadline = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Local date; empty: the deadline rules decide.",
    )
    category = serializers.CharField(
        max_length=40,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="Confirmed category code.",
    )

    def _unit(self, code: str) -> Unit:
        # A unit the appeal concerns is let through, for the rule to refuse it with its reason (回避).
        unit = _dispatchable(self.appeal).filter(code=code).first()
        if unit is None:
            raise serializers.ValidationError(_("Unknown unit code %(code)s.") % {"code": code})
        return unit

    def validate_lead(self, code: str) -> Unit:
        return self._unit(code)

    def validate_co_units(self, codes: list[str]) -> list[Unit]:
        return [self._unit(code) for code in dict.fromkeys(codes)]

    def validate_category(self, code: str | None) -> Category | None:
        return _category(code)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if any(unit.pk == attrs["lead"].pk for unit in attrs["co_units"]):
            raise _field_error("co_units", _("The lead unit cannot also be a co-handling unit."))
        return attrs


def _category(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise serializers.ValidationError(_("Unknown category code %(code)s.") % {"code": code})
    return category


class CorrectForm(ActionForm):
    category = CategoryChoice(
        queryset=Category.objects.none(), required=False, label=_label(Appeal, "category")
    )
    urgency = forms.ChoiceField(label=_label(Appeal, "urgency"), choices=Urgency.choices)
    kind = forms.ChoiceField(label=_label(Appeal, "kind"), choices=Kind.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories(self.appeal)  # type: ignore[attr-defined]
        for name in ("category", "urgency", "kind"):
            self.fields[name].initial = getattr(self.appeal, name)


class CorrectIn(VersionedIn):
    # Only the details sent are corrected.
    category = serializers.CharField(max_length=40, required=False, allow_null=True, help_text="null: none.")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)

    def validate_category(self, code: str | None) -> Category | None:
        return _category(code)


class RejectForm(ActionForm):
    reason = forms.ChoiceField(
        label=_label(Appeal, "reject_reason"),
        choices=[(r.value, r.label) for r in REJECT_REASONS],
        help_text=_("A duplicate is merged into the earlier appeal instead."),
    )
    note = _text(_("Explanation for the citizen"))


class RejectIn(VersionedIn):
    reason = serializers.ChoiceField(choices=list(REJECT_REASONS))
    note = _api_text(help_text="Explanation the citizen will read.")


class MergeForm(ActionForm):
    into = forms.CharField(
        label=_("Tracking number of the earlier appeal"),
        max_length=20,
        help_text=_("This appeal will be answered with that appeal's reply."),
    )

    def clean_into(self) -> Appeal:
        master = _visible_number(self.user, self.cleaned_data["into"])
        if master is None:
            raise forms.ValidationError(_("No appeal you may see has this tracking number."))
        return master


class MergeIn(VersionedIn):
    into = serializers.CharField(max_length=20, help_text="Tracking number of the earlier appeal.")

    def validate_into(self, number: str) -> Appeal:
        master = _visible_number(self.user, number)
        if master is None:
            raise serializers.ValidationError(_("No appeal you may see has this tracking number."))
        return master


class UnmergeForm(ActionForm):
    pass


class CloseForm(ActionForm):
    note = _text(_("Why it is closed without a follow-up"))


class CloseIn(VersionedIn):
    note = _api_text(help_text="Why it is closed without a follow-up.")


class FollowupForm(ActionForm):
    result = forms.ChoiceField(label=_label(Followup, "result"), choices=Satisfaction.choices)
    comment = _text(_label(Followup, "comment"), required=False)


class FollowUpIn(ActionIn):
    result = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = _api_text(required=False)


class DecideExtensionForm(ActionForm):
    extension = ModelChoice(
        queryset=Extension.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("This request has already been decided."),
            "required": STALE_PAGE,
        },
    )
    note = _text(_("Note"), required=False, rows=2)
    decision = forms.ChoiceField(choices=DECISIONS)
    key_field = "extension"
    button_fields = ("decision",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["extension"].queryset = _pending(self.appeal)  # type: ignore[attr-defined]


def _pending(appeal: Appeal) -> QuerySet[Extension]:
    return Extension.objects.filter(assignment__appeal=appeal, state=ExtensionState.PENDING).select_related(
        "assignment__appeal"
    )


class DecideExtensionIn(ActionIn):
    extension = serializers.IntegerField(required=False, help_text="Default: the pending request.")
    decision = serializers.ChoiceField(choices=[value for value, _name in DECISIONS])
    note = _api_text(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        pending = _pending(self.appeal)
        pk = attrs.get("extension")
        found = pending.filter(pk=pk).first() if pk is not None else pending.first()
        if found is None:
            raise _field_error("extension", _("This request has already been decided."))
        return {**attrs, "extension": found}


# --- handler ---------------------------------------------------------------------------------


def _assignments(appeal: Appeal) -> QuerySet[Assignment]:
    return Assignment.objects.filter(appeal=appeal).select_related("unit", "appeal")


class _AssignmentForm(ActionForm):
    assignment = ModelChoice(
        queryset=Assignment.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": STALE_PAGE, "required": STALE_PAGE},
    )
    key_field = "assignment"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = _assignments(self.appeal)  # type: ignore[attr-defined]


class AssignmentIn(ActionIn):
    assignment = serializers.IntegerField(
        required=False, help_text="Default: the open assignment of the user's unit (the lead first)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        assignments, pk = _assignments(self.appeal), attrs.get("assignment")
        if pk is not None:
            found = assignments.filter(pk=pk).first()
            if found is None:
                raise _field_error("assignment", _("This appeal has no such assignment."))
            return {**attrs, "assignment": found}
        mine = [
            a for a in assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES) if acts_for(self.user, a.unit)
        ]
        mine.sort(key=lambda a: (a.role != AssignmentRole.LEAD, a.state != AssignmentState.PENDING, a.pk))
        if not mine:
            raise _field_error("assignment", _("Your unit holds no open assignment of this appeal."))
        return {**attrs, "assignment": mine[0]}


class AcceptForm(_AssignmentForm):
    pass


class ReturnForm(_AssignmentForm):
    reason = _text(_("Why this appeal is not for your unit"))


class ReturnIn(AssignmentIn):
    reason = _api_text(help_text="Why this appeal is not for the unit.")


class RequestExtensionForm(_AssignmentForm):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = _text(_label(Extension, "reason"))


class RequestExtensionIn(AssignmentIn):
    days = serializers.IntegerField(min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = _api_text()


class ProgressForm(ActionForm):
    note = _text(_("What was done"))
    # Not "files": that name belongs to Form.files. Checked by content in rules.report_progress. The API
    # takes JSON, so no files: its notes come without photos.
    uploads = MultipleFileField(label=_("Photos or PDF"), required=False)
    page_only_fields = ("uploads",)
    public = forms.BooleanField(
        label=_("Show this note to the citizen on the tracking page"),
        required=False,
        help_text=_(
            "The citizen reads the note on the tracking page and is told of it (SMS, e-mail or WeChat), "
            "without your name or the photos. Leave it internal otherwise."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uploads"].help_text = _(
            "Up to %(n)d files of at most %(mb)d MB each: photos (JPEG, PNG, GIF, WebP) or PDF."
        ) % {"n": MAX_FILES, "mb": MAX_FILE_BYTES // 2**20}


class ProgressIn(ActionIn):
    note = _api_text(help_text="What was done.")
    public = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Shown to the citizen on the tracking page and sent to them (SMS, e-mail or WeChat).",
    )


class PauseForm(ActionForm):
    waiting_for = forms.ChoiceField(label=_label(Pause, "waiting_for"), choices=WaitingFor.choices)
    reason = _text(_("What information is awaited"))


class PauseIn(ActionIn):
    waiting_for = serializers.ChoiceField(choices=WaitingFor.choices)
    reason = _api_text(help_text="What information is awaited.")


class ResumeForm(ActionForm):
    note = _text(_("Note"), required=False, rows=2)


class ResumeIn(ActionIn):
    note = _api_text(required=False)


class AnswerDuringCallForm(ActionForm):
    body = _text(_("The answer given during the call"), max_length=REPLY_MAX, rows=5)
    publish = forms.BooleanField(label=_label(Reply, "publish"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "What the caller was told; it is sent to them as the answer, and the follow-up call checks it."
        )


class AnswerDuringCallIn(ActionIn):
    body = _api_text(max_length=REPLY_MAX, help_text="What the caller was told.")
    publish = serializers.BooleanField(required=False, default=False, help_text="On the echo wall (masked).")


class DraftReplyForm(ActionForm):
    body = _text(_label(Reply, "body"), max_length=REPLY_MAX, rows=6)
    publish = forms.BooleanField(label=_label(Reply, "publish"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The draft the unit head sent back, if any: the redraft starts from it (its note is shown beside).
        self.sent_back = rules.sent_back_draft(self.appeal) if not self.is_bound else None
        if self.sent_back is not None:
            self.initial.setdefault("body", self.sent_back.body)
            self.initial.setdefault("publish", self.sent_back.publish)
        _live_check(self)


class DraftReplyIn(ActionIn):
    body = _api_text(max_length=REPLY_MAX)
    publish = serializers.BooleanField(required=False, default=False, help_text="On the echo wall (masked).")


# --- unit head -------------------------------------------------------------------------------


def _waiting(appeal: Appeal) -> QuerySet[Reply]:
    return Reply.objects.filter(appeal=appeal, state=ReplyState.SUBMITTED).select_related("unit", "appeal")


class _ReplyForm(ActionForm):
    reply = ModelChoice(
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
        self.fields["reply"].queryset = _waiting(self.appeal)  # type: ignore[attr-defined]


class ReplyIn(ActionIn):
    reply = serializers.IntegerField(required=False, help_text="Default: the reply waiting for approval.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        waiting, pk = _waiting(self.appeal), attrs.get("reply")
        found = waiting.filter(pk=pk).first() if pk is not None else waiting.first()
        if found is None:
            raise _field_error("reply", _("This reply is not waiting for approval."))
        return {**attrs, "reply": found}


class ApproveReplyForm(_ReplyForm):
    body = _text(_label(Reply, "body"), max_length=REPLY_MAX, rows=6)

    def __init__(self, *args: Any, target: Reply | None = None, **kwargs: Any) -> None:
        super().__init__(*args, target=target, **kwargs)
        self.fields["body"].help_text = _(
            "You may correct the text; the approved text is sent to the citizen."
        )
        if target is not None:
            self.initial.setdefault("body", target.body)
        _live_check(self)


def _live_check(form: ActionForm) -> None:
    """The reply check follows the text as it is typed (htmx, half a second after the last key; the form
    works without it, and the page shows the check of the text it was rendered with)."""
    form.fields["body"].widget.attrs.update(
        {
            "hx-post": reverse("appeals:reply_check", args=[form.appeal.number]),
            "hx-trigger": "input changed delay:500ms",
            "hx-target": f"#reply-check-{form.key() or 'draft'}",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
    )


class ApproveReplyIn(ReplyIn):
    body = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        max_length=REPLY_MAX,
        help_text="Corrected text, if any.",
    )


class SendBackReplyForm(_ReplyForm):
    note = _text(_("What the reply lacks"))


class SendBackReplyIn(ReplyIn):
    note = _api_text(help_text="What the reply lacks.")
