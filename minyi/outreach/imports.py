"""Importing visit sheets (走访登记表): the visits townships collect on paper, typed or uploaded in bulk.

A sheet is a list of ``VisitRow``; every row is checked like a visit recorded on the form
(``rules.check_date``, ``rules.check_place`` against the importer's scope, the checklist and the
difficulties), and the visitor must be an active leader or cadre. One bad row refuses the whole
sheet with the rows' numbers and saves nothing; a good sheet is written in bulk (``bulk_create`` for
the visits with difficulties, whose ids these need; ``minyi.bulk.copy_rows`` for the rest), in one
transaction, with one audit record for the import. ``read_workbook`` reads an uploaded Excel sheet
into rows (the upload page is views_import.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from minyi.audit.rules import record
from minyi.bulk import copy_rows
from minyi.ledger.models import Campaign
from minyi.org.models import Household, Person, Unit
from minyi.org.permissions import can
from minyi.org.rules import Actor
from minyi.outreach.access import OutreachPerm
from minyi.outreach.choices import NOTED_ITEMS, Checklist
from minyi.outreach.models import Difficulty, Visit
from minyi.outreach.rules import (
    VISITOR_ROLES,
    DifficultyInput,
    check_checklist,
    check_date,
    check_difficulties,
    check_place,
    township_of,
)

#: Visits written per INSERT batch.
BATCH = 2000
#: A refused sheet lists at most this many bad rows (the first ones).
MAX_ERRORS = 20


@dataclass(frozen=True)
class VisitRow:
    """One line of a visit sheet: who visited where and when, the five-ones ticks and notes, the
    diary and the difficulties found."""

    visitor: Person
    visited_on: date
    village: Unit | None = None
    household: Household | None = None
    enterprise: Unit | None = None
    checklist: Mapping[str, Any] = field(default_factory=dict)
    diary_text: str = ""
    difficulties: Sequence[DifficultyInput] = ()


@dataclass(frozen=True)
class ImportResult:
    visits: int
    difficulties: int


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _check_row(row: VisitRow, actor: User, campaign: Campaign | None, today: date) -> str:
    """The kind of place of a good row; ValidationError with every problem of a bad one."""
    visitor = row.visitor
    if visitor.role not in VISITOR_ROLES or not visitor.is_active:
        raise ValidationError(
            _("%(name)s is not an active leader or cadre, so cannot be the visitor.") % {"name": visitor.name}
        )
    check_date(row.visited_on, campaign, today=today)
    kind = check_place(actor, village=row.village, household=row.household, enterprise=row.enterprise)
    check_checklist(dict(row.checklist), row.diary_text)
    check_difficulties(list(row.difficulties))
    return kind


def _visit(row: VisitRow, kind: str, township: Unit | None, actor: User, campaign: Campaign | None) -> Visit:
    checklist = row.checklist
    return Visit(
        visitor=row.visitor,
        visited_on=row.visited_on,
        place_kind=kind,
        village=row.village,
        household=row.household,
        enterprise=row.enterprise,
        township=township,
        campaign=campaign,
        diary=bool(checklist.get(Checklist.DIARY)),
        diary_text=row.diary_text.strip(),
        recorded_by=actor,
        **{item.value: bool(checklist.get(item)) for item in NOTED_ITEMS},
        **{f"{item}_note": str(checklist.get(f"{item}_note", "")).strip() for item in NOTED_ITEMS},
    )


#: The columns written for a visit without difficulties, in the order of ``_values``.
VISIT_FIELDS = [
    "visitor_id", "visited_on", "place_kind", "village_id", "household_id", "enterprise_id", "township_id",
    "campaign_id", "diary", "diary_text", "recorded_by_id", "recorded_at",
    *(item.value for item in NOTED_ITEMS), *(f"{item.value}_note" for item in NOTED_ITEMS),
]  # fmt: skip


def _values(
    row: VisitRow, kind: str, township: Unit | None, actor: User, campaign: Campaign | None, now: datetime
) -> tuple[Any, ...]:
    """The row as the tuple of VISIT_FIELDS (what ``_visit`` would save)."""
    checklist = row.checklist
    return (
        row.visitor.pk, row.visited_on, kind,
        row.village.pk if row.village is not None else None,
        row.household.pk if row.household is not None else None,
        row.enterprise.pk if row.enterprise is not None else None,
        township.pk if township is not None else None,
        campaign.pk if campaign is not None else None,
        bool(checklist.get(Checklist.DIARY)), row.diary_text.strip(), actor.pk, now,
        *(bool(checklist.get(item)) for item in NOTED_ITEMS),
        *(str(checklist.get(f"{item}_note", "")).strip() for item in NOTED_ITEMS),
    )  # fmt: skip


def _difficulties(visit: Visit, items: Sequence[DifficultyInput]) -> list[Difficulty]:
    return [
        Difficulty(
            visit=visit,
            text=item.text.strip(),
            category=item.category,
            handled_on_spot=item.handled_on_spot,
            resolution=item.resolution.strip() if item.handled_on_spot else "",
        )
        for item in items
    ]


@transaction.atomic
def import_visits(
    rows: Iterable[VisitRow],
    *,
    actor: Actor,
    campaign: Campaign | None = None,
    source: str = "",
    first_row: int = 1,
) -> ImportResult:
    """Record every visit of a sheet, or none: a bad row (a future date, a date outside the campaign,
    a household of another village, a place outside the importer's area, a visitor who is not a
    leader or cadre, a ticked diary box without a diary …) refuses the sheet with its row number.

    ``actor`` is who enters the sheet (a leader or cadre, whose area every place must lie in);
    ``source`` names the sheet in the audit record (e.g. "渔港镇 2026-05"); ``first_row`` is the
    number of the first row in the refusal (2 for a workbook under its header row)."""
    if not isinstance(actor, User) or not can(actor, OutreachPerm.ADD_VISIT):
        raise PermissionDenied(_("Only leaders and cadres enter visit sheets."))
    rows = list(rows)
    if not rows:
        raise ValidationError(_("The sheet has no visits."), code="empty")
    today = timezone.localdate()
    townships: dict[int, Unit | None] = {}
    checked: list[tuple[VisitRow, str, Unit | None]] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=first_row):
        try:
            kind = _check_row(row, actor, campaign, today)
        except ValidationError as error:
            errors += [_("Row %(n)d: %(error)s") % {"n": number, "error": m} for m in _messages(error)]
            if len(errors) >= MAX_ERRORS:
                break
            continue
        place = row.enterprise or row.village
        assert place is not None
        if place.pk not in townships:
            townships[place.pk] = township_of(place)
        checked.append((row, kind, townships[place.pk]))
    if errors:
        raise ValidationError(errors[:MAX_ERRORS], code="rows")
    # Visits with difficulties need their ids back: bulk_create. The rest (nearly all) go in as plain
    # rows through minyi.bulk (executemany on SQLite, COPY on PostgreSQL): the same values, checked
    # above, without building a model object and an INSERT of 45 rows each.
    now = timezone.now()
    with_difficulties = [(row, kind, township) for row, kind, township in checked if row.difficulties]
    copy_rows(
        Visit,
        VISIT_FIELDS,
        (
            _values(row, kind, township, actor, campaign, now)
            for row, kind, township in checked
            if not row.difficulties
        ),
    )
    found = 0
    for start in range(0, len(with_difficulties), BATCH):
        part = with_difficulties[start : start + BATCH]
        visits = [_visit(row, kind, township, actor, campaign) for row, kind, township in part]
        if connection.features.can_return_rows_from_bulk_insert:
            Visit.objects.bulk_create(visits)
        else:  # no ids back from a bulk insert: one by one
            for visit in visits:
                visit.save()
        difficulties = [
            item
            for visit, (row, _kind, _township) in zip(visits, part, strict=True)
            for item in _difficulties(visit, row.difficulties)
        ]
        Difficulty.objects.bulk_create(difficulties, batch_size=BATCH)
        found += len(difficulties)
    record(
        "outreach.visits_imported",
        actor=actor,
        obj=campaign,
        detail={"visits": len(checked), "difficulties": found, "source": source[:100]},
    )
    return ImportResult(visits=len(checked), difficulties=found)


# --- the workbook ----------------------------------------------------------------------------------

#: The columns of a visit sheet workbook: (key, header). The headers are what the blank sheet says.
COLUMNS: list[tuple[str, str]] = [
    ("visited_on", "走访日期"),
    ("visitor", "走访人"),
    ("village", "村/社区编码"),
    ("household", "户编码"),
    ("enterprise", "企业编码"),
    (Checklist.CONTACT_CARD.value, "留联系卡"),
    (Checklist.URGENT_MATTER.value, "办一件急事"),
    (f"{Checklist.URGENT_MATTER.value}_note", "急事说明"),
    (Checklist.ASSISTANCE_PLAN.value, "帮扶计划"),
    (f"{Checklist.ASSISTANCE_PLAN.value}_note", "帮扶计划说明"),
    (Checklist.REVIEW_SESSION.value, "回访评议"),
    (f"{Checklist.REVIEW_SESSION.value}_note", "评议说明"),
    ("diary_text", "民情日记"),
    ("difficulty", "困难"),
    ("handled_on_spot", "当场解决"),
    ("resolution", "解决办法"),
]
TICKS = {"1", "y", "yes", "true", "x", "✓", "√", "是", "有"}


def blank_workbook() -> bytes:
    """An empty visit sheet with the header row, to fill in and upload."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "走访登记表"
    sheet.append([header for _key, header in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_cell_text(value))
    except ValueError:
        return None


def read_workbook(file: IO[bytes], *, actor: User) -> list[VisitRow]:
    """The visits of an uploaded sheet (first worksheet, header row first), with places and visitors
    found by code and name; ValidationError listing every row that cannot be read (the visits
    themselves are checked by ``import_visits``)."""
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("The file is not an Excel workbook (.xlsx)."), code="file") from error
    try:
        lines = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    if not lines:
        raise ValidationError(_("The sheet has no visits."), code="empty")
    headers = {_cell_text(cell): i for i, cell in enumerate(lines[0])}
    missing = [header for _key, header in COLUMNS[:3] if header not in headers]
    if missing:
        raise ValidationError(
            _("The sheet lacks the columns %(columns)s.") % {"columns": ", ".join(missing)}, code="columns"
        )
    at = {key: headers.get(header) for key, header in COLUMNS}
    records = [
        {key: (line[i] if i is not None and i < len(line) else None) for key, i in at.items()}
        for line in lines[1:]
        if any(_cell_text(cell) for cell in line)
    ]
    codes = {_cell_text(r[key]) for r in records for key in ("village", "enterprise")} - {""}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes).select_related("parent")}
    households = {
        h.code: h
        for h in Household.objects.filter(code__in={_cell_text(r["household"]) for r in records} - {""})
    }
    names = {_cell_text(r["visitor"]) for r in records} - {""}
    people: dict[str, list[Person]] = {}
    for person in Person.objects.filter(name__in=names, role__in=VISITOR_ROLES, is_active=True):
        people.setdefault(person.name, []).append(person)
    rows: list[VisitRow] = []
    errors: list[str] = []
    for number, record_ in enumerate(records, start=2):
        text = {key: _cell_text(value) for key, value in record_.items()}
        problems = []
        visited_on = _cell_date(record_["visited_on"])
        if visited_on is None:
            problems.append(_("write the date of the visit as YYYY-MM-DD"))
        found = people.get(text["visitor"], [])
        if len(found) != 1:
            problems.append(
                _("no leader or cadre is named %(name)s") % {"name": text["visitor"]}
                if not found
                else _("more than one leader or cadre is named %(name)s") % {"name": text["visitor"]}
            )
        place: dict[str, Any] = {}
        for key, table in (("village", units), ("household", households), ("enterprise", units)):
            if text[key] and text[key] not in table:
                problems.append(_("no place has the code %(code)s") % {"code": text[key]})
            place[key] = table.get(text[key]) if text[key] else None
        if problems:
            errors += [_("Row %(n)d: %(error)s") % {"n": number, "error": p} for p in problems]
            if len(errors) >= MAX_ERRORS:
                break
            continue
        checklist: dict[str, Any] = {}
        for key, _header in COLUMNS[5:12]:
            checklist[key] = text[key] if key.endswith("_note") else text[key].lower() in TICKS
        diary = text["diary_text"]
        checklist[Checklist.DIARY] = bool(diary)
        difficulties = []
        if text["difficulty"]:
            difficulties.append(
                DifficultyInput(
                    text=text["difficulty"],
                    handled_on_spot=text["handled_on_spot"].lower() in TICKS,
                    resolution=text["resolution"],
                )
            )
        assert visited_on is not None
        rows.append(
            VisitRow(
                visitor=found[0],
                visited_on=visited_on,
                checklist=checklist,
                diary_text=diary,
                difficulties=difficulties,
                **place,
            )
        )
    if errors:
        raise ValidationError(errors[:MAX_ERRORS], code="rows")
    if not rows:
        raise ValidationError(_("The sheet has no visits."), code="empty")
    return rows
