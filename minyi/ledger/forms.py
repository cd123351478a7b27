"""Forms of the ledger pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal
from minyi.fields import ModelChoice, UnitChoice, UnitsChoice
from minyi.ledger.choices import LEAD_KINDS, IssueSource, Track
from minyi.ledger.models import Campaign
from minyi.org.choices import Role
from minyi.org.forms import ImportForm
from minyi.org.models import Unit


class IssueForm(forms.Form):
    """A new item: of appeals selected in the list (its source is then "appeals"), an inspection finding
    (with the notice it comes from) or a problem the unit found itself. Its fields are named like the
    keyword arguments of ``rules.create_issue``, which the view calls with the cleaned data."""

    campaign = ModelChoice(label=_("campaign"), queryset=Campaign.objects.all())
    source = forms.ChoiceField(
        label=_("source"),
        choices=[
            (IssueSource.INSPECTION, IssueSource.INSPECTION.label),
            (IssueSource.OWN, IssueSource.OWN.label),
        ],
        initial=IssueSource.OWN,
        widget=forms.RadioSelect,
    )
    finding_ref = forms.CharField(
        label=_("inspection notice"),
        max_length=100,
        required=False,
        help_text=_("Required for an inspection finding, e.g. 督导组通报第3期."),
    )
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    track = forms.ChoiceField(label=_("track"), choices=Track.choices)
    lead_unit = UnitChoice(
        label=_("lead unit"), queryset=Unit.objects.filter(kind__in=LEAD_KINDS, is_active=True)
    )
    co_units = UnitsChoice(
        label=_("co-handling units"),
        queryset=Unit.objects.filter(kind__in=LEAD_KINDS, is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leader = ModelChoice(
        label=_("supervising leader"),
        queryset=User.objects.filter(person__role=Role.LEADER, is_active=True).select_related("person"),
    )
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    tags = forms.CharField(
        label=_("tags"), max_length=200, required=False, help_text=_("Separated by commas.")
    )
    quantity_total = forms.DecimalField(
        label=_("planned quantity"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Optional: how much work is planned, e.g. 11 (公里 of river to dredge)."),
    )
    quantity_unit = forms.CharField(
        label=_("unit of quantity"), max_length=20, required=False, help_text=_("e.g. 公里, 户, 个")
    )
    quantity_label = forms.CharField(
        label=_("what is measured"), max_length=50, required=False, help_text=_("e.g. 疏浚 (river dredged)")
    )

    def __init__(self, *args: Any, appeals: Sequence[Appeal] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].label_from_instance = lambda user: user.person.name  # type: ignore[attr-defined]
        # Made of appeals: the source is "appeals", which create_issue sets when it links them, and no
        # inspection notice is asked for.
        self.from_appeals = bool(appeals)
        if self.from_appeals:
            del self.fields["source"], self.fields["finding_ref"]

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") == IssueSource.INSPECTION and not data.get("finding_ref", "").strip():
            self.add_error("finding_ref", _("Name the inspection notice this finding comes from."))
        if data.get("quantity_total") is not None and not data.get("quantity_unit", "").strip():
            self.add_error("quantity_unit", _("Give the unit of the quantity, e.g. 公里 or 户."))
        return data


class LedgerImportForm(ImportForm):
    """The Excel upload of the ledger (content checked like the organisation import's)."""

    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_(
            "The ledger's layout, as exported: rows with an item number change that item, rows without "
            "one open new items."
        ),
    )
