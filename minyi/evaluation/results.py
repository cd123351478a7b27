"""Results of evaluation forms, per unit and criterion, and the summary for the bulletin.

Figures of a unit are shown only when at least ``MIN_GROUP`` answers rated it, and only once the form
is closed: a smaller group, or figures watched while answers still come in, could reveal one person's
answer. The same rule holds for the page, the JSON export and ``summary``.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from minyi.evaluation.choices import FormState
from minyi.evaluation.models import EvaluationForm, FormComment, Score
from minyi.evaluation.rules import MIN_GROUP
from minyi.ledger.models import Campaign
from minyi.org.models import Unit


@dataclass
class Cell:
    """One criterion of one unit: how many rated it, the mean, and how many gave each score."""

    criterion: str
    count: int
    mean: float
    distribution: list[tuple[int, str, int]]  # (score, its name, how many)


@dataclass
class UnitResult:
    unit: Unit
    answers: int
    comments: int
    shown: bool
    cells: list[Cell] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        """The mean of every score the unit got (all criteria weigh the same), when shown."""
        total = sum(cell.mean * cell.count for cell in self.cells)
        count = sum(cell.count for cell in self.cells)
        return round(total / count, 2) if self.shown and count else None


def _answers_per_unit(scores: QuerySet[Score]) -> dict[int, int]:
    rows = scores.values("unit").annotate(n=Count("response", distinct=True)).order_by()
    return {row["unit"]: row["n"] for row in rows}


def unit_results(form: EvaluationForm, units: list[Unit]) -> list[UnitResult]:
    """The results of ``form`` for ``units`` (those the viewer may see), in the order given."""
    scores = Score.objects.filter(response__form=form, unit__in=units)
    answers = _answers_per_unit(scores)
    comments = dict(
        FormComment.objects.filter(form=form, unit__in=units)
        .values_list("unit")
        .annotate(n=Count("id"))
        .order_by()
    )
    closed = form.state == FormState.CLOSED
    counts: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    shown_units = {unit.pk for unit in units if closed and answers.get(unit.pk, 0) >= MIN_GROUP}
    for row in (
        scores.filter(unit__in=shown_units)
        .values("unit", "criterion", "value")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(row["unit"], row["criterion"])][row["value"]] = row["n"]
    criteria = list(form.criteria.all())
    scale = form.scale
    results = []
    for unit in units:
        result = UnitResult(
            unit=unit,
            answers=answers.get(unit.pk, 0),
            comments=comments.get(unit.pk, 0),
            shown=unit.pk in shown_units,
        )
        if result.shown:
            for criterion in criteria:
                by_value = counts.get((unit.pk, criterion.pk), {})
                count = sum(by_value.values())
                mean = sum(value * n for value, n in by_value.items()) / count if count else 0.0
                result.cells.append(
                    Cell(
                        criterion=criterion.text,
                        count=count,
                        mean=round(mean, 2),
                        distribution=[(value, label, by_value.get(value, 0)) for value, label in scale],
                    )
                )
        results.append(result)
    return results


def as_json(form: EvaluationForm, results: list[UnitResult]) -> dict[str, Any]:
    """The export of the results page: hidden groups carry their count only, never figures."""
    return {
        "form": form.title,
        "state": form.state,
        "scale": [{"score": value, "name": label} for value, label in form.scale],
        "min_group": MIN_GROUP,
        "units": [
            {
                "unit": result.unit.name,
                "code": result.unit.code,
                "answers": result.answers,
                "shown": result.shown,
                "mean": result.mean,
                "criteria": [
                    {
                        "criterion": cell.criterion,
                        "count": cell.count,
                        "mean": cell.mean,
                        "distribution": {str(value): n for value, _label, n in cell.distribution},
                    }
                    for cell in result.cells
                ],
            }
            for result in results
        ],
    }


def as_workbook(form: EvaluationForm, results: list[UnitResult]) -> bytes:
    """The results as an Excel sheet, one row per unit and criterion; hidden groups say so instead."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its one sheet
    sheet.title = _("Results")[:31]
    scale = form.scale
    sheet.append([_("Unit"), _("Criterion"), _("Answers"), _("Mean"), *(label for _value, label in scale)])
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    hidden = _("Fewer than %(n)s answers — not shown.") % {"n": MIN_GROUP}
    not_closed = _("The form is not closed yet: only the number of answers is shown.")
    for result in results:
        if not result.shown:
            note = hidden if form.state == FormState.CLOSED else not_closed
            sheet.append([result.unit.name, "", result.answers, note])
            continue
        for cell in result.cells:
            sheet.append(
                [
                    result.unit.name,
                    cell.criterion,
                    cell.count,
                    cell.mean,
                    *(n for _v, _l, n in cell.distribution),
                ]
            )
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["D"].width = 12
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def summary(campaign: Campaign | None = None) -> dict[str, Any]:
    """Forms, answers and each unit's mean (closed forms, groups of ``MIN_GROUP`` or more only), for the
    bulletin."""
    forms = EvaluationForm.objects.exclude(state=FormState.DRAFT).prefetch_related("units")
    if campaign is not None:
        forms = forms.filter(campaign=campaign)
    counted = forms.annotate(n=Count("responses", distinct=True))
    rows: list[dict[str, Any]] = []
    total = 0
    for form in counted:
        total += form.n
        for result in unit_results(form, list(form.units.all())):
            rows.append(
                {"form": form.title, "unit": result.unit.name, "answers": result.answers, "mean": result.mean}
            )
    return {"forms": len(counted), "answers": total, "units": rows}
