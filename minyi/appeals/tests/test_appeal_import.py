"""The Excel import of appeals: every row checked, every error reported with its row, all or nothing."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from minyi.appeals import rules
from minyi.appeals.choices import Channel, Kind, State, Urgency
from minyi.appeals.imports import AppealImportReport, import_appeals, template_workbook
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import new_appeal
from minyi.audit.models import AuditEvent
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

HEADER = [
    "渠道",
    "类型",
    "紧急程度",
    "标题",
    "内容",
    "镇街",
    "村社区",
    "地址",
    "姓名",
    "电话",
    "受理时间",
    "来源编号",
    "反映单位",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Rows = list[list[Any]]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are English msgids; pin the language so a later Chinese catalogue leaves these tests alone.
    with translation.override("en"):
        yield


def xlsx(rows: Rows, header: list[str] = HEADER, sheet: str = "诉求") -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    worksheet.append(header)
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(actors: Actors, rows: Rows, **kwargs: Any) -> AppealImportReport:
    return import_appeals(io.BytesIO(xlsx(rows, **kwargs)), actor=actors.operator)


def row(**cells: Any) -> list[Any]:
    """One sheet row from cells named by their Chinese header (missing ones empty)."""
    return [cells.get(name, "") for name in HEADER]


def good_rows() -> Rows:
    return [
        row(
            渠道="来信",
            类型="投诉",
            紧急程度="紧急",
            标题="东村路灯坏了",
            内容="东村三组路灯坏了三个月。",
            镇街="海城镇",
            村社区="T1V1",
            地址="东村三组",
            姓名="王五",
            电话="13800001111",
            受理时间=datetime.fromisoformat("2024-05-01T09:30"),  # Excel dates carry no zone
            来源编号="XF-001",
            反映单位="EDU",
        ),
        row(渠道="hotline", 类型="suggestion", 标题="建议增加公交班次", 内容="青山镇公交太少。", 镇街="T2"),
        row(
            类型="求助",
            紧急程度="一般",
            标题="南村老人看病难",
            内容="南村没有卫生室。",
            村社区="南村",
            姓名="赵六",
            电话="0577 88888888",
            受理时间="2024-06-02",
        ),
    ]


def places(report: AppealImportReport) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in report.errors]


def test_valid_file_imports_every_row_with_its_fields(actors: Actors) -> None:
    report = run(actors, good_rows())
    assert report.ok, report.errors
    assert report.created == {"appeals": 3}
    assert Appeal.objects.count() == 3

    letter = Appeal.objects.get(external_ref="XF-001")
    assert (letter.channel, letter.kind, letter.urgency) == (Channel.LETTER, Kind.COMPLAINT, Urgency.URGENT)
    assert (letter.township, letter.village) == (actors.town, actors.village)
    assert (letter.citizen_name, letter.citizen_phone, letter.address) == ("王五", "13800001111", "东村三组")
    assert letter.concerns_unit == actors.edu
    assert timezone.localtime(letter.received_at).strftime("%Y-%m-%d %H:%M") == "2024-05-01 09:30"
    assert letter.recorded_by == actors.operator
    assert letter.state == State.RECEIVED

    call = Appeal.objects.get(title="建议增加公交班次")
    assert (call.channel, call.kind, call.township, call.village) == (
        Channel.HOTLINE,
        Kind.SUGGESTION,
        actors.other_town,
        None,
    )
    assert abs((call.received_at - timezone.now()).total_seconds()) < 60  # empty: now

    paper = Appeal.objects.get(title="南村老人看病难")
    assert paper.channel == Channel.IMPORT  # empty channel: imported
    assert paper.township == actors.other_town  # from the village
    assert paper.citizen_phone == "0577-88888888"

    for receipt in report.receipts:
        appeal = rules.find_for_citizen(receipt.number, receipt.query_code)
        assert appeal is not None and appeal.title == receipt.title
    assert [r.row for r in report.receipts] == [2, 3, 4]
    assert report.receipts[0].name == "王*"  # masked in the download
    assert (
        AuditEvent.objects.filter(action="appeals.import", actor=actors.operator).get().detail["created"] == 3
    )
    assert AuditEvent.objects.filter(action="appeals.received").count() == 3


def test_english_headers_are_accepted(actors: Actors) -> None:
    header = ["Channel", "Kind", "Title", "Body", "Township", "External_Ref"]
    report = run(actors, [["walk_in", "praise", "表扬镇政府", "办事很快。", "T1", "A-1"]], header=header)
    assert report.ok, report.errors
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.kind, appeal.township, appeal.external_ref) == (
        Channel.WALK_IN,
        Kind.PRAISE,
        actors.town,
        "A-1",
    )


def test_file_with_several_bad_rows_reports_them_all_and_saves_nothing(actors: Actors) -> None:
    rows = good_rows()
    rows.append(["广播", "", "", "", "内容", "", "", "", "", "12345", "", "", ""])  # row 5: four problems
    rows.append(["热线", "投诉", "", "标" * 101, "内容", "青山镇", "东村", "", "", "", "", "", ""])  # row 6
    future = timezone.localtime() + timedelta(days=2)
    rows.append(
        ["热线", "投诉", "", "标题", "内容", "", "", "", "", "", future.replace(tzinfo=None), "", "XX"]
    )
    report = run(actors, rows)

    assert not report.ok
    assert Appeal.objects.count() == 0
    assert not AuditEvent.objects.filter(action="appeals.import").exists()
    assert places(report) == [
        (5, "渠道"),
        (5, "类型"),
        (5, "标题"),
        (5, "电话"),
        (6, "标题"),
        (6, "村社区"),
        (7, "受理时间"),
        (7, "反映单位"),
    ]
    messages = [error.message for error in report.errors]
    assert "Unknown value 广播" in messages[0]
    assert messages[1] == "This cell must not be empty."
    assert "is not a phone number" in messages[3]
    assert "at most 100 characters" in messages[4]
    assert messages[5] == "This village or community is not in the chosen township."
    assert messages[6] == "The time received cannot be in the future."
    assert "Unknown unit XX" in messages[7]


def test_duplicate_source_reference_is_refused(actors: Actors) -> None:
    earlier = new_appeal(actors, channel=Channel.LETTER, external_ref="XF-001")
    rows = good_rows()
    rows.append(row(渠道="热线", 类型="投诉", 标题="又一件", 内容="内容", 来源编号="H-9"))
    rows.append(row(渠道="热线", 类型="投诉", 标题="同一件", 内容="内容", 来源编号="H-9"))
    report = run(actors, rows)
    assert places(report) == [(2, "来源编号"), (6, "来源编号")]
    assert "Already imported" in report.errors[0].message
    assert str(earlier.number) in report.errors[0].message
    assert "first at row 5" in report.errors[1].message
    assert Appeal.objects.count() == 1


def test_same_reference_from_another_channel_is_another_appeal(actors: Actors) -> None:
    new_appeal(actors, channel=Channel.HOTLINE, external_ref="XF-001")
    assert run(actors, good_rows()).ok


def test_missing_and_unknown_columns_are_reported(actors: Actors) -> None:
    report = run(actors, [["投诉", "x"]], header=["类型", "备注"])
    assert not report.ok
    messages = [error.message for error in report.errors]
    assert any("Unknown column 备注" in m for m in messages)
    assert "Missing column 标题." in messages
    assert "Missing column 内容." in messages


def test_a_file_that_is_not_a_workbook_is_refused(actors: Actors) -> None:
    report = import_appeals(io.BytesIO(b"PK\x03\x04 not really a zip"), actor=actors.operator)
    assert [error.row for error in report.errors] == [0]
    assert "could not be read" in report.errors[0].message


def test_an_empty_sheet_is_refused(actors: Actors) -> None:
    report = run(actors, [])
    assert report.errors[0].message == "There is nothing to import: the sheets hold no rows."


def test_the_template_round_trips(actors: Actors) -> None:
    workbook = load_workbook(io.BytesIO(template_workbook()))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert len(workbook.worksheets) == 2  # the second sheet lists the accepted values
    sheet.append(good_rows()[0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    assert import_appeals(buffer, actor=actors.operator).ok


# --- through HTTP ------------------------------------------------------------------------------------


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("appeals.xlsx", content, content_type=XLSX)


def test_operator_imports_and_downloads_numbers_and_codes_once(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    assert client.get("/appeals/intake/import/").status_code == 200
    response = client.post(
        "/appeals/intake/import/", {"file": upload(xlsx(good_rows()))}, headers={"accept-language": "en"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Imported 3 appeals." in page
    assert response["Cache-Control"].startswith("max-age=0")  # never cached: it holds the codes

    data_url = re.search(r'href="data:[^;]+;base64,([^"]+)" download', page)
    assert data_url
    sheet = load_workbook(io.BytesIO(base64.b64decode(data_url.group(1)))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    for receipt in rows:
        number, code = receipt[5], receipt[6]
        assert rules.find_for_citizen(str(number), str(code)) is not None


def test_import_with_errors_answers_400_and_lists_them(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    rows = [row(渠道="热线", 类型="投诉", 内容="内容")]
    response = client.post(
        "/appeals/intake/import/", {"file": upload(xlsx(rows))}, headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 error found; nothing was imported." in page
    assert "<td>2</td><td>标题</td>" in page
    assert not Appeal.objects.exists()


def test_import_refuses_a_file_that_is_not_excel(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    fake = SimpleUploadedFile("appeals.xlsx", b"name,title\n", content_type=XLSX)
    response = client.post("/appeals/intake/import/", {"file": fake})
    assert response.status_code == 400
    assert not Appeal.objects.exists()


def test_handler_may_not_import(client: Client, actors: Actors) -> None:
    client.force_login(actors.handler_edu)
    assert client.get("/appeals/intake/import/").status_code == 403
    assert client.post("/appeals/intake/import/", {"file": upload(xlsx(good_rows()))}).status_code == 403
    assert client.get("/appeals/intake/import/template.xlsx").status_code == 403
    assert not Appeal.objects.exists()


def test_template_download(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    response = client.get("/appeals/intake/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER
