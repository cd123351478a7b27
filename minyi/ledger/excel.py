"""The ledger as Excel (整改台账): the sheet offices print and edit, and the import of that same sheet.

The export writes one sheet: a title row naming what was exported, the header row, one row per item.
What is exported can be edited and imported back: a row with 编号 changes that item's details through
``rules.edit_issue``, a row without one opens an item through ``rules.create_issue``. The whole file is
checked and applied in one transaction; any error rolls all of it back and the report lists every error
with its row and column.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, Generic, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from minyi.appeals.models import Appeal
from minyi.audit.rules import record
from minyi.ledger import rules
from minyi.ledger.choices import LEAD_KINDS, IssueSource, IssueState, Track
from minyi.ledger.filters import LedgerFilters
from minyi.ledger.models import Campaign, Issue, Milestone
from minyi.org.choices import Role
from minyi.org.imports import ImportReport, RowError, choice_words, norm_header, norm_word
from minyi.org.models import Unit
from minyi.org.permissions import in_scope, scope_filter, scope_of, visible

AnyUser = User | AnonymousUser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Rows per import: unchanged rows cost nothing, but every changed row is a locked update.
MAX_ROWS = 20_000
_CHUNK = 900  # ids per IN (...) query: under SQLite's limit of 999 bound parameters
_EXPORT_CHUNK = 2000  # items per read of the export, with their prefetched units, steps and appeals
_HEADER_SEARCH = 5  # the header row is among the first non-empty rows (a title row may come first)
_MAX_APPEALS_SHOWN = 200  # an Excel cell holds 32,767 characters
_LIST_SPLIT = re.compile(r"\s*[、,，;；\n]+\s*")
_QUALIFIED = re.compile(r"^(.+?)\s*[（(]\s*([^（）()]+?)\s*[)）]$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


@dataclass(frozen=True)
class Column:
    """One column of the ledger sheet: its header in the reader's language (``label``) and the Chinese
    header offices write, both accepted on import whatever the catalogue says."""

    key: str
    label: Any  # a lazy English msgid
    chinese: str
    width: int
    read_only: bool = False  # written for reading; the import ignores it (the tracks: checked unchanged)
    hidden: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("id", gettext_lazy("Item no."), "编号", 8, aliases=("id", "itemid")),
    Column("campaign", gettext_lazy("Campaign"), "活动", 12),
    Column("title", gettext_lazy("Item title"), "事项名称", 32, aliases=("title",)),
    Column("description", gettext_lazy("Item details"), "具体内容", 48, aliases=("description", "details")),
    Column("source", gettext_lazy("Source"), "来源", 12),
    Column("finding_ref", gettext_lazy("Inspection notice"), "督导通报", 18, aliases=("findingref",)),
    Column("planned_track", gettext_lazy("Planned track"), "计划类别", 12, aliases=("originaltrack",)),
    Column("track", gettext_lazy("Current track"), "当前类别", 12, read_only=True, aliases=("track",)),
    Column("lead_unit", gettext_lazy("Leading unit"), "牵头单位", 16, aliases=("leadunit",)),
    Column("co_units", gettext_lazy("Co-operating units"), "配合单位", 22, aliases=("counits",)),
    Column("leader", gettext_lazy("Supervising leader"), "挂钩领导", 12, aliases=("leader",)),
    Column("deadline", gettext_lazy("Completion deadline"), "完成时限", 12, aliases=("deadline",)),
    Column("tags", gettext_lazy("Tags"), "标签", 16),
    Column("state", gettext_lazy("State"), "状态", 12, read_only=True),
    Column("progress", gettext_lazy("Plan progress"), "进度", 8, read_only=True, aliases=("progress",)),
    Column(
        "signed_off", gettext_lazy("Sign-off date"), "销号日期", 12, read_only=True, aliases=("signedoff",)
    ),
    Column("appeals", gettext_lazy("Linked appeals"), "关联诉求", 24, read_only=True, aliases=("appeals",)),
    # The item's version when exported: an item changed since then is not overwritten with old values.
    Column("version", gettext_lazy("Version"), "版本", 6, read_only=True, hidden=True),
)
_BY_KEY = {column.key: column for column in COLUMNS}
_ORDER = {column.key: index for index, column in enumerate(COLUMNS)}
#: Columns a new item (a row without 编号) needs.
_NEEDED_FOR_NEW = ("campaign", "title", "planned_track", "lead_unit", "leader", "deadline")
# Words offices write for the tracks and sources, besides the codes and the translated labels.
_TRACK_WORDS: dict[str, str] = {
    "立即改": Track.FIX_NOW,
    "边学边改": Track.FIX_IN_CAMPAIGN,
    "常态整改": Track.LONG_TERM,
    "常态": Track.LONG_TERM,
}
_SOURCE_WORDS: dict[str, str] = {
    "群众反映": IssueSource.APPEALS,
    "诉求": IssueSource.APPEALS,
    "督导通报": IssueSource.INSPECTION,
    "督导组通报": IssueSource.INSPECTION,
    "督导检查": IssueSource.INSPECTION,
    "自查": IssueSource.OWN,
    "自查自纠": IssueSource.OWN,
}


# --- names as people write them --------------------------------------------------------------------

N = TypeVar("N", Unit, User)


def _unit_words(unit: Unit) -> tuple[str, str]:
    return unit.name, unit.code


def _leader_words(user: User) -> tuple[str, str]:
    person = getattr(user, "person", None)
    return (person.name if person is not None else user.get_username()), user.get_username()


class _Names(Generic[N]):
    """Units (by name or code) or leaders (by name or login name) as a sheet names them. A name that two
    of them share is written "name（code）" on export, and accepted so on import."""

    def __init__(
        self, items: Iterable[N], words: Callable[[N], tuple[str, str]], ambiguous: Any, unknown: Any
    ) -> None:
        self.words: Callable[[N], tuple[str, str]] = words
        self.ambiguous, self.unknown = ambiguous, unknown  # messages with %(value)s
        self.by_key: dict[str, N] = {}
        self.by_name: dict[str, list[N]] = {}
        for item in items:
            name, key = words(item)
            self.by_key[key] = item
            self.by_name.setdefault(name, []).append(item)

    def spell(self, item: N) -> str:
        """How the export names ``item``: its plain name unless that would read back as another one."""
        name, key = self.words(item)
        others = [other for other in self.by_name.get(name, []) if other.pk != item.pk]
        clash = self.by_key.get(name)
        if others or (clash is not None and clash.pk != item.pk):
            return f"{name}（{key}）"
        return name

    def names(self, value: str, item: N) -> bool:
        """Whether ``value`` names ``item`` (its name, its key, or both)."""
        name, key = self.words(item)
        qualified = _QUALIFIED.match(value)
        return value in (name, key) or (qualified is not None and qualified.group(2) == key)

    def find(self, value: str, current: Iterable[N] = ()) -> N | str:
        """The one named ``value`` (the item's ``current`` ones first), or the problem as a message."""
        for item in current:
            if self.names(value, item):
                return item
        found = self.by_key.get(value)
        qualified = _QUALIFIED.match(value)
        if found is None and qualified is not None:
            found = self.by_key.get(qualified.group(2))
        if found is not None:
            return found
        named = self.by_name.get(value, [])
        if len(named) == 1:
            return named[0]
        return str(self.ambiguous if named else self.unknown) % {"value": value}


def _units() -> _Names[Unit]:
    return _Names(
        Unit.objects.filter(kind__in=LEAD_KINDS).order_by("path"),
        _unit_words,
        gettext_lazy("More than one unit is called %(value)s; write its code instead."),
        gettext_lazy("Unknown unit %(value)s: no department or township has this name or code."),
    )


def _leaders() -> _Names[User]:
    return _Names(
        User.objects.filter(person__role=Role.LEADER).select_related("person").order_by("pk"),
        _leader_words,
        gettext_lazy("More than one leader is called %(value)s; write the login name instead."),
        gettext_lazy("Unknown leader %(value)s: no supervising leader has this name or login name."),
    )


def _is_active(item: Unit | User) -> bool:
    if isinstance(item, Unit):
        return item.is_active
    person = getattr(item, "person", None)
    return item.is_active and person is not None and person.is_active


# --- export --------------------------------------------------------------------------------------------


def title_line(filters: LedgerFilters, user: AnyUser, today: date) -> str:
    """The sheet's first row: what was exported (the user's unit, the filters) and when."""
    parts: list[str] = []
    scope = scope_of(user)
    if isinstance(scope, Unit) and scope.depth > 0:
        parts.append(scope.name)
    if filters.campaign is not None:
        parts.append(filters.campaign.name)
    if filters.unit is not None:
        parts.append(filters.unit.name)
    if filters.leader is not None:
        parts.append(_leader_words(filters.leader)[0])
    if filters.track:
        parts.append(str(Track(filters.track).label))
    if filters.state:
        parts.append(str(IssueState(filters.state).label))
    if filters.source:
        parts.append(str(IssueSource(filters.source).label))
    if filters.overdue:
        parts.append(_("Overdue"))
    return _("Rectification ledger: %(what)s (exported on %(date)s)") % {
        "what": " · ".join(parts) or _("all items"),
        "date": today.isoformat(),
    }


def _for_export(issues: QuerySet[Issue], user: AnyUser) -> QuerySet[Issue]:
    """The items with everything a row shows, read in a fixed number of queries per chunk (the
    co-units and appeals as plain lists: a related manager per row costs more than the row)."""
    return issues.select_related("campaign", "lead_unit", "leader__person").prefetch_related(
        Prefetch("co_units", queryset=Unit.objects.order_by("path"), to_attr="co_unit_list"),
        Prefetch("milestones", queryset=Milestone.objects.only("id", "issue_id", "done_at")),
        # Only the appeals the user may see: a unit never learns of appeals about itself (回避).
        Prefetch(
            "appeals",
            queryset=visible(user, Appeal.objects.only("id", "number")).order_by("number"),
            to_attr="appeal_list",
        ),
    )


def _text_cell(sheet: Any, value: str) -> Any:
    """Text that stays text: openpyxl would turn a title like "=HYPERLINK(…)" into a live formula.
    An empty text is no cell at all (a sheet of 100,000 rows writes fewer)."""
    if not value.startswith("="):
        return value or None
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _date_cell(sheet: Any, value: date) -> Any:
    """A date Excel shows as 2024-05-01 and sorts as a date."""
    moment: Any = value  # openpyxl writes dates, though its type stubs list only datetimes
    cell = WriteOnlyCell(sheet, value=moment)
    cell.number_format = "yyyy-mm-dd"
    return cell


def write_ledger(out: IO[bytes], issues: QuerySet[Issue], *, user: AnyUser, title: str) -> int:
    """Write ``issues`` as the ledger sheet (in the active language) to ``out``; the number of rows.

    A write-only workbook streams rows to a temporary file, so 100,000 items need little memory."""
    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet(_("Rectification ledger")[:31])
    for index, column in enumerate(COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        dimension.hidden = column.hidden
    sheet.freeze_panes = "A3"  # the title and header rows stay in view
    sheet.print_title_rows = "2:2"  # and the header is printed on every page
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        if column.read_only:
            cell.fill = grey  # greyed: these columns are for reading, changes to them are not imported
        header.append(cell)
    sheet.append(header)
    labels = _Labels()
    count = 0
    for issue in _for_export(issues, user).iterator(chunk_size=_EXPORT_CHUNK):
        sheet.append(_row(sheet, issue, labels))
        count += 1
    book.save(out)
    return count


class _Labels:
    """What the export writes for units, leaders and choices, worked out once per sheet (translating a
    choice's label per cell would cost more than writing the row)."""

    def __init__(self) -> None:
        self.units, self.leaders = _units(), _leaders()
        self.tracks = {value: str(label) for value, label in Track.choices}
        self.states = {value: str(label) for value, label in IssueState.choices}
        self.sources = {value: str(label) for value, label in IssueSource.choices}


def _row(sheet: Any, issue: Issue, labels: _Labels) -> list[Any]:
    signed_off = None
    if issue.signed_off_at is not None:
        signed_off = _date_cell(sheet, timezone.localdate(issue.signed_off_at))
    done = rules.progress(issue)
    numbers = [appeal.number or "" for appeal in issue.appeal_list]  # type: ignore[attr-defined]
    appeals = "、".join(numbers[:_MAX_APPEALS_SHOWN])
    if len(numbers) > _MAX_APPEALS_SHOWN:
        appeals += _(" … and %(n)d more") % {"n": len(numbers) - _MAX_APPEALS_SHOWN}
    return [
        issue.pk,
        issue.campaign.code,
        _text_cell(sheet, issue.title),
        _text_cell(sheet, issue.description),
        labels.sources.get(issue.source, issue.source),
        _text_cell(sheet, issue.finding_ref),
        labels.tracks.get(issue.original_track, issue.original_track),
        labels.tracks.get(issue.track, issue.track),
        _text_cell(sheet, labels.units.spell(issue.lead_unit)),
        _text_cell(sheet, "、".join(labels.units.spell(u) for u in issue.co_unit_list)),  # type: ignore[attr-defined]
        _text_cell(sheet, labels.leaders.spell(issue.leader)),
        _date_cell(sheet, issue.deadline),
        _text_cell(sheet, issue.tags),
        labels.states.get(issue.state, issue.state),
        "—" if done is None else f"{done}%",
        signed_off,
        appeals or None,
        issue.version,
    ]


def template_workbook(out: IO[bytes], *, user: AnyUser) -> None:
    """The empty export, to fill in with new items (or paste rows of an export into)."""
    title = _("Rectification ledger: import template; one row per item, “%(id)s” left empty for a new item.")
    write_ledger(out, Issue.objects.none(), user=user, title=title % {"id": _BY_KEY["id"].label})


# --- import: reading -----------------------------------------------------------------------------------


@dataclass
class LedgerImportReport(ImportReport):
    """What the import found (``errors``) or, when it found none, what it did: ``created`` = {"issues": n},
    and how many rows changed an item (``updated``) or matched it already (``unchanged``)."""

    updated: int = 0
    unchanged: int = 0


class _Errors:
    """Row errors at their column (as the sheet wrote its header), sorted as the sheet reads."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.columns: dict[str, tuple[int, str]] = {}  # key → (index, header as written)
        self._items: list[tuple[tuple[int, int], RowError]] = []

    def add(self, row: int, key: str | None, message: str) -> None:
        if key is None:
            header, index = "", -1
        elif key in self.columns:
            index, header = self.columns[key]
        else:  # a column the sheet lacks: name it as the template does
            header, index = str(_BY_KEY[key].label), 1000 + _ORDER[key]
        self.at(row, header, index, message)

    def at(self, row: int, header: str, index: int, message: str) -> None:
        self._items.append(((row, index), RowError(self.sheet, row, header, message)))

    def __bool__(self) -> bool:
        return bool(self._items)

    def rows(self) -> set[int]:
        """The rows with an error so far."""
        return {row for (row, _index), _error in self._items}

    def sorted(self) -> list[RowError]:
        return [error for _place, error in sorted(self._items, key=lambda item: item[0])]


def _text(value: Any) -> str:
    """A cell as trimmed text; whole numbers lose Excel's '.0', dates read as 2024-05-01."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> date | None:
    """A cell as a date (Excel dates, serial numbers, or common spellings); None when it is none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        converted = from_excel(value)  # a date cell without a date format
        return converted.date() if isinstance(converted, datetime) else None
    text = _text(value)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007  (a calendar date, no time)
        except ValueError:
            continue
    return None


def _sheet_names() -> set[str]:
    names = {norm_header("整改台账")}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.add(norm_header(_("Rectification ledger")))
    return names


def _header_words() -> dict[str, str]:
    """Every accepted spelling of every header → the column's key."""
    words: dict[str, str] = {}
    for column in COLUMNS:
        spellings = [column.chinese, column.key, *column.aliases]
        for language in ("en", "zh-hans"):
            with translation.override(language):
                spellings.append(str(column.label))
        words.update({norm_header(spelling): column.key for spelling in spellings})
    return words


def _read(file: IO[bytes]) -> tuple[str, list[tuple[int, list[Any]]]] | None:
    """The ledger sheet's title and its non-empty rows (numbered as Excel shows them); None when the
    file is not a readable workbook."""
    try:
        workbook = load_workbook(io.BytesIO(file.read()), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key, value errors) for a bad file
        return None
    try:
        if not workbook.worksheets:
            return None
        wanted = _sheet_names()
        sheets = workbook.worksheets
        worksheet: Any = next((ws for ws in sheets if norm_header(ws.title) in wanted), sheets[0])
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # the stored size is often wrong; read what is really there
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if any(_text(v) for v in values):
                rows.append((number, list(values)))
                if len(rows) > MAX_ROWS + _HEADER_SEARCH:
                    break
        return worksheet.title, rows
    except Exception:  # read-only mode parses sheets lazily, so damage can surface only here
        return None
    finally:
        workbook.close()


def _find_header(rows: list[tuple[int, list[Any]]], words: dict[str, str]) -> int | None:
    """The position in ``rows`` of the header row: the first with at least two known headers."""
    for position, (_number, values) in enumerate(rows[:_HEADER_SEARCH]):
        if sum(norm_header(_text(v)) in words for v in values) >= 2:
            return position
    return None


def _read_header(number: int, values: list[Any], words: dict[str, str], errors: _Errors) -> None:
    allowed = "、".join(column.chinese for column in COLUMNS if not column.hidden)
    for index, value in enumerate(values):
        text = _text(value)
        if not text:
            continue
        key = words.get(norm_header(text))
        if key is None:
            message = _("Unknown column %(column)s; the columns of this sheet are %(allowed)s.")
            errors.at(number, text, index, message % {"column": text, "allowed": allowed})
        elif key in errors.columns:
            errors.at(number, text, index, _("Column %(column)s appears more than once.") % {"column": text})
        else:
            errors.columns[key] = (index, text)


# --- import: checking ----------------------------------------------------------------------------------


@dataclass
class _Update:
    row: int
    issue: Issue
    version: int
    changes: dict[str, Any]


@dataclass
class _New:
    row: int
    fields: dict[str, Any]


@dataclass
class _Plan:
    updates: list[_Update] = field(default_factory=list)
    new: list[_New] = field(default_factory=list)
    unchanged: int = 0


class _Check:
    """The checks of the rows, against the sheet, the database and the user's scope."""

    def __init__(self, actor: AnyUser, errors: _Errors) -> None:
        self.actor, self.errors = actor, errors
        self.today = timezone.localdate()
        self.campaigns = list(Campaign.objects.all())
        self.units, self.leaders = _units(), _leaders()
        self.tracks = choice_words(Track, _TRACK_WORDS)
        self.sources = choice_words(IssueSource, _SOURCE_WORDS)
        self.row = 0
        self.cells: dict[str, Any] = {}

    def has(self, key: str) -> bool:
        return key in self.errors.columns

    def error(self, key: str, message: str) -> None:
        self.errors.add(self.row, key, message)

    def text(self, key: str, max_length: int | None = None, *, required: bool = False) -> str:
        value = _text(self.cells.get(key))
        if required and not value:
            self.error(key, _("This cell must not be empty."))
        elif max_length is not None and len(value) > max_length:
            message = _("At most %(max)s characters are allowed (this has %(length)s).")
            self.error(key, message % {"max": max_length, "length": len(value)})
        return value

    def choice(self, key: str, words: dict[str, str], choices: Any, *, required: bool = False) -> str:
        value = self.text(key, required=required)
        if not value:
            return ""
        found = words.get(norm_word(value))
        if found is None:
            shown = "、".join(str(label) for label in choices.labels)
            message = _("Unknown value %(value)s; use one of %(choices)s.")
            self.error(key, message % {"value": value, "choices": shown})
            return ""
        return found

    def campaign(self, current: Campaign | None = None) -> Campaign | None:
        value = self.text("campaign", required=current is None)
        if not value:
            return current
        for campaign in [*([current] if current else []), *self.campaigns]:
            if value in (campaign.code, campaign.name):
                return campaign
        message = _("Unknown campaign %(value)s: no campaign has this code or name.")
        self.error("campaign", message % {"value": value})
        return None

    def named(self, key: str, names: _Names[N], value: str, current: Iterable[N] = ()) -> N | None:
        """The unit or leader named ``value``; a new choice must be active and (a unit) in scope."""
        current = list(current)
        found = names.find(value, current)
        if isinstance(found, str):
            self.error(key, found)
            return None
        if found in current:
            return found
        if not _is_active(found):
            self.error(key, _("%(value)s is no longer active; choose another.") % {"value": value})
            return None
        if key == "lead_unit" and isinstance(found, Unit) and not in_scope(self.actor, found):
            self.error(key, _("%(value)s lies outside your part of the ledger.") % {"value": value})
            return None
        return found

    def one(self, key: str, names: _Names[N], current: N | None = None) -> N | None:
        value = self.text(key, required=True)
        return self.named(key, names, value, [current] if current else []) if value else None

    def co_units(self, current: Iterable[Unit] = ()) -> list[Unit]:
        current = list(current)
        found: list[Unit] = []
        for value in _LIST_SPLIT.split(self.text("co_units")):
            if value and (unit := self.named("co_units", self.units, value, current)) is not None:
                found.append(unit)
        return found

    def deadline(self) -> date | None:
        value = self.cells.get("deadline")
        if not _text(value):
            self.error("deadline", _("This cell must not be empty."))
            return None
        found = _date(value)
        if found is None:
            message = _("%(value)s is not a date; write it like 2024-05-01.")
            self.error("deadline", message % {"value": _text(value)})
        return found

    def existing(self, issue: Issue, version: int | None) -> _Update | None:
        """The changes a row makes to ``issue`` (None: none, or errors reported)."""
        changes: dict[str, Any] = {}
        for key in ("title", "description", "finding_ref", "tags"):
            if self.has(key):
                value = self.text(key, _max_length(key))
                if value != getattr(issue, key).strip():
                    changes[key] = value
        if self.has("campaign"):
            campaign = self.campaign(issue.campaign)
            if campaign is not None and campaign.pk != issue.campaign_id:
                self.error("campaign", _("An item stays in the campaign it was opened in."))
        for key, now in (("planned_track", issue.original_track), ("track", issue.track)):
            if self.has(key) and (track := self.choice(key, self.tracks, Track)) and track != now:
                message = _(
                    "The track does not change by import: to turn a fix-while-learning item into "
                    "long-term work, use “Became long-term work” on the item page, with the reason."
                )
                self.error(key, message)
        source = self.choice("source", self.sources, IssueSource) if self.has("source") else ""
        if source and source != issue.source:
            self.error("source", _("The source of an item does not change."))
        if self.has("lead_unit"):
            lead = self.one("lead_unit", self.units, issue.lead_unit)
            if lead is not None and lead.pk != issue.lead_unit_id:
                changes["lead_unit"] = lead
        if self.has("co_units"):
            lead_id = changes["lead_unit"].pk if "lead_unit" in changes else issue.lead_unit_id
            co_units = self.co_units(issue.co_units.all())
            if {u.pk for u in co_units} - {lead_id} != {u.pk for u in issue.co_units.all()}:
                changes["co_units"] = co_units
        if self.has("leader"):
            leader = self.one("leader", self.leaders, issue.leader)
            if leader is not None and leader.pk != issue.leader_id:
                changes["leader"] = leader
        if self.has("deadline"):
            deadline = self.deadline()
            if deadline is not None and deadline != issue.deadline:
                changes["deadline"] = deadline
        if changes and version is not None and version != issue.version:
            message = _(
                "Item %(id)s was changed by someone else after this sheet was exported; export the "
                "ledger again and make your changes on the new sheet."
            )
            self.error("id", message % {"id": issue.pk})
        if not changes:
            return None
        return _Update(self.row, issue, issue.version if version is None else version, changes)

    def new(self) -> _New:
        """The fields of the item a row without 编号 opens."""
        finding_ref = self.text("finding_ref", _max_length("finding_ref"))
        source = self.choice("source", self.sources, IssueSource) if self.has("source") else ""
        if source == IssueSource.APPEALS:
            message = _(
                "An item of appeals is made from the appeals selected in the list; a new row is an "
                "inspection finding or found by the unit itself."
            )
            self.error("source", message)
        inspection = bool(finding_ref) or source == IssueSource.INSPECTION
        fields: dict[str, Any] = {
            "campaign": self.campaign(),
            "title": self.text("title", _max_length("title"), required=True),
            "description": self.text("description"),
            "track": self.choice("planned_track", self.tracks, Track, required=True),
            "source": IssueSource.INSPECTION if inspection else IssueSource.OWN,
            "finding_ref": finding_ref,
            "tags": self.text("tags", _max_length("tags")),
            "lead_unit": self.one("lead_unit", self.units),
            "co_units": self.co_units(),
            "leader": self.one("leader", self.leaders),
            "deadline": self.deadline(),
        }
        if fields["deadline"] is not None and fields["deadline"] < self.today:
            self.error("deadline", _("The deadline cannot be in the past."))
        return _New(self.row, fields)


def _max_length(name: str) -> int | None:
    """The longest text the item's field holds (None: a text field without a limit)."""
    limit = getattr(Issue._meta.get_field(name), "max_length", None)
    return int(limit) if limit else None


def _chunks(values: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _load(ids: Iterable[int], actor: AnyUser) -> dict[int, Issue]:
    """The items of ``ids`` in the user's part of the ledger, with what the rows compare against."""
    found: dict[int, Issue] = {}
    for chunk in _chunks(ids):
        issues = scope_filter(actor, Issue.objects.filter(pk__in=chunk), "lead_unit__path")
        for issue in issues.select_related("campaign", "lead_unit", "leader__person").prefetch_related(
            Prefetch("co_units", queryset=Unit.objects.order_by("path"))
        ):
            found[issue.pk] = issue
    return found


def _check(rows: list[tuple[int, list[Any]]], header_row: int, actor: AnyUser, errors: _Errors) -> _Plan:
    """Check every row (without writing); the plan of what the valid rows change."""
    check = _Check(actor, errors)
    columns = errors.columns
    parsed = [
        (
            number,
            {key: values[index] if index < len(values) else None for key, (index, _h) in columns.items()},
        )
        for number, values in rows
    ]
    ids: dict[int, int] = {}  # item id → the first row naming it
    keyed: list[tuple[int, dict[str, Any], int]] = []
    fresh: list[tuple[int, dict[str, Any]]] = []
    for number, cells in parsed:
        raw = _text(cells.get("id"))
        if not raw:
            fresh.append((number, cells))
        elif not raw.isdigit():
            errors.add(number, "id", _("%(value)s is not an item number.") % {"value": raw})
        elif int(raw) in ids:
            message = _("%(value)s appears more than once in this sheet (first at row %(first)s).")
            errors.add(number, "id", message % {"value": raw, "first": ids[int(raw)]})
        else:
            ids[int(raw)] = number
            keyed.append((number, cells, int(raw)))
    plan = _Plan()
    issues = _load(ids, actor)
    for number, cells, pk in keyed:
        issue = issues.get(pk)
        check.row, check.cells = number, cells
        if issue is None:
            errors.add(number, "id", _("There is no item %(id)s in your part of the ledger.") % {"id": pk})
            continue
        version = _text(cells.get("version"))
        update = check.existing(issue, int(version) if version.isdigit() else None)
        if update is None:
            plan.unchanged += 1
        else:
            plan.updates.append(update)
    if fresh:
        missing = [key for key in _NEEDED_FOR_NEW if key not in columns]
        for key in missing:  # reported once, at the header, instead of on every new row
            message = _("Missing column %(column)s: rows without an item number open new items and need it.")
            errors.add(header_row, key, message % {"column": _BY_KEY[key].label})
        if not missing:
            for number, cells in fresh:
                check.row, check.cells = number, cells
                plan.new.append(check.new())
    return plan


# --- import: writing -----------------------------------------------------------------------------------

#: Where a rule's field error is shown: the column of that field (the track: the planned track's).
_FIELD_COLUMNS = {"track": "planned_track"}


def _rule_error(errors: _Errors, row: int, exc: ValidationError | PermissionDenied, fallback: str) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            key = _FIELD_COLUMNS.get(name, name)
            errors.add(row, key if key in _BY_KEY else fallback, " ".join(messages))
    elif isinstance(exc, ValidationError):
        errors.add(row, fallback, " ".join(exc.messages))
    else:
        errors.add(row, fallback, str(exc))


def _apply(plan: _Plan, actor: AnyUser, errors: _Errors) -> tuple[int, int]:
    """Apply every checked row through the rules, each in a savepoint so that every row's refusal is
    reported; on any error at all (the checks' or the rules') the whole transaction is rolled back."""
    created = updated = 0
    bad_rows = errors.rows()
    with transaction.atomic():
        for update in plan.updates:
            if update.row in bad_rows:
                continue
            try:
                with transaction.atomic():
                    rules.edit_issue(
                        update.issue, actor=actor, expected_version=update.version, **update.changes
                    )
            except (ValidationError, PermissionDenied) as exc:
                _rule_error(errors, update.row, exc, "id")
            else:
                updated += 1
        for new in plan.new:
            if new.row in bad_rows:
                continue
            try:
                with transaction.atomic():
                    rules.create_issue(**new.fields, actor=actor)
            except (ValidationError, PermissionDenied) as exc:
                _rule_error(errors, new.row, exc, "title")
            else:
                created += 1
        if errors:
            transaction.set_rollback(True)
        else:
            detail = {"created": created, "updated": updated, "unchanged": plan.unchanged}
            record("ledger.import", actor=actor, detail=detail)
    return created, updated


def import_ledger(file: IO[bytes], *, actor: AnyUser) -> LedgerImportReport:
    """Import an .xlsx of the ledger layout: every row or (on any error) none.

    A row with 编号 changes that item's editable details, a row without opens an item (an inspection
    finding when 督导通报 is filled, else found by the unit itself); read-only columns are ignored."""
    read = _read(file)
    if read is None:
        message = _("The file could not be read: it is not an Excel .xlsx workbook or it is damaged.")
        return LedgerImportReport(errors=[RowError("", 0, "", message)])
    title, rows = read
    errors = _Errors(title)
    words = _header_words()
    position = _find_header(rows, words)
    if position is None:
        names = "、".join(column.chinese for column in COLUMNS if not column.hidden)
        message = _("No header row found: one of the first rows must name the columns (%(names)s).")
        return LedgerImportReport(errors=[RowError(title, 0, "", message % {"names": names})])
    header_number, header = rows[position]
    _read_header(header_number, header, words, errors)
    body = rows[position + 1 :]
    if len(body) > MAX_ROWS:
        message = _("The file has more than %(n)d rows; split it into several files.") % {"n": MAX_ROWS}
        return LedgerImportReport(errors=[RowError(title, 0, "", message)])
    if not body:
        errors.add(0, None, _("There is nothing to import: the sheets hold no rows."))
    if "id" not in errors.columns and "title" not in errors.columns:
        message = _("Missing column %(column)s.") % {"column": _BY_KEY["title"].label}
        errors.add(header_number, "title", message)
    if errors:
        return LedgerImportReport(errors=errors.sorted())
    plan = _check(body, header_number, actor, errors)
    try:
        created, updated = _apply(plan, actor, errors)
    except DatabaseError as exc:
        message = _("Nothing was saved because the database refused a row: %(error)s") % {"error": str(exc)}
        return LedgerImportReport(errors=[RowError(title, 0, "", message)])
    if errors:
        return LedgerImportReport(errors=errors.sorted())
    return LedgerImportReport(created={"issues": created}, updated=updated, unchanged=plan.unchanged)
