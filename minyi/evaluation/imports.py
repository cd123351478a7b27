"""Paper evaluation forms typed into Excel: one row per paper form and unit, all or nothing per file.

The template has a column for the unit, one per criterion (headed by the criterion's text) and one for
the written comment. Every row is checked (unit of the form, every criterion rated, score on the scale
as a number or as its name) before anything is written; the report names every bad row and column,
and a file with any bad row stores nothing. Good files go through ``rules.record_paper_answers``.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from minyi.evaluation import rules
from minyi.evaluation.models import EvaluationForm
from minyi.org.imports import ImportReport, RowError
from minyi.org.rules import Actor

MAX_ROWS = 5000
SHEET = "评议表"
UNIT_HEADER = "被评议单位"
COMMENT_HEADER = "意见建议"
_UNIT_ALIASES = {"unit", "单位", "被评议单位", "评议单位"}
_COMMENT_ALIASES = {"comment", "comments", "意见", "建议", "意见建议", "意见和建议"}


def _norm(value: Any) -> str:
    return re.sub(r"[\s_\-*＊]+", "", str(value or "")).lower()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read(file: IO[bytes]) -> tuple[str, list[Any], list[tuple[int, list[Any]]]] | None:
    """The first sheet's title, header and non-empty rows (numbered as Excel shows them); None when the
    file is not a readable workbook."""
    try:
        workbook = load_workbook(io.BytesIO(file.read()), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key, value errors) for a bad file
        return None
    try:
        sheet = next((ws for ws in workbook.worksheets if _norm(ws.title) == _norm(SHEET)), None)
        sheet = sheet or (workbook.worksheets[0] if workbook.worksheets else None)
        if sheet is None:
            return None
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        rows = sheet.iter_rows(min_row=1, values_only=True)
        header = list(next(rows, ()))
        body: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(rows, start=2):
            cells = list(values)
            if any(_text(v) for v in cells):
                body.append((number, cells))
                if len(body) > MAX_ROWS:
                    break
        return sheet.title, header, body
    except Exception:  # read-only mode parses lazily: damage can surface only here
        return None
    finally:
        workbook.close()


def _file_error(message: str) -> ImportReport:
    return ImportReport(errors=[RowError("", 0, "", message)])


def import_answers(form: EvaluationForm, file: IO[bytes], *, actor: Actor) -> ImportReport:
    """Check the whole workbook of paper forms and store it if every row is right; the report lists every
    problem by row and column otherwise (and nothing is stored)."""
    read = _read(file)
    if read is None:
        return _file_error(_("The file could not be read as an Excel .xlsx workbook."))
    sheet, header, body = read
    if not body:
        return _file_error(_("The sheet has no rows to import."))
    if len(body) > MAX_ROWS:
        return _file_error(_("A file may have at most %(n)d rows; split it.") % {"n": MAX_ROWS})
    units = list(form.units.all())
    criteria = list(form.criteria.all())
    unit_words: dict[str, int] = {}
    for unit in units:
        unit_words[_norm(unit.code)] = unit.pk
        unit_words[_norm(unit.name)] = unit.pk
    score_words = {_norm(label): value for value, label in form.scale}
    score_words.update({str(value): value for value, _label in form.scale})
    by_header = {_norm(criterion.text): criterion for criterion in criteria}
    errors: list[RowError] = []
    unit_col = comment_col = None
    criterion_cols: dict[int, int] = {}  # column index → criterion id
    for index, value in enumerate(header):
        name = _norm(value)
        if not name:
            continue
        if name in _UNIT_ALIASES:
            unit_col = index
        elif name in _COMMENT_ALIASES:
            comment_col = index
        elif name in by_header:
            criterion_cols[index] = by_header[name].pk
        else:
            errors.append(RowError(sheet, 1, _text(value), _("This column is not a criterion of the form.")))
    missing = [c.text for c in criteria if c.pk not in criterion_cols.values()]
    if missing:
        errors.append(
            RowError(sheet, 1, "", _("Columns missing for: %(criteria)s.") % {"criteria": "、".join(missing)})
        )
    if unit_col is None and len(units) > 1:
        errors.append(RowError(sheet, 1, UNIT_HEADER, _("The column of the unit evaluated is missing.")))
    if errors:
        return ImportReport(errors=errors)
    headers = {index: _text(header[index]) for index in range(len(header))}
    answers: list[rules.AnswerInput] = []
    rows: list[int] = []
    for number, cells in body:

        def cell(index: int | None, cells: list[Any] = cells) -> Any:
            return cells[index] if index is not None and index < len(cells) else None

        row_errors = len(errors)
        unit_id = units[0].pk if unit_col is None else unit_words.get(_norm(cell(unit_col)))
        if unit_id is None:
            shown = _text(cell(unit_col))
            message = (
                _("“%(unit)s” is not a unit of this form.") % {"unit": shown}
                if shown
                else _("Write the unit evaluated.")
            )
            errors.append(RowError(sheet, number, headers[unit_col or 0], message))
        scores: dict[int, int] = {}
        for index, criterion_id in criterion_cols.items():
            raw = _text(cell(index))
            if not raw:
                errors.append(RowError(sheet, number, headers[index], _("Rate this criterion.")))
                continue
            value = score_words.get(_norm(raw))
            if value is None:
                errors.append(
                    RowError(sheet, number, headers[index],
                             _("“%(value)s” is outside the scale %(min)d–%(max)d.")
                             % {"value": raw, "min": form.scale_min, "max": form.scale_max})
                )  # fmt: skip
                continue
            scores[criterion_id] = value
        comment = _text(cell(comment_col))
        if len(comment) > 2000:
            errors.append(
                RowError(
                    sheet, number, headers[comment_col or 0], _("A comment may have at most 2000 characters.")
                )
            )
        if len(errors) == row_errors and unit_id is not None:
            answers.append(rules.AnswerInput({unit_id: scores}, {unit_id: comment} if comment else {}))
            rows.append(number)
    if errors:
        return ImportReport(errors=errors)
    try:
        count, comments = rules.record_paper_answers(form, answers, actor=actor)
    except ValidationError as error:
        return ImportReport(errors=[RowError(sheet, 0, "", message) for message in error.messages])
    return ImportReport(created={"answers": count, "comments": comments})


def template_workbook(form: EvaluationForm) -> bytes:
    """An empty sheet for the form's paper answers, and a second sheet with the units and scores."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its one sheet
    sheet.title = SHEET
    header = [UNIT_HEADER, *(criterion.text for criterion in form.criteria.all()), COMMENT_HEADER]
    sheet.append(header)
    bold = Font(bold=True)
    for index in range(1, len(header) + 1):
        sheet.cell(row=1, column=index).font = bold
        sheet.column_dimensions[get_column_letter(index)].width = 40 if index == len(header) else 16
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Notes"))
    notes.append([_("One row per paper form and unit; every criterion rated; the comment may stay empty.")])
    notes.append([_("Units of the form (code or name)")])
    for unit in form.units.all():
        notes.append([unit.code, unit.name])
    notes.append([_("Scores (the number or its name)")])
    for value, label in form.scale:
        notes.append([value, label])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
