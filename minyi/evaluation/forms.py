"""Forms of the evaluation pages: the form builder, codes, the public code entry, the Excel upload, and
reading the public answer page's ratings (checked by the rules, not here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minyi.evaluation.models import EvaluationForm
from minyi.evaluation.rules import MAX_CODES, AnswerInput, Definition
from minyi.fields import ModelChoice, UnitsChoice
from minyi.ledger.models import Campaign
from minyi.org.choices import UnitKind
from minyi.org.forms import ImportForm
from minyi.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DefinitionForm(forms.Form):
    """The office's form builder: what is rated, on which criteria and scale, and when."""

    title = forms.CharField(label=_("Title"), max_length=100)
    instructions = forms.CharField(
        label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    units = UnitsChoice(
        label=_("Units evaluated"),
        queryset=Unit.objects.exclude(kind__in=[UnitKind.DISTRICT, UnitKind.PARTY_BRANCH]).order_by("path"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    criteria = forms.CharField(
        label=_("Criteria"),
        help_text=_("One criterion per line, in the order of the form."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    scale_min = forms.IntegerField(label=_("Lowest score"), initial=1, min_value=-10, max_value=10)
    scale_max = forms.IntegerField(label=_("Highest score"), initial=5, min_value=-10, max_value=100)
    scale_labels = forms.CharField(
        label=_("Names of the scores"),
        help_text=_(
            "Optional: one name per line from the lowest score to the highest, e.g. 不满意 / 基本满意 / 满意."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE)
    campaign = ModelChoice(label=_("Campaign"), queryset=Campaign.objects.all(), required=False)

    @classmethod
    def initial_of(cls, form: EvaluationForm) -> dict[str, Any]:
        return {
            "title": form.title,
            "instructions": form.instructions,
            "units": list(form.units.all()),
            "criteria": "\n".join(c.text for c in form.criteria.all()),
            "scale_min": form.scale_min,
            "scale_max": form.scale_max,
            "scale_labels": "\n".join(form.scale_labels or []),
            "opens_on": form.opens_on,
            "closes_on": form.closes_on,
            "campaign": form.campaign,
        }

    def definition(self) -> Definition:
        data = self.cleaned_data
        return Definition(
            title=data["title"],
            instructions=data["instructions"],
            units=list(data["units"]),
            criteria=data["criteria"].splitlines(),
            scale_min=data["scale_min"],
            scale_max=data["scale_max"],
            scale_labels=data["scale_labels"].splitlines(),
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            campaign=data["campaign"],
        )


class CodesForm(forms.Form):
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=MAX_CODES, initial=50)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your code"),
        max_length=20,
        help_text=_("The code printed on your paper slip, e.g. ABCDE-FGHJK."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class AnswerImportForm(ImportForm):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_("One row per paper form and unit, with the columns of the template."),
    )


def field_name(unit_id: int, criterion_id: int) -> str:
    return f"u{unit_id}_c{criterion_id}"


def comment_name(unit_id: int) -> str:
    return f"u{unit_id}_comment"


def read_answer(form: EvaluationForm, data: Mapping[str, str]) -> tuple[AnswerInput, list[str]]:
    """The ratings and comments typed on the answer page; what is not a whole number is reported here,
    the rest (scale, every criterion, units) is checked by the rules."""
    ratings: dict[int, dict[int, int]] = {}
    comments: dict[int, str] = {}
    problems: list[str] = []
    criteria = list(form.criteria.all())
    for unit in form.units.all():
        scores: dict[int, int] = {}
        for criterion in criteria:
            raw = (data.get(field_name(unit.pk, criterion.pk)) or "").strip()
            if not raw:
                continue
            try:
                scores[criterion.pk] = int(raw)
            except ValueError:
                problems.append(str(_("“%(value)s” is not a score.") % {"value": raw[:20]}))
        if scores:
            ratings[unit.pk] = scores
        comment = (data.get(comment_name(unit.pk)) or "").strip()
        if comment:
            comments[unit.pk] = comment
    return AnswerInput(ratings, comments), problems
