"""The input of each action on one rectification item (minyi.ledger.actions): the item page's form and
the API's serializer (report, sign-off steps, plan, conversion, edit). Both clean to the same data, with
units and steps as model instances (the API takes unit codes and step ids).

Each carries the item's version as the user saw it, so a decision on a stale page is refused."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from minyi.appeals.forms.public import MultipleFileField
from minyi.fields import ModelChoice, UnitChoice
from minyi.ledger import rules
from minyi.ledger.choices import LEAD_KINDS
from minyi.ledger.models import Issue, Milestone
from minyi.org.choices import Role
from minyi.org.models import Unit

_TEXT = {"rows": 3}


def lead_units() -> QuerySet[Unit]:
    return Unit.objects.filter(kind__in=LEAD_KINDS, is_active=True)


def leaders() -> QuerySet[User]:
    return User.objects.filter(person__role=Role.LEADER, is_active=True)


def _files() -> MultipleFileField:
    return MultipleFileField(
        label=_("Evidence files (photos or PDF)"), required=False, help_text=_("Up to 5 files, 10 MB each.")
    )


class ItemActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, issue: Issue, **kwargs: Any) -> None:
        self.issue = issue
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", issue.version)

    def input_fields(self) -> list[BoundField]:
        return self.visible_fields()


class ReportForm(ItemActionForm):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs=_TEXT))
    attachments = _files()


class SubmitForm(ItemActionForm):
    evidence = forms.CharField(label=_("Evidence of what was done"), widget=forms.Textarea(attrs=_TEXT))
    attachments = _files()


class AgreeForm(ItemActionForm):
    pass


class SendBackForm(ItemActionForm):
    reason = forms.CharField(
        label=_("What is missing before it can be agreed"), widget=forms.Textarea(attrs=_TEXT)
    )


class DecideForm(ItemActionForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the sign-off")), ("reject", _("Reject: back to work"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for rejecting"), widget=forms.Textarea(attrs=_TEXT), required=False
    )
    reply = forms.CharField(
        label=_("Reply to the linked appeals still open"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Sent to every linked appeal still open when you approve; edit it before it goes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["reply"].initial = rules.default_reply(self.issue)


class ConvertForm(ItemActionForm):
    reason = forms.CharField(label=_("Why it becomes long-term work"), widget=forms.Textarea(attrs=_TEXT))


class MilestoneForm(ItemActionForm):
    title = forms.CharField(label=_("Step"), max_length=200)
    due_on = forms.DateField(label=_("due on"), widget=forms.DateInput(attrs={"type": "date"}))
    owner = UnitChoice(label=_("owner"), queryset=Unit.objects.none())
    quantity_total = forms.DecimalField(
        label=_("planned quantity"), max_digits=12, decimal_places=2, required=False
    )
    quantity_unit = forms.CharField(
        label=_("unit of quantity"), max_length=20, required=False, help_text=_("e.g. 公里, 户, 个")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = lead_units().order_by("path")  # type: ignore[attr-defined]
        self.fields["owner"].initial = self.issue.lead_unit_id


class QuantityPlanForm(ItemActionForm):
    """Plan (or change) the item's quantity of work; what is done is reported separately."""

    quantity_total = forms.DecimalField(
        label=_("planned quantity"), max_digits=12, decimal_places=2, required=False,
        help_text=_("Leave empty for an item without a measured quantity."),
    )  # fmt: skip
    quantity_unit = forms.CharField(
        label=_("unit of quantity"), max_length=20, required=False, help_text=_("e.g. 公里, 户, 个")
    )
    quantity_label = forms.CharField(
        label=_("what is measured"), max_length=50, required=False, help_text=_("e.g. 疏浚 (river dredged)")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("quantity_total", "quantity_unit", "quantity_label"):
            self.fields[name].initial = getattr(self.issue, name)


class QuantityForm(ItemActionForm):
    """Report how much of the planned quantity is done so far (of the item, or of one step)."""

    milestone = ModelChoice(
        label=_("Step"), queryset=Milestone.objects.none(), required=False,
        empty_label=_("The whole item"),
    )  # fmt: skip
    quantity_done = forms.DecimalField(label=_("quantity done so far"), max_digits=12, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = self.issue.milestones.filter(quantity_total__isnull=False)
        self.fields["milestone"].queryset = steps  # type: ignore[attr-defined]
        if not steps.exists():
            del self.fields["milestone"]


class MilestoneDoneForm(ItemActionForm):
    milestone = ModelChoice(label=_("Step"), queryset=Milestone.objects.none())
    evidence = forms.CharField(label=_("Evidence of what was done"), widget=forms.Textarea(attrs=_TEXT))
    attachments = _files()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = self.issue.milestones.filter(done_at__isnull=True)  # type: ignore[attr-defined]


# --- the API's input ---------------------------------------------------------------------------------


def unknown_code(what: Any) -> dict[str, Any]:
    """The error messages of a field that names a record by its code."""
    return {"does_not_exist": what, "invalid": what}


NO_LEAD_UNIT = unknown_code(_("No department or township has the code “{value}”."))
NO_LEADER: dict[str, Any] = {
    "does_not_exist": _("No supervising leader has the id {pk_value}."),
    "incorrect_type": _("A leader is given by the number of the login."),
}


class StepSerializer(serializers.Serializer):
    # Every step may carry the item's version as the client saw it; the item comes in the context. (No
    # docstring: the serializers' docstrings are the API's documentation.)

    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="The item's version as the client saw it; a stale one is refused (409).",
    )

    @property
    def issue(self) -> Issue:
        return self.context["issue"]


class ReportInput(StepSerializer):
    text = serializers.CharField(allow_blank=True, help_text="What was done.")


class SubmitInput(StepSerializer):
    evidence = serializers.CharField(allow_blank=True, help_text="Evidence of what was done.")


class SendBackInput(StepSerializer):
    reason = serializers.CharField(allow_blank=True, help_text="What is missing before it can be agreed.")


class DecideInput(StepSerializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    reply = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="The reply every linked appeal still open gets on approval (default: the standard one).",
    )


class ConvertInput(StepSerializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why it becomes long-term work.")


class MilestoneInput(StepSerializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    due_on = serializers.DateField()
    owner = serializers.SlugRelatedField(
        slug_field="code",
        queryset=lead_units(),
        required=False,
        help_text="The unit that does the step (default: the lead unit).",
        error_messages=NO_LEAD_UNIT,
    )
    quantity_total = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None,
        help_text="The step's planned quantity of work, if any.",
    )  # fmt: skip
    quantity_unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {**attrs, "owner": attrs.get("owner") or self.issue.lead_unit}


class EditInput(StepSerializer):
    """The details to change (only those sent); named like the keyword arguments of ``rules.edit_issue``."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    finding_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tags = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lead_unit = serializers.SlugRelatedField(
        slug_field="code", queryset=lead_units(), required=False, error_messages=NO_LEAD_UNIT
    )
    co_units = serializers.SlugRelatedField(
        slug_field="code", queryset=lead_units(), many=True, required=False, error_messages=NO_LEAD_UNIT
    )
    leader = serializers.PrimaryKeyRelatedField(
        queryset=leaders(),
        required=False,
        help_text="The supervising leader's user id.",
        error_messages=NO_LEADER,
    )
    deadline = serializers.DateField(required=False)


class MilestoneDoneInput(StepSerializer):
    milestone = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The id of the step reported done."
    )
    evidence = serializers.CharField(allow_blank=True)

    def validate_milestone(self, pk: int) -> Milestone:
        milestone = self.issue.milestones.filter(pk=pk).first()
        if milestone is None:
            raise serializers.ValidationError(_("This item's plan has no such step."))
        return milestone
