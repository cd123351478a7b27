"""Helpers of the evaluation tests: a filled-in paper-form workbook, and answering through the public page."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from openpyxl import Workbook, load_workbook

from minyi.evaluation import imports
from minyi.evaluation.forms import comment_name, field_name
from minyi.evaluation.models import EvaluationForm


def workbook(form: EvaluationForm, rows: list[list[Any]], header: list[str] | None = None) -> io.BytesIO:
    """The form's template with ``rows`` typed under its header (or under ``header`` instead)."""
    book = load_workbook(io.BytesIO(imports.template_workbook(form)))
    sheet = book.worksheets[0]
    if header is not None:
        sheet.delete_rows(1)
        sheet.insert_rows(1)
        for index, value in enumerate(header, start=1):
            sheet.cell(row=1, column=index, value=value)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "paper.xlsx"
    return buffer


def empty_workbook() -> io.BytesIO:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    buffer.seek(0)
    buffer.name = "empty.xlsx"
    return buffer


def answer_online(
    client: Client,
    form: EvaluationForm,
    code: str,
    scores: dict[int, list[int]],
    comments: dict[int, str] | None = None,
) -> Any:
    """Type the code, then rate (unit id → one score per criterion in order) and send, as a citizen does."""
    first = client.post("/evaluation/answer/", {"code": code, "check": ""})
    assert first.status_code == 200, first.content.decode()[:500]
    criteria = [c.pk for c in form.criteria.all()]
    data = {"code": code, "submit": "1"}
    for unit_id, values in scores.items():
        for criterion_id, value in zip(criteria, values, strict=True):
            data[field_name(unit_id, criterion_id)] = str(value)
    for unit_id, text in (comments or {}).items():
        data[comment_name(unit_id)] = text
    return client.post("/evaluation/answer/", data)
