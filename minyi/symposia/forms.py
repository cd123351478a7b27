"""Forms of the symposia pages: the symposium, the batch of opinions (fixed rows that work on a phone
without JavaScript, or one textarea with an opinion per line) and the list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.appeals.choices import Kind
from minyi.appeals.models import Category
from minyi.fields import CategoryChoice, ModelChoice, UnitChoice
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import AnyUser, scope_filter
from minyi.symposia.choices import OPINION_KINDS, Group
from minyi.symposia.models import HOST_NAME_MAX, MINUTES_MAX, PLACE_MAX, SPEAKER_MAX, TITLE_MAX
from minyi.symposia.rules import BATCH_MAX, OPINION_MAX, OpinionInput

#: Rows the batch form shows unless more are asked for (?rows=N).
OPINION_ROWS = 5
HOST_KINDS = (UnitKind.DISTRICT, UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, *RESIDENTIAL_KINDS)
KIND_CHOICES = [(kind.value, kind.label) for kind in OPINION_KINDS]


class SymposiumForm(forms.Form):
    """One symposium; its fields are the keyword arguments of ``rules.hold_symposium``."""

    held_on = forms.DateField(label=_("date held"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("theme"), max_length=TITLE_MAX)
    host = UnitChoice(
        label=_("host unit"),
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": _("This unit lies outside your area of work.")},
    )
    host_name = forms.CharField(label=_("chaired by"), max_length=HOST_NAME_MAX, required=False)
    group = forms.ChoiceField(label=_("participants"), choices=Group.choices)
    attendees = forms.IntegerField(label=_("attendees"), min_value=1)
    township = UnitChoice(
        label=_("township (where held)"),
        queryset=Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True).order_by("path"),
        required=False,
    )
    village = UnitChoice(
        label=_("village / community (where held)"),
        queryset=Unit.objects.filter(kind__in=RESIDENTIAL_KINDS, is_active=True).order_by("path"),
        required=False,
    )
    place = forms.CharField(label=_("place"), max_length=PLACE_MAX, required=False)
    campaign = ModelChoice(label=_("campaign"), queryset=Campaign.objects.all(), required=False)
    minutes = forms.CharField(
        label=_("minutes"), max_length=MINUTES_MAX, required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        host = self.fields["host"]
        assert isinstance(host, forms.ModelChoiceField)
        units = Unit.objects.filter(is_active=True, kind__in=HOST_KINDS).order_by("path")
        host.queryset = scope_filter(user, units, "path")

    def arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class OpinionForm(forms.Form):
    """One row of the batch; a row left empty is skipped."""

    text = forms.CharField(
        label=_("opinion"), max_length=OPINION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=_("kind"), choices=KIND_CHOICES, initial=Kind.SUGGESTION)
    speaker = forms.CharField(label=_("speaker (optional)"), max_length=SPEAKER_MAX, required=False)
    category = CategoryChoice(label=_("category"), queryset=Category.objects.all(), required=False)

    def item(self, line: int) -> OpinionInput | None:
        """The row as an opinion, or None when nothing but the kind was given."""
        data = self.cleaned_data
        if not (data.get("text", "").strip() or data.get("speaker", "").strip() or data.get("category")):
            return None
        return OpinionInput(
            text=data.get("text", ""),
            kind=data["kind"],
            speaker=data.get("speaker", ""),
            category=data.get("category"),
            line=line,
        )


def opinion_formset(rows: int = OPINION_ROWS) -> type[forms.BaseFormSet]:
    """The batch's rows: ``rows`` empty ones on a new form (a bound one has the rows posted)."""
    return forms.formset_factory(
        OpinionForm, extra=rows, max_num=BATCH_MAX, absolute_max=BATCH_MAX, validate_max=True
    )


class LinesForm(forms.Form):
    """The fast alternative: one opinion per line, all of one kind (blank lines are skipped)."""

    kind = forms.ChoiceField(label=_("kind"), choices=KIND_CHOICES, initial=Kind.SUGGESTION)
    lines = forms.CharField(
        label=_("opinions, one per line"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Each line becomes one appeal; blank lines are skipped."),
    )

    def items(self) -> list[OpinionInput]:
        kind = self.cleaned_data["kind"]
        return [
            OpinionInput(text=text, kind=kind, line=number)
            for number, text in enumerate(self.cleaned_data["lines"].splitlines(), start=1)
            if text.strip()
        ]


class FilterForm(forms.Form):
    """The list's filters: a campaign or from/to, a township, a participant group."""

    campaign = ModelChoice(label=_("campaign"), queryset=Campaign.objects.all(), required=False)
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    township = UnitChoice(
        label=_("township"),
        queryset=Unit.objects.filter(kind=UnitKind.TOWNSHIP).order_by("path"),
        required=False,
    )
    group = forms.ChoiceField(label=_("participants"), choices=[("", "—"), *Group.choices], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data
