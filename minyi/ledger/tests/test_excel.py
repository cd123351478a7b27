"""The ledger as Excel: the export offices print (their filters, their scope), the import of the same
sheet (edit and bring back, all or nothing, every bad row reported at its place), and inspection
findings entered by hand."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import FileResponse, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from minyi.audit.models import AuditEvent
from minyi.ledger import rules
from minyi.ledger.choices import EventKind, IssueSource, IssueState, Track
from minyi.ledger.excel import COLUMNS, LedgerImportReport, import_ledger, write_ledger
from minyi.ledger.models import Campaign, Issue, IssueEvent
from minyi.org.choices import Role, UnitKind
from minyi.org.rules import create_person, create_unit
from minyi.testing import Actors

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COL = {column.key: index for index, column in enumerate(COLUMNS)}
with translation.override("en"):
    ENGLISH = [str(column.label) for column in COLUMNS]
CHINESE = [column.chinese for column in COLUMNS]


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def campaign(actors: Actors) -> Campaign:
    return Campaign.objects.create(
        code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )


def new_issue(actors: Actors, campaign: Campaign, **fields: Any) -> Issue:
    values: dict[str, Any] = {
        "campaign": campaign,
        "title": "东村路灯长期不亮",
        "track": Track.FIX_NOW,
        "lead_unit": actors.edu,
        "leader": actors.leader,
        "deadline": today() + timedelta(days=30),
        "actor": actors.dispatcher,
    }
    values.update(fields)
    return rules.create_issue(**values)


def sign_off(actors: Actors, issue: Issue) -> Issue:
    rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="更换路灯3盏，附照片")
    rules.agree_signoff(issue, actor=actors.head_edu)
    return rules.decide_signoff(issue, actor=actors.leader, approve=True)


def second_leader(actors: Actors, name: str = "王领导", username: str = "leader2") -> User:
    person = create_person(name=name, unit=actors.district, role=Role.LEADER, username=username, actor=None)
    assert person.user is not None
    return person.user


def export(client: Client, user: User, language: str = "en", **params: str) -> Workbook:
    client.force_login(user)
    response = client.get("/ledger/export.xlsx", params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response
    assert isinstance(response, FileResponse)
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def data_rows(book: Workbook) -> list[list[Any]]:
    """The item rows of an exported sheet (after its title and header rows)."""
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


def exported(actors: Actors) -> Workbook:
    """The dispatcher's export of every item, in English, as a workbook to edit."""
    out = io.BytesIO()
    with translation.override("en"):
        write_ledger(out, Issue.objects.all(), user=actors.dispatcher, title="整改台账")
    return load_workbook(io.BytesIO(out.getvalue()))


def exported_row(actors: Actors, issue: Issue, **changes: Any) -> list[Any]:
    """The exported row of ``issue``, with ``changes`` (by column key) made to it."""
    book = exported(actors)
    row = [cell.value for cell in book.worksheets[0][row_of(book, issue)]]
    for key, value in changes.items():
        row[COL[key]] = value
    return row


def row_of(book: Workbook, issue: Issue) -> int:
    """The Excel row number of ``issue`` in an exported sheet."""
    for number, row in enumerate(book.worksheets[0].iter_rows(min_row=3, values_only=True), start=3):
        if row[COL["id"]] == issue.pk:
            return number
    raise AssertionError(f"item {issue.pk} not exported")


def xlsx(rows: list[list[Any]], title: str = "整改台账") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return to_bytes(book)


def to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client: Client, content: bytes) -> HttpResponse:
    file = SimpleUploadedFile("ledger.xlsx", content, XLSX)
    return client.post("/ledger/import/", {"file": file}, HTTP_ACCEPT_LANGUAGE="en")  # type: ignore[return-value]


def run(actors: Actors, rows: list[list[Any]], user: User | None = None) -> LedgerImportReport:
    with translation.override("en"):
        return import_ledger(io.BytesIO(xlsx(rows)), actor=user or actors.dispatcher)


def cells(**values: Any) -> list[Any]:
    """One sheet row in the ledger layout, by column key."""
    row: list[Any] = [None] * len(COLUMNS)
    for key, value in values.items():
        row[COL[key]] = value
    return row


def counts() -> dict[str, int]:
    return {
        "issues": Issue.objects.count(),
        "events": IssueEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


# --- export → edit → import --------------------------------------------------------------------------


def test_edited_deadline_leader_and_co_units_are_imported_and_shown_on_the_timeline(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    issue = new_issue(actors, campaign)
    other = new_issue(actors, campaign, title="西村河道整治")
    wang = second_leader(actors)
    book = export(client, actors.dispatcher)
    sheet = book.worksheets[0]
    number = row_of(book, issue)
    new_deadline = today() + timedelta(days=90)
    sheet.cell(number, COL["deadline"] + 1).value = new_deadline
    sheet.cell(number, COL["leader"] + 1).value = "王领导"
    sheet.cell(number, COL["co_units"] + 1).value = "区住建局、T1"  # by name or code, 、 or ,

    response = upload(client, to_bytes(book))

    assert response.status_code == 200
    assert "Items created: 0, updated: 1, unchanged: 1." in response.text
    issue.refresh_from_db()
    assert (issue.deadline, issue.leader, issue.version) == (new_deadline, wang, 2)
    assert set(issue.co_units.all()) == {actors.housing, actors.town}
    edit = issue.events.get(kind=EventKind.EDITED)
    assert set(edit.data["fields"]) == {"deadline", "leader", "co_units"}
    assert edit.actor == actors.dispatcher and edit.note
    assert AuditEvent.objects.filter(action="ledger.issue.edit", object_id=str(issue.pk)).exists()
    assert AuditEvent.objects.get(action="ledger.import").detail["updated"] == 1
    assert not other.events.filter(kind=EventKind.EDITED).exists()


def test_a_row_without_item_number_opens_an_inspection_finding(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    book = export(client, actors.dispatcher)
    deadline = today() + timedelta(days=10)
    book.worksheets[0].append(
        cells(
            campaign="QZLX",
            title="学校食堂卫生不达标",
            finding_ref="督导组通报第3期",
            planned_track="立即改",
            lead_unit="区教育局",
            co_units="区住建局, 海城镇",
            leader="郑领导",
            deadline=deadline,
            tags="食品安全,学校",
        )
    )

    response = upload(client, to_bytes(book))

    assert response.status_code == 200
    assert "Items created: 1, updated: 0, unchanged: 0." in response.text
    issue = Issue.objects.get()
    assert (issue.source, issue.finding_ref, issue.track, issue.original_track) == (
        IssueSource.INSPECTION,
        "督导组通报第3期",
        Track.FIX_NOW,
        Track.FIX_NOW,
    )
    assert (issue.lead_unit, issue.leader, issue.deadline, issue.tags) == (
        actors.edu,
        actors.leader,
        deadline,
        "食品安全,学校",
    )
    assert set(issue.co_units.all()) == {actors.housing, actors.town}
    assert issue.events.filter(kind=EventKind.CREATED).exists()


def test_a_new_row_without_notice_is_found_by_the_unit_itself(actors: Actors, campaign: Campaign) -> None:
    deadline = today() + timedelta(days=10)
    row = cells(
        campaign="群众路线教育实践活动",
        title="办事大厅排队时间长",
        planned_track="fix_in_campaign",
        lead_unit="EDU",
        leader="leader",
        deadline=deadline.isoformat(),
    )

    report = run(actors, [ENGLISH, row])

    assert report.ok, report.errors
    issue = Issue.objects.get()
    assert (issue.source, issue.track, issue.campaign) == (IssueSource.OWN, Track.FIX_IN_CAMPAIGN, campaign)


def test_an_unchanged_export_imports_back_as_nothing_changed(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    new_issue(actors, campaign, title='=HYPERLINK("x")', co_units=[actors.housing, actors.town], tags="a, b")
    sign_off(actors, new_issue(actors, campaign, title="已销号事项"))
    late = new_issue(
        actors, campaign, track=Track.FIX_IN_CAMPAIGN, title="逾期事项", deadline=date(2026, 1, 5)
    )
    rules.convert_to_long_term(late, actor=actors.dispatcher, reason="需要三年资金投入")
    new_issue(
        actors,
        campaign,
        source=IssueSource.INSPECTION,
        finding_ref="督导组通报第1期",
        description="多行\n说明",
    )
    # Two leaders and two units share a name: the sheet writes "name（code）" so each reads back as itself.
    twin = second_leader(actors, name="郑领导", username="leader_twin")
    create_unit(code="EDU2", name="区教育局", kind=UnitKind.DEPARTMENT, parent=actors.district, actor=None)
    new_issue(actors, campaign, title="同名领导", leader=twin)
    before = counts()
    versions = dict(Issue.objects.values_list("id", "version"))

    for language in ("zh-hans", "en"):
        book = export(client, actors.dispatcher, language)
        assert len(data_rows(book)) == 5
        response = upload(client, to_bytes(book))
        assert response.status_code == 200, response.text
        assert "Items created: 0, updated: 0, unchanged: 5." in response.text

    assert dict(Issue.objects.values_list("id", "version")) == versions
    assert counts()["events"] == before["events"]


# --- bad input ---------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_at_its_row_and_column_and_nothing_is_saved(
    actors: Actors, campaign: Campaign
) -> None:
    open_item = new_issue(actors, campaign, track=Track.FIX_IN_CAMPAIGN)
    second = new_issue(actors, campaign, title="第二个事项")
    done = sign_off(actors, new_issue(actors, campaign, title="已销号"))
    future = (today() + timedelta(days=20)).isoformat()
    new = {
        "campaign": "QZLX",
        "title": "新事项",
        "planned_track": "Fix now",
        "lead_unit": "区教育局",
        "leader": "郑领导",
        "deadline": future,
    }
    rows = [
        ["整改台账：全部事项（导出日期：2026-11-29）"],  # the title row of an export is skipped
        ENGLISH,
        exported_row(actors, open_item, title="改了名称"),  # valid on its own: still not saved
        cells(**{**new, "lead_unit": "区文旅局"}),
        cells(**{**new, "leader": "张三"}),
        cells(**{**new, "campaign": "XYZ"}),
        cells(**{**new, "title": ""}),
        cells(**{**new, "deadline": "2000-01-01"}),
        cells(**{**new, "deadline": "明年"}),
        exported_row(actors, open_item, id=999_999),
        exported_row(actors, open_item),
        exported_row(actors, done, deadline=future),
        cells(**{**new, "co_units": "区教育局、不存在的单位"}),
        cells(**{**new, "finding_ref": "", "source": "Inspection finding"}),
        exported_row(actors, second, title=""),
    ]
    before = counts()

    report = run(actors, rows)

    places = [(e.row, e.column) for e in report.errors]
    assert places == [
        (4, "Leading unit"),
        (5, "Supervising leader"),
        (6, "Campaign"),
        (7, "Item title"),
        (8, "Completion deadline"),
        (9, "Completion deadline"),
        (10, "Item no."),
        (11, "Item no."),
        (12, "Item no."),
        (13, "Co-operating units"),
        (14, "Inspection notice"),
        (15, "Item title"),
    ]
    messages = [e.message for e in report.errors]
    assert "区文旅局" in messages[0] and "张三" in messages[1] and "XYZ" in messages[2]
    assert "cannot be in the past" in messages[4] and "明年" in messages[5]
    assert "999999" in messages[6] and "first at row 3" in messages[7]
    assert "signed-off" in messages[8] and "不存在的单位" in messages[9]
    assert "Write what is to be rectified." in messages[11]
    assert counts() == before
    open_item.refresh_from_db()
    assert open_item.title == "东村路灯长期不亮" and open_item.version == 1


def test_a_changed_track_is_refused_with_a_pointer_to_the_item_page(
    actors: Actors, campaign: Campaign
) -> None:
    item = new_issue(actors, campaign, track=Track.FIX_IN_CAMPAIGN)

    report = run(actors, [ENGLISH, exported_row(actors, item, planned_track="立即改", track="常态整改")])

    assert [(e.row, e.column) for e in report.errors] == [(2, "Planned track"), (2, "Current track")]
    assert "Became long-term work" in report.errors[0].message
    item.refresh_from_db()
    assert (item.track, item.version) == (Track.FIX_IN_CAMPAIGN, 1)


def test_an_ambiguous_leader_name_asks_for_the_login_name(actors: Actors, campaign: Campaign) -> None:
    item = new_issue(actors, campaign)
    second_leader(actors, name="王领导", username="wang1")
    second_leader(actors, name="王领导", username="wang2")

    report = run(actors, [ENGLISH, exported_row(actors, item, leader="王领导")])
    assert [(e.row, e.column) for e in report.errors] == [(2, "Supervising leader")]
    assert "login name" in report.errors[0].message

    assert run(actors, [ENGLISH, exported_row(actors, item, leader="王领导（wang2）")]).ok
    item.refresh_from_db()
    assert item.leader.get_username() == "wang2"


def test_an_item_changed_after_the_export_is_not_overwritten(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    item = new_issue(actors, campaign)
    book = export(client, actors.dispatcher)
    rules.edit_issue(item, actor=actors.leader, deadline=today() + timedelta(days=50))
    book.worksheets[0].cell(row_of(book, item), COL["title"] + 1).value = "改了名称"

    response = upload(client, to_bytes(book))

    assert response.status_code == 400
    assert escape("was changed by someone else after this sheet was exported") in response.text
    item.refresh_from_db()
    assert (item.title, item.deadline) == ("东村路灯长期不亮", today() + timedelta(days=50))


def test_an_item_outside_the_importers_scope_is_not_found(actors: Actors, campaign: Campaign) -> None:
    theirs = new_issue(actors, campaign, lead_unit=actors.housing, title="住建局的事项")
    head = actors.head_edu
    head.user_permissions.add(Permission.objects.get(codename="add_issue", content_type__app_label="ledger"))
    head = User.objects.get(pk=head.pk)  # a fresh user: permissions are cached

    report = run(actors, [ENGLISH, cells(id=theirs.pk, title="改别人的事项")], user=head)

    assert [(e.row, e.column) for e in report.errors] == [(2, "Item no.")]
    assert "no item" in report.errors[0].message
    theirs.refresh_from_db()
    assert theirs.title == "住建局的事项"


def test_the_lead_unit_stays_once_sign_off_is_requested(actors: Actors, campaign: Campaign) -> None:
    item = new_issue(actors, campaign)
    rules.submit_for_signoff(item, actor=actors.handler_edu, evidence="已整改")

    report = run(actors, [ENGLISH, exported_row(actors, item, lead_unit="区住建局")])

    assert [(e.row, e.column) for e in report.errors] == [(2, "Leading unit")]
    assert Issue.objects.get(pk=item.pk).lead_unit == actors.edu


def test_files_that_are_not_the_ledger_are_reported(actors: Actors, client: Client) -> None:
    client.force_login(actors.dispatcher)
    assert upload(client, b"PK\x03\x04 truncated").status_code == 400
    report = run(actors, [["姓名", "电话"], ["王大海", "13900001111"]])
    assert [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert "header row" in report.errors[0].message
    report = run(actors, [[*ENGLISH, "Remarks"]])
    assert [e.column for e in report.errors] == ["", "Remarks"]  # no rows; an unknown column


# --- headers in either language ------------------------------------------------------------------------


@pytest.mark.parametrize("header", [ENGLISH, CHINESE], ids=["english", "chinese"])
def test_english_and_chinese_headers_both_import(
    actors: Actors, campaign: Campaign, header: list[str]
) -> None:
    row = cells(
        campaign="QZLX",
        title="渔港码头照明不足",
        planned_track="边学边改",
        lead_unit="海城镇",
        leader="郑领导",
        deadline=today() + timedelta(days=40),
    )

    report = run(actors, [header, row])

    assert report.ok, report.errors
    assert Issue.objects.get().lead_unit == actors.town


# --- export: filters, scope, layout, queries -------------------------------------------------------


def test_export_follows_the_page_filters_and_the_users_scope(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    new_issue(actors, campaign, title="教育局立即改")
    new_issue(actors, campaign, title="教育局边学边改", track=Track.FIX_IN_CAMPAIGN)
    new_issue(actors, campaign, title="住建局的事项", lead_unit=actors.housing)

    titles = [row[COL["title"]] for row in data_rows(export(client, actors.head_edu))]
    assert sorted(titles) == ["教育局立即改", "教育局边学边改"]  # 住建局's item is outside 教育局

    book = export(client, actors.dispatcher, campaign="QZLX", track="fix_now")
    assert sorted(row[COL["title"]] for row in data_rows(book)) == ["住建局的事项", "教育局立即改"]
    title = book.worksheets[0]["A1"].value
    assert "群众路线教育实践活动" in title and "Fix now" in title and today().isoformat() in title
    audit = AuditEvent.objects.filter(action="ledger.export").latest("id")
    assert audit.detail["filters"] == {"campaign": "QZLX", "track": "fix_now"} and audit.detail["rows"] == 2


def test_export_is_a_printable_ledger_sheet(client: Client, actors: Actors, campaign: Campaign) -> None:
    item = new_issue(actors, campaign, co_units=[actors.housing])
    rules.add_milestone(item, actor=actors.dispatcher, title="完成设计", due_on=today(), owner=actors.edu)

    sheet = export(client, actors.dispatcher).worksheets[0]

    assert [cell.value for cell in sheet[2]] == ENGLISH
    assert sheet.freeze_panes == "A3" and sheet.print_title_rows == "$2:$2"
    assert sheet.column_dimensions["C"].width == 32
    row: list[Any] = [cell.value for cell in sheet[3]]
    assert row[COL["deadline"]].date() == item.deadline
    assert (row[COL["lead_unit"]], row[COL["co_units"]], row[COL["leader"]]) == (
        "区教育局",
        "区住建局",
        "郑领导",
    )
    assert (row[COL["progress"]], row[COL["state"]]) == ("0%", "Being rectified")


def test_export_reads_the_same_number_of_queries_for_3_or_30_items(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    client.force_login(actors.dispatcher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/ledger/export.xlsx").status_code == 200
        return len(captured)

    for n in range(3):
        new_issue(actors, campaign, title=f"事项{n}", co_units=[actors.housing, actors.town])
    few = queries()
    for n in range(27):
        item = new_issue(actors, campaign, title=f"更多事项{n}", co_units=[actors.town])
        rules.add_milestone(item, actor=actors.dispatcher, title="第一步", due_on=today(), owner=actors.edu)
    assert queries() == few


def test_template_download_is_an_empty_sheet_of_the_same_layout(client: Client, actors: Actors) -> None:
    client.force_login(actors.dispatcher)
    response = client.get("/ledger/import/", {"template": "1"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[2]] == ENGLISH
    assert sheet.max_row == 2  # the title row and the header row
    assert AuditEvent.objects.filter(action="ledger.import.template").exists()


def test_only_staff_who_make_items_may_import(client: Client, actors: Actors) -> None:
    client.force_login(actors.handler_edu)
    assert client.get("/ledger/import/").status_code == 403
    assert client.get("/ledger/export.xlsx").status_code == 200  # handlers see their unit's ledger
    client.force_login(actors.auditor)
    assert client.get("/ledger/import/").status_code == 403
    client.force_login(actors.member)
    assert client.get("/ledger/export.xlsx").status_code == 403
    client.force_login(actors.leader)
    page = client.get("/ledger/import/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'type="file"' in page.text


def test_ledger_page_links_to_the_export_with_its_filters(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    client.force_login(actors.dispatcher)
    page = client.get("/ledger/", {"campaign": "QZLX", "track": "fix_now"}).content.decode()
    assert escape("/ledger/export.xlsx?campaign=QZLX&track=fix_now") in page
    assert "/ledger/import/" in page


# --- edit_issue ----------------------------------------------------------------------------------------


def test_edit_issue_saves_only_what_changed(actors: Actors, campaign: Campaign) -> None:
    item = new_issue(actors, campaign, co_units=[actors.housing])

    same = rules.edit_issue(
        item, actor=actors.dispatcher, title=" 东村路灯长期不亮 ", co_units=[actors.housing]
    )
    assert same.version == 1 and not item.events.filter(kind=EventKind.EDITED).exists()

    changed = rules.edit_issue(item, actor=actors.dispatcher, expected_version=1, tags="路灯", co_units=[])
    assert changed.version == 2 and changed.tags == "路灯" and not changed.co_units.exists()
    assert item.events.get(kind=EventKind.EDITED).data["fields"] == ["tags", "co_units"]
    with pytest.raises(rules.ValidationError):  # a stale version
        rules.edit_issue(item, actor=actors.dispatcher, expected_version=1, tags="别的")


def test_edit_issue_refuses_a_deadline_before_a_planned_step_or_in_the_past(
    actors: Actors, campaign: Campaign
) -> None:
    item = new_issue(actors, campaign, track=Track.LONG_TERM, deadline=today() + timedelta(days=300))
    rules.add_milestone(
        item,
        actor=actors.dispatcher,
        title="完成施工",
        due_on=today() + timedelta(days=200),
        owner=actors.edu,
    )
    with pytest.raises(rules.ValidationError) as caught:
        rules.edit_issue(item, actor=actors.dispatcher, deadline=today() + timedelta(days=100))
    assert "deadline" in caught.value.message_dict
    with pytest.raises(rules.ValidationError):
        rules.edit_issue(item, actor=actors.dispatcher, deadline=today() - timedelta(days=1))
    with pytest.raises(rules.ValidationError):
        rules.edit_issue(item, actor=actors.dispatcher, leader=actors.dispatcher)  # not a leader
    assert Issue.objects.get(pk=item.pk).version == 1


def test_a_signed_off_item_can_no_longer_be_edited(actors: Actors, campaign: Campaign) -> None:
    done = sign_off(actors, new_issue(actors, campaign))
    assert done.state == IssueState.SIGNED_OFF
    with pytest.raises(rules.ValidationError):
        rules.edit_issue(done, actor=actors.dispatcher, title="改名")


# --- inspection findings entered by hand ---------------------------------------------------------------


def test_a_hand_entered_inspection_finding_needs_its_notice(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    client.force_login(actors.dispatcher)
    page = client.get("/ledger/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="source"' in page and 'name="finding_ref"' in page and 'name="co_units"' in page
    form = {
        "campaign": campaign.pk,
        "source": IssueSource.INSPECTION,
        "title": "窗口单位服务态度差",
        "track": Track.FIX_NOW,
        "lead_unit": actors.edu.pk,
        "co_units": [actors.housing.pk, actors.town.pk],
        "leader": actors.leader.pk,
        "deadline": (today() + timedelta(days=20)).isoformat(),
        "tags": "作风建设",
    }

    refused = client.post("/ledger/new/", form, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 400
    assert 'id="id_finding_ref_error"' in refused.text
    assert "Name the inspection notice this finding comes from." in refused.text
    assert not Issue.objects.exists()

    assert client.post("/ledger/new/", {**form, "finding_ref": "督导组通报第2期"}).status_code == 302
    issue = Issue.objects.get()
    assert (issue.source, issue.finding_ref, issue.tags) == (
        IssueSource.INSPECTION,
        "督导组通报第2期",
        "作风建设",
    )
    assert set(issue.co_units.all()) == {actors.housing, actors.town}


def test_an_item_made_of_appeals_asks_for_no_source(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    from minyi.appeals.tests.factories import new_appeal

    appeal = new_appeal(actors)
    client.force_login(actors.dispatcher)
    page = client.get("/ledger/new/", {"appeal": str(appeal.number)}).content.decode()
    assert 'name="source"' not in page and 'name="finding_ref"' not in page
    form = {
        "appeal": appeal.number,
        "campaign": campaign.pk,
        "title": "东村路灯整治",
        "track": Track.FIX_NOW,
        "lead_unit": actors.edu.pk,
        "leader": actors.leader.pk,
        "deadline": (today() + timedelta(days=20)).isoformat(),
    }
    assert client.post("/ledger/new/", form).status_code == 302
    assert Issue.objects.get().source == IssueSource.APPEALS
