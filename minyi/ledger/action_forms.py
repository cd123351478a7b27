"""Forms of the actions on one rectification item's page (report, sign-off steps, plan, conversion).

Each carries the item's version as the user saw it, so a decision on a stale page is refused."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from minyi.appeals.forms.public import MultipleFileField
from minyi.ledger.models import Issue, Milestone
from minyi.org.choices import UnitKind
from minyi.org.models import Unit

_TEXT = {"rows": 3}


def _files() -> MultipleFileField:
    return MultipleFileField(
        label=_("Evidence files (photos or PDF)"), required=False, help_text=_("Up to 5 files, 10 MB each.")
    )


class ItemActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, issue: Issue, **kwargs: Any) -> None:
        self.issue = issue
        super().__init__(*args, **kwargs)

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


class ConvertForm(ItemActionForm):
    reason = forms.CharField(label=_("Why it becomes long-term work"), widget=forms.Textarea(attrs=_TEXT))


class MilestoneForm(ItemActionForm):
    title = forms.CharField(label=_("Step"), max_length=200)
    due_on = forms.DateField(label=_("due on"), widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(label=_("owner"), queryset=Unit.objects.none())
    quantity_total = forms.DecimalField(
        label=_("planned quantity"), max_digits=12, decimal_places=2, required=False
    )
    quantity_unit = forms.CharField(
        label=_("unit of quantity"), max_length=20, required=False, help_text=_("e.g. 公里, 户, 个")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            kind__in=(UnitKind.DEPARTMENT, UnitKind.TOWNSHIP), is_active=True
        ).order_by("path")
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

    milestone = forms.ModelChoiceField(
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
    milestone = forms.ModelChoiceField(label=_("Step"), queryset=Milestone.objects.none())
    evidence = forms.CharField(label=_("Evidence of what was done"), widget=forms.Textarea(attrs=_TEXT))
    attachments = _files()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = self.issue.milestones.filter(done_at__isnull=True)  # type: ignore[attr-defined]
