"""Excel import of units, people and households: every row checked, all-or-nothing.

Offices keep their rosters in spreadsheets. The whole workbook is read and checked before anything is
written, so the person importing gets every mistake (sheet, row, column) in one report and the database
never holds half a file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from minyi.audit.rules import record
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Household, Person, Unit, code_validator
from minyi.org.rules import Actor, check_parent, create_person


@dataclass(frozen=True)
class RowError:
    """One problem of the workbook: ``row`` is the Excel row number (0: the file or sheet as a whole)."""

    sheet: str
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import found (``errors``) or, when it found none, what it wrote (``created``)."""

    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- the layout of the workbook ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    key: str
    header: str  # the Chinese header the template writes
    aliases: tuple[str, ...]  # further accepted headers, compared after norm_header
    header_required: bool = False  # the sheet must have this column
    cell_required: bool = False  # every row must fill this cell
    width: int = 14


@dataclass(frozen=True)
class _SheetSpec:
    key: str
    order: int
    names: tuple[str, ...]  # Chinese first: the template uses it
    columns: tuple[_Column, ...]


UNITS = _SheetSpec(
    "units",
    0,
    ("单位", "Units"),
    (
        _Column("code", "编码", ("code", "unitcode"), True, True, 14),
        _Column("name", "名称", ("name", "unitname"), True, True, 30),
        _Column("kind", "类型", ("kind", "type"), True, True, 12),
        _Column("parent", "上级编码", ("parent", "parentcode"), True, False, 14),
        _Column("sort", "排序", ("sort", "order"), width=8),
    ),
)
PEOPLE = _SheetSpec(
    "people",
    1,
    ("人员", "People"),
    (
        _Column("name", "姓名", ("name",), True, True, 12),
        _Column("unit", "单位编码", ("unit", "unitcode"), True, True, 14),
        _Column("phone", "手机", ("phone", "mobile"), width=16),
        _Column("role", "角色", ("role",), True, True, 12),
        _Column("title", "职务", ("title", "position"), width=20),
        _Column("username", "登录名", ("username", "login"), width=16),
    ),
)
HOUSEHOLDS = _SheetSpec(
    "households",
    2,
    ("住户", "Households"),
    (
        _Column("code", "户编码", ("code", "householdcode"), True, True, 16),
        _Column(
            "village", "村社区编码", ("village", "villagecode", "community", "communitycode"), True, True, 14
        ),
        _Column("head", "户主", ("head", "headname", "headofhousehold"), True, True, 12),
        _Column("phone", "电话", ("phone", "mobile"), width=16),
        _Column("address", "地址", ("address",), width=36),
        _Column("size", "人口", ("size", "members"), width=8),
    ),
)
SHEETS = (UNITS, PEOPLE, HOUSEHOLDS)

# Spreadsheet words for unit kinds and roles, besides the codes and the translated labels.
_KIND_WORDS: dict[str, str] = {
    "区": UnitKind.DISTRICT,
    "县": UnitKind.DISTRICT,
    "区县": UnitKind.DISTRICT,
    "区直部门": UnitKind.DEPARTMENT,
    "部门": UnitKind.DEPARTMENT,
    "区直单位": UnitKind.DEPARTMENT,
    "镇街": UnitKind.TOWNSHIP,
    "镇": UnitKind.TOWNSHIP,
    "街道": UnitKind.TOWNSHIP,
    "乡": UnitKind.TOWNSHIP,
    "乡镇": UnitKind.TOWNSHIP,
    "镇/街道": UnitKind.TOWNSHIP,
    "村": UnitKind.VILLAGE,
    "行政村": UnitKind.VILLAGE,
    "社区": UnitKind.COMMUNITY,
    "企业": UnitKind.ENTERPRISE,
    "党支部": UnitKind.PARTY_BRANCH,
    "党组织": UnitKind.PARTY_BRANCH,
}
_KIND_SHOWN = "区, 区直部门, 镇街, 村, 社区, 企业, 党支部"
_ROLE_WORDS: dict[str, str] = {
    "受理员": Role.OPERATOR,
    "话务员": Role.OPERATOR,
    "交办员": Role.DISPATCHER,
    "承办人": Role.HANDLER,
    "承办员": Role.HANDLER,
    "单位负责人": Role.UNIT_HEAD,
    "负责人": Role.UNIT_HEAD,
    "挂钩领导": Role.LEADER,
    "干部": Role.CADRE,
    "党员": Role.MEMBER,
    "督导": Role.AUDITOR,
    "督导员": Role.AUDITOR,
    "管理员": Role.ADMIN,
    "系统管理员": Role.ADMIN,
}
_ROLE_SHOWN = "受理员, 交办员, 承办人, 单位负责人, 挂钩领导, 干部, 党员, 督导, 管理员"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_SPACES = re.compile(r"\s+")
_CHUNK = 900  # codes per IN (...) query: under SQLite's limit of 999 bound parameters
_BATCH = 1000
_MAX_SORT = 2_147_483_647
_MAX_SIZE = 32_767


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


def _depth(path: str) -> int:
    """The depth of a unit from its path: "/D/" is 0, "/D/T1/" is 1."""
    return path.count("/") - 2


def norm_header(value: str) -> str:
    """Headers compare without case, spaces, '_', '-' and a trailing '*' (a common "required" mark);
    shared by the imports of other apps."""
    return re.sub(r"[\s_\-]+", "", value).rstrip("*＊").lower()


def norm_word(value: str) -> str:
    """Choice words (kinds, roles, tracks …) compare without spaces and case; shared by the imports."""
    return _SPACES.sub("", value).replace("／", "/").lower()


def choice_words(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    """Accepted spellings of a choice: its code, its label in every language, and ``extra``."""
    words = {norm_word(str(value)): str(value) for value in choices.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            words.update({norm_word(str(label)): str(value) for value, label in choices.choices})
    words.update({norm_word(word): str(value) for word, value in extra.items()})
    return words


# --- reading ----------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    """One sheet of the upload: where each known column sits, and its non-empty rows."""

    spec: _SheetSpec
    title: str
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (index, header as written)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    usable: bool = True  # False when a required column is missing: its rows are not checked

    def header(self, key: str) -> str:
        if key in self.columns:
            return self.columns[key][1]
        return next(column.header for column in self.spec.columns if column.key == key)

    def column_index(self, key: str) -> int:
        return self.columns[key][0] if key in self.columns else 0


class _Errors:
    def __init__(self) -> None:
        self._items: list[tuple[tuple[int, int, int], RowError]] = []

    def add(
        self,
        sheet: _Sheet | None,
        row: int,
        key: str | None,
        message: str,
        *,
        column: str = "",
        index: int = -1,
    ) -> None:
        """Report at the column of ``key``, or else at the header text ``column`` found at ``index``."""
        if sheet is None:
            self._items.append(((-1, row, 0), RowError("", row, "", message)))
            return
        if key:
            column, index = sheet.header(key), sheet.column_index(key)
        self._items.append(((sheet.spec.order, row, index), RowError(sheet.title, row, column, message)))

    def __bool__(self) -> bool:
        return bool(self._items)

    def sorted(self) -> list[RowError]:
        return [error for _position, error in sorted(self._items, key=lambda item: item[0])]


def _text(value: Any) -> str:
    """A cell as trimmed text; whole numbers lose Excel's '.0' (codes and phones are often numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_workbook(file: IO[bytes], errors: _Errors) -> dict[str, _Sheet]:
    """The known sheets of the upload, or {} with an error when it is not a readable workbook."""
    try:
        data = file.read()
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key, value errors) for a bad file
        errors.add(
            None,
            0,
            None,
            _("The file could not be read: it is not an Excel .xlsx workbook or it is damaged."),
        )
        return {}
    try:
        return _read_sheets(workbook, errors)
    except Exception:  # read-only mode parses sheets lazily, so damage can surface only here
        errors.add(
            None,
            0,
            None,
            _("The file could not be read: it is not an Excel .xlsx workbook or it is damaged."),
        )
        return {}
    finally:
        workbook.close()


def _read_sheets(workbook: Any, errors: _Errors) -> dict[str, _Sheet]:
    by_name = {norm_header(spec_name): spec for spec in SHEETS for spec_name in spec.names}
    found: dict[str, _Sheet] = {}
    for worksheet in workbook.worksheets:
        spec = by_name.get(norm_header(worksheet.title))
        if spec is None:
            continue  # other sheets (notes, lists) are allowed and ignored
        if spec.key in found:
            errors.add(
                _Sheet(spec, worksheet.title),
                0,
                None,
                _("Sheets %(first)s and %(second)s hold the same data; keep only one of them.")
                % {"first": found[spec.key].title, "second": worksheet.title},
            )
            continue
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # the stored size is often wrong; read what is really there
        sheet = _Sheet(spec, worksheet.title)
        rows = worksheet.iter_rows(min_row=1, values_only=True)
        header = next(rows, None)
        body = [(number, [_text(v) for v in values]) for number, values in enumerate(rows, start=2)]
        body = [(number, values) for number, values in body if any(values)]
        header_texts = [_text(v) for v in header or ()]
        if any(header_texts) or body:
            _read_header(sheet, header_texts, errors)
            sheet.rows = [
                (
                    number,
                    {
                        key: values[index] if index < len(values) else ""
                        for key, (index, _h) in sheet.columns.items()
                    },
                )
                for number, values in body
            ]
        found[spec.key] = sheet
    if not found:
        names = "、".join(f"{spec.names[0]} ({spec.names[1]})" for spec in SHEETS)
        errors.add(None, 0, None, _("The workbook has none of the sheets %(names)s.") % {"names": names})
    return found


def _read_header(sheet: _Sheet, header: list[str], errors: _Errors) -> None:
    spec = sheet.spec
    lookup: dict[str, str] = {}
    for column in spec.columns:
        for word in (column.header, *column.aliases):
            lookup[norm_header(word)] = column.key
    allowed = "、".join(column.header for column in spec.columns)
    for index, text in enumerate(header):
        if not text:
            continue
        key = lookup.get(norm_header(text))
        if key is None:
            errors.add(
                sheet,
                1,
                None,
                _("Unknown column %(column)s; the columns of this sheet are %(allowed)s.")
                % {"column": text, "allowed": allowed},
                column=text,
                index=index,
            )
        elif key in sheet.columns:
            message = _("Column %(column)s appears more than once.") % {"column": text}
            errors.add(sheet, 1, None, message, column=text, index=index)
        else:
            sheet.columns[key] = (index, text)
    for column in spec.columns:
        if column.header_required and column.key not in sheet.columns:
            sheet.usable = False
            message = _("Missing column %(column)s.") % {"column": column.header}
            errors.add(sheet, 1, None, message, column=column.header, index=len(header))


# --- checking ---------------------------------------------------------------------------------------


@dataclass
class _UnitRow:
    row: int
    code: str
    name: str
    kind: str | None
    parent: str
    sort: int


@dataclass
class _PersonRow:
    row: int
    name: str
    unit: str
    phone: str
    role: str
    title: str
    username: str


@dataclass
class _HouseholdRow:
    row: int
    code: str
    village: str
    head: str
    phone: str
    address: str
    size: int


class _RowCheck:
    """Field checks of one row, reporting into the shared error list."""

    def __init__(self, sheet: _Sheet, row: int, cells: dict[str, str], errors: _Errors) -> None:
        self.sheet, self.row, self.cells, self.errors = sheet, row, cells, errors

    def error(self, key: str, message: str) -> None:
        self.errors.add(self.sheet, self.row, key, message)

    def text(self, key: str, max_length: int) -> str:
        value = self.cells.get(key, "")
        column = next(c for c in self.sheet.spec.columns if c.key == key)
        if not value and column.cell_required:
            self.error(key, _("This cell must not be empty."))
        elif len(value) > max_length:
            self.error(
                key,
                _("At most %(max)s characters are allowed (this has %(length)s).")
                % {"max": max_length, "length": len(value)},
            )
        return value

    def code(self, key: str) -> str:
        value = self.text(key, 32)
        if value and len(value) <= 32:
            try:
                code_validator(value)
            except ValidationError as exc:
                self.error(key, " ".join(exc.messages))
        return value

    def number(self, key: str, low: int, high: int, default: int) -> int:
        value = self.cells.get(key, "")
        if not value:
            return default
        if not re.fullmatch(r"\d+", value) or not low <= int(value) <= high:
            self.error(
                key, _("Must be a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
            )
            return default
        return int(value)

    def phone(self, key: str) -> str:
        value = _SPACES.sub("", self.cells.get(key, ""))
        if value and not (_MOBILE.match(value) or _LANDLINE.match(value)):
            self.error(
                key,
                _(
                    "%(value)s is not a phone number: write an 11-digit mobile number such as 13800001111 "
                    "or a landline with its area code such as 0577-88888888."
                )
                % {"value": value},
            )
        return value

    def choice(self, key: str, words: dict[str, str], shown: str, message: str) -> str | None:
        value = self.cells.get(key, "")
        if not value:
            self.error(key, _("This cell must not be empty."))
            return None
        found = words.get(norm_word(value))
        if found is None:
            self.error(key, message % {"value": value, "choices": shown})
        return found


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _existing_units(codes: Iterable[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for chunk in _chunks(codes):
        for unit in Unit.objects.filter(code__in=chunk).only("id", "code", "kind", "path", "depth"):
            found[unit.code] = unit
    return found


def _existing_household_codes(codes: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(codes):
        found.update(Household.objects.filter(code__in=chunk).values_list("code", flat=True))
    return found


def _existing_usernames(names: Iterable[str]) -> set[str]:
    user_model = get_user_model()
    field_name = user_model.USERNAME_FIELD
    found: set[str] = set()
    for chunk in _chunks(names):
        found.update(
            user_model._default_manager.filter(**{f"{field_name}__in": chunk}).values_list(
                field_name, flat=True
            )
        )
    return found


@dataclass
class _Plan:
    """Everything a valid workbook will write, units in parent-before-child order."""

    units: list[tuple[_UnitRow, str, str]] = field(default_factory=list)  # (row, kind, path)
    people: list[_PersonRow] = field(default_factory=list)
    households: list[_HouseholdRow] = field(default_factory=list)
    db_units: dict[str, Unit] = field(default_factory=dict)


def _parse_units(sheet: _Sheet, errors: _Errors) -> list[_UnitRow]:
    kinds = choice_words(UnitKind, _KIND_WORDS)
    name_max = _max_length(Unit, "name")
    parsed = []
    for number, cells in sheet.rows:
        check = _RowCheck(sheet, number, cells, errors)
        parent = cells.get("parent", "")
        row = _UnitRow(
            row=number,
            code=check.code("code"),
            name=check.text("name", name_max),
            kind=check.choice(
                "kind", kinds, _KIND_SHOWN, _("Unknown unit kind %(value)s; use one of %(choices)s.")
            ),
            parent=parent,
            sort=check.number("sort", 0, _MAX_SORT, 0),
        )
        parsed.append(row)
    return parsed


def _parse_people(sheet: _Sheet, errors: _Errors) -> list[_PersonRow]:
    roles = choice_words(Role, _ROLE_WORDS)
    username_field = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
    username_max = int(getattr(username_field, "max_length", 150) or 150)
    username_validators = list(getattr(username_field, "validators", []))
    parsed = []
    for number, cells in sheet.rows:
        check = _RowCheck(sheet, number, cells, errors)
        row = _PersonRow(
            row=number,
            name=check.text("name", _max_length(Person, "name")),
            unit=check.text("unit", _max_length(Unit, "code")),
            phone=check.phone("phone"),
            role=check.choice(
                "role", roles, _ROLE_SHOWN, _("Unknown role %(value)s; use one of %(choices)s.")
            )
            or "",
            title=check.text("title", _max_length(Person, "title")),
            username=check.text("username", username_max),
        )
        if row.username and len(row.username) <= username_max:
            for validator in username_validators:
                try:
                    validator(row.username)
                except ValidationError as exc:
                    check.error("username", " ".join(exc.messages))
        parsed.append(row)
    return parsed


def _parse_households(sheet: _Sheet, errors: _Errors) -> list[_HouseholdRow]:
    parsed = []
    for number, cells in sheet.rows:
        check = _RowCheck(sheet, number, cells, errors)
        parsed.append(
            _HouseholdRow(
                row=number,
                code=check.code("code"),
                village=check.text("village", _max_length(Unit, "code")),
                head=check.text("head", _max_length(Household, "head_name")),
                phone=check.phone("phone"),
                address=check.text("address", _max_length(Household, "address")),
                size=check.number("size", 1, _MAX_SIZE, 1),
            )
        )
    return parsed


def _first_rows(sheet: _Sheet, rows: Iterable[Any], attr: str, errors: _Errors, key: str) -> dict[str, Any]:
    """Map each value of ``attr`` to its first row; report the later rows that repeat it."""
    first: dict[str, Any] = {}
    for row in rows:
        value = getattr(row, attr)
        if not value:
            continue
        if value in first:
            errors.add(
                sheet,
                row.row,
                key,
                _("%(value)s appears more than once in this sheet (first at row %(first)s).")
                % {"value": value, "first": first[value].row},
            )
        else:
            first[value] = row
    return first


def _unit_paths(
    sheet: _Sheet, file_units: dict[str, _UnitRow], db_units: dict[str, Unit], errors: _Errors
) -> dict[str, str | None]:
    """The path each unit of the file will get (None: unknown, because of a loop or a missing parent).

    Rows may list children before parents, so the chains are followed through the file; parent codes
    that loop back are reported on every unit of the loop.
    """
    paths: dict[str, str | None] = {}
    state: dict[str, int] = {}  # 1: on the chain being walked, 2: done
    for start in file_units:
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            parent = file_units[node].parent
            node = parent if parent in file_units else None
        if node is not None and state[node] == 1:
            loop = walk[walk.index(node) :]
            chain = " → ".join([*loop, loop[0]])
            for code in loop:
                paths[code] = None
                errors.add(
                    sheet,
                    file_units[code].row,
                    "parent",
                    _("The parent codes form a loop (%(chain)s).") % {"chain": chain},
                )
        for code in walk:
            state[code] = 2

    max_path = _max_length(Unit, "path")
    for start in file_units:
        chain_codes: list[str] = []
        node = start
        while node in file_units and node not in paths:
            chain_codes.append(node)
            node = file_units[node].parent
        base: str | None
        if node in paths:
            base = paths[node]
        elif node == "":
            base = "/"
        elif node in db_units:
            base = db_units[node].path
        else:
            base = None  # unknown parent, reported elsewhere
        for code in reversed(chain_codes):
            path = f"{base}{code}/" if base is not None else None
            if path is not None and len(path) > max_path:
                errors.add(
                    sheet,
                    file_units[code].row,
                    "parent",
                    _("The unit lies too deep in the tree: its path would be longer than %(max)s characters.")
                    % {"max": max_path},
                )
                path = None
            paths[code] = base = path
    return paths


def _check(sheets: dict[str, _Sheet], errors: _Errors) -> _Plan:
    """Check every row of every sheet against the others and the database; the plan of what to write."""
    unit_sheet, people_sheet, household_sheet = (sheets.get(spec.key) for spec in SHEETS)
    units = _parse_units(unit_sheet, errors) if unit_sheet and unit_sheet.usable else []
    people = _parse_people(people_sheet, errors) if people_sheet and people_sheet.usable else []
    households = (
        _parse_households(household_sheet, errors) if household_sheet and household_sheet.usable else []
    )

    # Codes the units sheet defines, even on rows with errors: those rows are reported on their own,
    # and calling every reference to them "unknown" would only bury the real mistake.
    named_in_file = {cells.get("code", "") for _n, cells in (unit_sheet.rows if unit_sheet else [])} - {""}
    wanted = (
        named_in_file | {u.parent for u in units} | {p.unit for p in people} | {h.village for h in households}
    )
    db_units = _existing_units(wanted - {""})

    plan = _Plan(db_units=db_units)
    file_units: dict[str, _UnitRow] = {}
    if unit_sheet is not None and units:
        file_units = _first_rows(unit_sheet, units, "code", errors, "code")
        for row in units:
            if row.code in db_units:
                errors.add(
                    unit_sheet,
                    row.row,
                    "code",
                    _("A unit with code %(code)s already exists.") % {"code": row.code},
                )
            _check_parent(unit_sheet, row, file_units, db_units, named_in_file, errors)
        paths = _unit_paths(unit_sheet, file_units, db_units, errors)
        plan.units = sorted(
            (
                (row, row.kind, path)
                for row in file_units.values()
                if row.kind and (path := paths.get(row.code))
            ),
            key=lambda item: _depth(item[2]),
        )

    if people_sheet is not None and people:
        _first_rows(people_sheet, people, "username", errors, "username")
        taken = _existing_usernames(p.username for p in people if p.username)
        for person in people:
            if person.unit and person.unit not in db_units and person.unit not in named_in_file:
                errors.add(people_sheet, person.row, "unit", _unknown_unit(person.unit, unit_sheet))
            if person.username in taken:
                errors.add(
                    people_sheet,
                    person.row,
                    "username",
                    _("The login %(username)s already exists.") % {"username": person.username},
                )
        plan.people = people

    if household_sheet is not None and households:
        _first_rows(household_sheet, households, "code", errors, "code")
        existing = _existing_household_codes(h.code for h in households if h.code)
        for household in households:
            if household.code in existing:
                errors.add(
                    household_sheet,
                    household.row,
                    "code",
                    _("A household with code %(code)s already exists.") % {"code": household.code},
                )
            _check_village(
                household_sheet, household, file_units, db_units, named_in_file, unit_sheet, errors
            )
        plan.households = households

    if not errors and not (plan.units or plan.people or plan.households):
        errors.add(None, 0, None, _("There is nothing to import: the sheets hold no rows."))
    return plan


def _unknown_unit(code: str, unit_sheet: _Sheet | None) -> str:
    return _("Unknown unit %(code)s: it is neither in the system nor in sheet %(sheet)s.") % {
        "code": code,
        "sheet": unit_sheet.title if unit_sheet else UNITS.names[0],
    }


def _check_parent(
    sheet: _Sheet,
    row: _UnitRow,
    file_units: dict[str, _UnitRow],
    db_units: dict[str, Unit],
    named_in_file: set[str],
    errors: _Errors,
) -> None:
    parent_kind: str | None
    if not row.parent:
        parent_kind = None
    elif row.parent in file_units:
        parent_kind = file_units[row.parent].kind
        if parent_kind is None:
            return  # the parent's own row reports its bad kind
    elif row.parent in db_units:
        parent_kind = db_units[row.parent].kind
    elif row.parent in named_in_file:
        return  # the parent's own row is broken and reported
    else:
        errors.add(
            sheet,
            row.row,
            "parent",
            _("Unknown parent unit %(code)s: it is neither in the system nor in this sheet.")
            % {"code": row.parent},
        )
        return
    if row.kind is None:
        return
    try:
        check_parent(row.kind, parent_kind)
    except ValidationError as exc:
        errors.add(sheet, row.row, "parent" if parent_kind is None else "kind", " ".join(exc.messages))


def _check_village(
    sheet: _Sheet,
    row: _HouseholdRow,
    file_units: dict[str, _UnitRow],
    db_units: dict[str, Unit],
    named_in_file: set[str],
    unit_sheet: _Sheet | None,
    errors: _Errors,
) -> None:
    if not row.village:
        return
    kind: str | None
    if row.village in file_units:
        kind = file_units[row.village].kind
    elif row.village in db_units:
        kind = db_units[row.village].kind
    elif row.village in named_in_file:
        return
    else:
        errors.add(sheet, row.row, "village", _unknown_unit(row.village, unit_sheet))
        return
    if kind is not None and kind not in RESIDENTIAL_KINDS:
        errors.add(
            sheet,
            row.row,
            "village",
            _("Unit %(code)s is a %(kind)s; households belong to a village or a community.")
            % {"code": row.village, "kind": UnitKind(kind).label},
        )


# --- writing ----------------------------------------------------------------------------------------


def _write(plan: _Plan, actor: Actor) -> dict[str, int]:
    """Write a checked plan in one transaction and audit it once."""
    with transaction.atomic():
        units = dict(plan.db_units)
        # plan.units is sorted by depth: each level's parents are in the database before it is written.
        for depth, rows in groupby(plan.units, key=lambda item: _depth(item[2])):
            level = [
                Unit(
                    code=row.code,
                    name=row.name,
                    kind=kind,
                    parent=units[row.parent] if row.parent else None,
                    path=path,
                    depth=depth,
                    sort=row.sort,
                )
                for row, kind, path in rows
            ]
            Unit.objects.bulk_create(level, batch_size=_BATCH)
            if any(unit.pk is None for unit in level):  # backends that cannot return new keys
                level = list(Unit.objects.filter(code__in=[unit.code for unit in level]))
            units.update({unit.code: unit for unit in level})
        for person in plan.people:
            create_person(
                name=person.name,
                unit=units[person.unit],
                role=person.role,
                actor=actor,
                phone=person.phone,
                title=person.title,
                username=person.username or None,
            )
        Household.objects.bulk_create(
            [
                Household(
                    code=h.code,
                    village=units[h.village],
                    head_name=h.head,
                    phone=h.phone,
                    address=h.address,
                    size=h.size,
                )
                for h in plan.households
            ],
            batch_size=_BATCH,
        )
        created = {"units": len(plan.units), "people": len(plan.people), "households": len(plan.households)}
        record("org.import", actor=actor, detail=created)
    return created


def import_workbook(file: IO[bytes], *, actor: Actor) -> ImportReport:
    """Import the units, people and households of an .xlsx upload, all of it or (on any error) nothing.

    Every row is checked, against the rest of the file and the database, before anything is written;
    the report lists every problem with its sheet, row and column.
    """
    errors = _Errors()
    sheets = _read_workbook(file, errors)
    if not sheets:
        return ImportReport(errors=errors.sorted())
    plan = _check(sheets, errors)
    if errors:
        return ImportReport(errors=errors.sorted())
    try:
        created = _write(plan, actor)
    except (ValidationError, DatabaseError) as exc:
        # Someone changed the same records between the check and the write; the transaction rolled back.
        detail = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        message = _("Nothing was saved because the database refused a row: %(error)s") % {"error": detail}
        return ImportReport(errors=[RowError("", 0, "", message)])
    return ImportReport(created=created)


def template_workbook() -> bytes:
    """An empty workbook with the three sheets and their headers, for offices to fill in."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]  # a new workbook always has its one sheet
    bold = Font(bold=True)
    for spec in SHEETS:
        worksheet = workbook.create_sheet(spec.names[0])
        worksheet.append([column.header for column in spec.columns])
        for index, column in enumerate(spec.columns, start=1):
            worksheet.cell(row=1, column=index).font = bold
            worksheet.column_dimensions[get_column_letter(index)].width = column.width
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
