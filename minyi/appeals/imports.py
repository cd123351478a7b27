"""Excel import of appeals (from other systems, and paper forms typed into a sheet): all or nothing.

Every row is checked with the same rules as the entry form (text, place, phone, time received) before
anything is written; the report lists every problem with its row and column. A valid file is stored in
one transaction through ``rules.submit``, so each appeal gets its number, query code, timeline event
and audit record exactly as if an operator had typed it. The query codes are returned to the caller
(for a one-time download), never stored in clear.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from minyi.appeals import rules
from minyi.appeals.choices import Channel, Kind, Urgency
from minyi.appeals.forms.intake import CLOCK_SLACK, normalise_phone
from minyi.appeals.models import Appeal
from minyi.audit.rules import record
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.imports import ImportReport, RowError
from minyi.org.models import Unit
from minyi.privacy import mask_name, mask_phone

#: A bigger file is split: each row is a full submission, and one request should end in reasonable time.
MAX_ROWS = 5000
SHEET_NAMES = ("诉求", "Appeals")
_CHUNK = 900  # values per IN (...) query: under SQLite's limit of 999 bound parameters


@dataclass(frozen=True)
class _Column:
    key: str
    header: str  # the Chinese header the template writes
    aliases: tuple[str, ...]  # further accepted headers, compared after _norm_header
    required: bool = False  # the sheet must have this column and every row must fill it
    width: int = 14


COLUMNS = (
    _Column("channel", "渠道", ("channel", "source"), width=10),
    _Column("kind", "类型", ("kind", "type"), True, 10),
    _Column("urgency", "紧急程度", ("urgency", "priority"), width=10),
    _Column("title", "标题", ("title", "subject"), True, 30),
    _Column("body", "内容", ("body", "content", "text", "description"), True, 60),
    _Column("township", "镇街", ("township", "street", "town"), width=12),
    _Column("village", "村社区", ("village", "community"), width=12),
    _Column("address", "地址", ("address",), width=30),
    _Column("name", "姓名", ("name", "citizenname"), width=10),
    _Column("phone", "电话", ("phone", "mobile", "citizenphone"), width=16),
    _Column("received_at", "受理时间", ("receivedat", "received", "date", "time"), width=18),
    _Column("external_ref", "来源编号", ("externalref", "ref", "reference", "sourceref"), width=16),
    _Column("concerns_unit", "反映单位", ("concernsunit", "concerns"), width=14),
)
_BY_KEY = {column.key: column for column in COLUMNS}
_INDEX = {column.key: index for index, column in enumerate(COLUMNS)}

# Spreadsheet words besides the codes and the translated labels.
_CHANNEL_WORDS = {
    "热线": Channel.HOTLINE,
    "百姓心声": Channel.HOTLINE,
    "12345": Channel.HOTLINE,
    "12316": Channel.AGRI_HOTLINE,
    "三农热线": Channel.AGRI_HOTLINE,
    "信箱": Channel.MAILBOX,
    "网上信箱": Channel.MAILBOX,
    "评议表": Channel.EVALUATION,
    "信件": Channel.LETTER,
    "上访": Channel.WALK_IN,
    "导入": Channel.IMPORT,
}
_KIND_WORDS = {"意见": Kind.SUGGESTION, "意见建议": Kind.SUGGESTION, "帮助": Kind.HELP, "表彰": Kind.PRAISE}
_URGENCY_WORDS = {
    "急": Urgency.URGENT,
    "加急": Urgency.URGENT,
    "普通": Urgency.ORDINARY,
    "一般件": Urgency.ORDINARY,
}
#: Units whose officials an appeal may be about (not the district: then no one could handle it).
_CONCERNS_KINDS = frozenset({UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, *RESIDENTIAL_KINDS})
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


@dataclass(frozen=True)
class Receipt:
    """What the office needs to tell one citizen of the file: their tracking number and query code."""

    row: int
    external_ref: str
    title: str
    name: str  # masked
    phone: str  # masked
    number: str
    query_code: str


@dataclass
class AppealImportReport(ImportReport):
    """The import report plus, when the file was imported, one receipt per row (codes in clear: show
    them once, never store them)."""

    receipts: list[Receipt] = field(default_factory=list)


@dataclass
class _Row:
    row: int
    channel: str = Channel.IMPORT
    kind: str = ""
    urgency: str = Urgency.ORDINARY
    title: str = ""
    body: str = ""
    township: Unit | None = None
    village: Unit | None = None
    address: str = ""
    name: str = ""
    phone: str = ""
    received_at: datetime | None = None
    external_ref: str = ""
    concerns_unit: Unit | None = None


def _norm_header(value: str) -> str:
    """Headers compare without case, spaces, '_', '-' and a trailing '*' (a common "required" mark)."""
    return re.sub(r"[\s_\-]+", "", value).rstrip("*＊").lower()


def _norm_word(value: str) -> str:
    return re.sub(r"\s+", "", value).lower()


def _choice_words(choices: Any, extra: Mapping[str, str]) -> dict[str, str]:
    """Accepted spellings of a choice: its code, its label in every language, and ``extra``."""
    words = {_norm_word(str(value)): str(value) for value in choices.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            words.update({_norm_word(str(label)): str(value) for value, label in choices.choices})
    words.update({_norm_word(word): str(value) for word, value in extra.items()})
    return words


def _shown(choices: Any) -> str:
    return "、".join(str(label) for label in choices.labels)


def _text(value: Any) -> str:
    """A cell as trimmed text; whole numbers lose Excel's '.0' (phones and references are often numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class _Errors:
    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.headers: dict[str, str] = {}  # key → the header as the file wrote it
        self._items: list[tuple[tuple[int, int], RowError]] = []

    def add(self, row: int, key: str | None, message: str, *, header: str = "", index: int = -1) -> None:
        if key is not None:
            header, index = self.headers.get(key, _BY_KEY[key].header), _INDEX[key]
        self._items.append(((row, index), RowError(self.sheet, row, header, message)))

    def __bool__(self) -> bool:
        return bool(self._items)

    def sorted(self) -> list[RowError]:
        return [error for _place, error in sorted(self._items, key=lambda item: item[0])]


def _file_error(message: str) -> AppealImportReport:
    return AppealImportReport(errors=[RowError("", 0, "", message)])


# --- reading -----------------------------------------------------------------------------------------


def _read(file: IO[bytes]) -> tuple[str, list[Any], list[tuple[int, list[Any]]]] | None:
    """The chosen sheet's title, header and non-empty rows (numbered as Excel shows them); None when the
    file is not a readable workbook."""
    try:
        workbook = load_workbook(io.BytesIO(file.read()), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key, value errors) for a bad file
        return None
    try:
        wanted = {_norm_header(name) for name in SHEET_NAMES}
        sheets = workbook.worksheets
        if not sheets:
            return None
        worksheet = next((ws for ws in sheets if _norm_header(ws.title) in wanted), sheets[0])
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # the stored size is often wrong; read what is really there
        rows = worksheet.iter_rows(min_row=1, values_only=True)
        header = list(next(rows, ()))
        body: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(rows, start=2):
            cells = list(values)
            if any(_text(v) for v in cells):
                body.append((number, cells))
                if len(body) > MAX_ROWS:
                    break
        return worksheet.title, header, body
    except Exception:  # read-only mode parses sheets lazily, so damage can surface only here
        return None
    finally:
        workbook.close()


def _columns(header: list[Any], errors: _Errors) -> dict[str, int] | None:
    """Where each known column sits; None when a required column is missing (its rows are not checked)."""
    lookup = {
        _norm_header(word): column.key for column in COLUMNS for word in (column.header, *column.aliases)
    }
    allowed = "、".join(column.header for column in COLUMNS)
    found: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        key = lookup.get(_norm_header(text))
        if key is None:
            errors.add(
                1,
                None,
                _("Unknown column %(column)s; the columns of this sheet are %(allowed)s.")
                % {"column": text, "allowed": allowed},
                header=text,
                index=index,
            )
        elif key in found:
            errors.add(
                1,
                None,
                _("Column %(column)s appears more than once.") % {"column": text},
                header=text,
                index=index,
            )
        else:
            found[key], headers[key] = index, text
    errors.headers = headers
    usable = True
    for column in COLUMNS:
        if column.required and column.key not in found:
            usable = False
            errors.add(
                1,
                None,
                _("Missing column %(column)s.") % {"column": column.header},
                header=column.header,
                index=999,
            )
    return found if usable else None


# --- checking ----------------------------------------------------------------------------------------


class _Units:
    """The units a sheet may name (by code or by name), read in one query."""

    def __init__(self) -> None:
        kinds = [UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, *RESIDENTIAL_KINDS]
        self.by_code: dict[str, Unit] = {}
        self.by_id: dict[int, Unit] = {}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in Unit.objects.filter(is_active=True, kind__in=kinds).order_by("path"):
            self.by_code[unit.code] = self.by_id[unit.pk] = unit
            self.by_name.setdefault(unit.name, []).append(unit)

    def find(self, value: str, kinds: Iterable[str], parent: Unit | None = None) -> Unit | str | None:
        """The unit with this code or name (a string: the problem), None when the cell is empty."""
        if not value:
            return None
        allowed = set(kinds)
        unit = self.by_code.get(value)
        if unit is not None and unit.kind in allowed:
            return unit
        named = [u for u in self.by_name.get(value, []) if u.kind in allowed]
        if parent is not None and len(named) > 1:
            named = [u for u in named if u.parent_id == parent.pk] or named
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            return _("More than one unit is called %(value)s; write its code instead.") % {"value": value}
        return _("Unknown unit %(value)s: no unit of that kind has this code or name.") % {"value": value}


class _Check:
    def __init__(self, row: int, cells: dict[str, Any], errors: _Errors) -> None:
        self.row, self.cells, self.errors = row, cells, errors

    def error(self, key: str, message: str) -> None:
        self.errors.add(self.row, key, message)

    def text(self, key: str, max_length: int | None = None) -> str:
        value = _text(self.cells.get(key))
        if not value and _BY_KEY[key].required:
            self.error(key, _("This cell must not be empty."))
        elif max_length is not None and len(value) > max_length:
            self.error(
                key,
                _("At most %(max)s characters are allowed (this has %(length)s).")
                % {"max": max_length, "length": len(value)},
            )
        return value

    def choice(self, key: str, words: dict[str, str], choices: Any, default: str | None) -> str:
        value = self.text(key)
        if not value:
            return default or ""
        found = words.get(_norm_word(value))
        if found is None:
            self.error(
                key,
                _("Unknown value %(value)s; use one of %(choices)s.")
                % {"value": value, "choices": _shown(choices)},
            )
            return default or ""
        return found

    def unit(self, key: str, units: _Units, kinds: Iterable[str], parent: Unit | None = None) -> Unit | None:
        found = units.find(self.text(key), kinds, parent)
        if isinstance(found, str):
            self.error(key, found)
            return None
        return found

    def phone(self) -> str:
        value = self.text("phone")
        if not value:
            return ""
        try:
            return normalise_phone(value)
        except ValidationError as exc:
            self.error("phone", " ".join(exc.messages))
            return ""

    def received_at(self, now: datetime) -> datetime | None:
        raw = self.cells.get("received_at")
        moment = _moment(raw)
        if moment is None:
            if _text(raw):
                self.error(
                    "received_at",
                    _("%(value)s is not a date; write it like 2024-05-01 or 2024-05-01 14:30.")
                    % {"value": _text(raw)},
                )
            return None
        if moment > now + CLOCK_SLACK:
            self.error("received_at", _("The time received cannot be in the future."))
            return None
        return moment


def _moment(value: Any) -> datetime | None:
    """A cell as an aware time in the site's zone: Excel dates, serial numbers, or common spellings."""
    if value is None or value == "":
        return None
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, int | float) and 1 <= value < 2_958_466:  # a date cell without a date format
        converted = from_excel(value)
        moment = converted if isinstance(converted, datetime) else None
    else:
        text = str(value).strip()
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)  # noqa: DTZ007  (made aware just below)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _parse(
    rows: list[tuple[int, list[Any]]], columns: dict[str, int], errors: _Errors, now: datetime
) -> list[_Row]:
    channels = _choice_words(Channel, _CHANNEL_WORDS)
    kinds = _choice_words(Kind, _KIND_WORDS)
    urgencies = _choice_words(Urgency, _URGENCY_WORDS)
    units = _Units()
    parsed = []
    for number, values in rows:
        cells = {key: values[index] if index < len(values) else None for key, index in columns.items()}
        check = _Check(number, cells, errors)
        row = _Row(row=number)
        row.channel = check.choice("channel", channels, Channel, Channel.IMPORT)
        row.kind = check.choice("kind", kinds, Kind, None)
        row.urgency = check.choice("urgency", urgencies, Urgency, Urgency.ORDINARY)
        row.title, row.body = check.text("title"), check.text("body")
        if row.title and row.body:
            try:
                rules.check_text(row.title, row.body)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    check.error(key, " ".join(messages))
        row.township = check.unit("township", units, {UnitKind.TOWNSHIP})
        row.village = check.unit("village", units, RESIDENTIAL_KINDS, row.township)
        if row.village is not None:
            if row.township is None:
                row.township = units.by_id.get(row.village.parent_id or 0)
            try:
                rules.check_place(row.township, row.village)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    check.error(key, " ".join(messages))
        row.address = check.text("address", _max_length("address"))
        row.name = check.text("name", _max_length("citizen_name"))
        row.phone = check.phone()
        row.received_at = check.received_at(now)
        row.external_ref = check.text("external_ref", _max_length("external_ref"))
        row.concerns_unit = check.unit("concerns_unit", units, _CONCERNS_KINDS)
        parsed.append(row)
    return parsed


def _max_length(name: str) -> int:
    return int(getattr(Appeal._meta.get_field(name), "max_length", 0) or 0)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _check_references(parsed: list[_Row], errors: _Errors) -> None:
    """A source reference may appear once per channel, in the file and in the database."""
    first: dict[tuple[str, str], int] = {}
    for row in parsed:
        if not row.external_ref:
            continue
        key = (row.channel, row.external_ref)
        if key in first:
            errors.add(
                row.row,
                "external_ref",
                _("%(value)s appears more than once in this sheet (first at row %(first)s).")
                % {"value": row.external_ref, "first": first[key]},
            )
        else:
            first[key] = row.row
    existing: dict[tuple[str, str], str] = {}
    for chunk in _chunks(ref for _channel, ref in first):
        for channel, ref, number in Appeal.objects.filter(external_ref__in=chunk).values_list(
            "channel", "external_ref", "number"
        ):
            existing[(channel, ref)] = number or ""
    for row in parsed:
        number = existing.get((row.channel, row.external_ref))
        if row.external_ref and number is not None:
            errors.add(
                row.row,
                "external_ref",
                _("Already imported: appeal %(number)s has the source reference %(ref)s from this channel.")
                % {"number": number, "ref": row.external_ref},
            )


# --- writing -----------------------------------------------------------------------------------------


def _write(parsed: list[_Row], actor: rules.Actor) -> list[Receipt]:
    receipts = []
    with transaction.atomic():
        for row in parsed:
            try:
                submission = rules.submit(
                    channel=row.channel,
                    kind=row.kind,
                    urgency=row.urgency,
                    title=row.title,
                    body=row.body,
                    township=row.township,
                    village=row.village,
                    address=row.address,
                    citizen_name=row.name,
                    citizen_phone=row.phone,
                    concerns_unit=row.concerns_unit,
                    received_at=row.received_at,
                    external_ref=row.external_ref,
                    actor=actor,
                )
            except ValidationError as exc:
                raise _RowFailed(row.row, " ".join(exc.messages)) from exc
            appeal = submission.appeal
            receipts.append(
                Receipt(
                    row=row.row,
                    external_ref=row.external_ref,
                    title=appeal.title,
                    name=mask_name(appeal.citizen_name),
                    phone=mask_phone(appeal.citizen_phone),
                    number=appeal.number or "",
                    query_code=submission.query_code,
                )
            )
        record("appeals.import", actor=actor, detail={"created": len(receipts)})
    return receipts


class _RowFailed(Exception):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row, self.message = row, message


def import_appeals(file: IO[bytes], *, actor: rules.Actor) -> AppealImportReport:
    """Import the appeals of an .xlsx upload, all of them or (on any error) none.

    Every row is checked before anything is written; the report lists every problem with its row and
    column, or, on success, one receipt (number and query code) per row.
    """
    read = _read(file)
    if read is None:
        return _file_error(
            _("The file could not be read: it is not an Excel .xlsx workbook or it is damaged.")
        )
    title, header, rows = read
    errors = _Errors(title)
    if len(rows) > MAX_ROWS:
        return _file_error(
            _("The file has more than %(n)d rows; split it into several files.") % {"n": MAX_ROWS}
        )
    columns = _columns(header, errors)
    if columns is None:
        return AppealImportReport(errors=errors.sorted())
    if not rows:
        errors.add(0, None, _("There is nothing to import: the sheets hold no rows."))
        return AppealImportReport(errors=errors.sorted())
    parsed = _parse(rows, columns, errors, timezone.now())
    _check_references(parsed, errors)
    if errors:
        return AppealImportReport(errors=errors.sorted())
    try:
        receipts = _write(parsed, actor)
    except _RowFailed as exc:
        return AppealImportReport(errors=[RowError(title, exc.row, "", exc.message)])
    except DatabaseError as exc:
        message = _("Nothing was saved because the database refused a row: %(error)s") % {"error": str(exc)}
        return _file_error(message)
    return AppealImportReport(created={"appeals": len(receipts)}, receipts=receipts)


# --- workbooks for the office ----------------------------------------------------------------------


def _workbook(sheet: str, header: list[str], widths: list[int], rows: Iterable[list[Any]]) -> Workbook:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None  # a new workbook always has its one sheet
    worksheet.title = sheet
    worksheet.append(header)
    bold = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        worksheet.cell(row=1, column=index).font = bold
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    for row in rows:
        worksheet.append(row)
    return workbook


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """An empty sheet with the columns of the import, and a second sheet listing the accepted values."""
    workbook = _workbook(
        SHEET_NAMES[0], [column.header for column in COLUMNS], [column.width for column in COLUMNS], []
    )
    notes = workbook.create_sheet(_("Notes"))
    notes.append([_("Column"), _("Required"), _("Accepted values")])
    accepted = {
        "channel": _("%(choices)s; empty: imported") % {"choices": _shown(Channel)},
        "kind": _shown(Kind),
        "urgency": _("%(choices)s; empty: ordinary") % {"choices": _shown(Urgency)},
        "township": _("Code or name of the township or street"),
        "village": _("Code or name of the village or community"),
        "phone": _("A mobile number, or a landline with its area code"),
        "received_at": _(
            "A date, or a date and time such as 2024-05-01 14:30 (empty: now); not in the future"
        ),
        "external_ref": _("The number in the source system; at most once per channel"),
        "concerns_unit": _("Code or name of the unit whose officials the appeal is about"),
    }
    for column in COLUMNS:
        notes.append([column.header, _("yes") if column.required else "", accepted.get(column.key, "")])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["C"].width = 80
    return _bytes(workbook)


def receipts_workbook(receipts: list[Receipt]) -> bytes:
    """Number and query code per imported row, for telling the citizens of paper forms (names masked)."""
    header = ["行号", "来源编号", "标题", "姓名", "电话", "受理编号", "查询码"]
    rows = ([r.row, r.external_ref, r.title, r.name, r.phone, r.number, r.query_code] for r in receipts)
    return _bytes(_workbook("查询码", header, [8, 16, 30, 10, 16, 20, 12], rows))
