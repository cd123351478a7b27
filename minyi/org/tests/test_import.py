"""The Excel import: every row checked, every error reported with its place, all or nothing written."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from minyi.audit.models import AuditEvent
from minyi.org.imports import ImportReport, import_workbook, template_workbook
from minyi.org.models import Household, Person, Unit
from minyi.testing import Actors

UNIT_HEADER = ["编码", "名称", "类型", "上级编码", "排序"]
PEOPLE_HEADER = ["姓名", "单位编码", "手机", "角色", "职务", "登录名"]
HOUSEHOLD_HEADER = ["户编码", "村社区编码", "户主", "电话", "地址", "人口"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Rows = list[list[Any]]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are English msgids; pin the language so a later Chinese catalogue leaves these tests alone.
    with translation.override("en"):
        yield


def xlsx(**sheets: Rows) -> bytes:
    """A workbook whose sheets (by name) hold the given rows, the first row being the header."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(actors: Actors, **sheets: Rows) -> ImportReport:
    return import_workbook(io.BytesIO(xlsx(**sheets)), actor=actors.admin)


def places(report: ImportReport) -> list[tuple[str, int, str]]:
    return [(e.sheet, e.row, e.column) for e in report.errors]


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "households": Household.objects.count(),
        "users": get_user_model().objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_valid_workbook_imports_units_people_and_households_with_paths_and_roles(actors: Actors) -> None:
    report = run(
        actors,
        单位=[
            UNIT_HEADER,
            ["T3V1", "新村", "村", "T3", None],  # the child comes before its parent
            ["T3V1B", "新村党支部", "党支部", "T3V1", ""],
            ["T3", "新城街道", "街道", "D", 3],
            ["T3C1", "新城社区", "community", "T3", None],
            ["SHIPYARD", "海滨船厂", "企业", "T1V1", 1],
        ],
        人员=[
            PEOPLE_HEADER,
            ["林新", "T3", "13800009999", "承办人", "科员", "linxin"],
            ["黄村", "T3V1", "0577-88888888", "干部", None, None],
            ["何区", "EDU", None, "handler", "", ""],
        ],
        住户=[
            HOUSEHOLD_HEADER,
            ["T3V1-001", "T3V1", "张三", 13900002222, "新村一组1号", 4],
            ["T3C1-001", "T3C1", "李四", None, None, None],
            ["T1V1-002", "T1V1", "王五", "0577-66668888", "东村二组", "2"],
        ],
    )

    assert report.ok, report.errors
    assert report.created == {"units": 5, "people": 3, "households": 3}
    town = Unit.objects.get(code="T3")
    assert (town.path, town.depth, town.parent, town.kind, town.sort) == (
        "/D/T3/",
        1,
        actors.district,
        "township",
        3,
    )
    village = Unit.objects.get(code="T3V1")
    assert (village.path, village.depth, village.parent, village.kind) == ("/D/T3/T3V1/", 2, town, "village")
    branch = Unit.objects.get(code="T3V1B")
    assert (branch.path, branch.depth, branch.parent, branch.kind) == (
        "/D/T3/T3V1/T3V1B/",
        3,
        village,
        "party_branch",
    )
    assert Unit.objects.get(code="T3C1").path == "/D/T3/T3C1/"
    assert Unit.objects.get(code="SHIPYARD").path == "/D/T1/T1V1/SHIPYARD/"

    lin = Person.objects.select_related("user").get(name="林新")
    assert (lin.unit, lin.role, lin.phone, lin.title) == (town, "handler", "13800009999", "科员")
    assert lin.user is not None and lin.user.username == "linxin"
    assert not lin.user.has_usable_password()
    assert list(lin.user.groups.values_list("name", flat=True)) == ["role:handler"]
    huang = Person.objects.get(name="黄村")
    assert (huang.unit, huang.role, huang.phone, huang.user) == (village, "cadre", "0577-88888888", None)
    assert Person.objects.get(name="何区").unit == actors.edu

    first = Household.objects.get(code="T3V1-001")
    assert (first.village, first.head_name, first.phone, first.size) == (village, "张三", "13900002222", 4)
    assert Household.objects.get(code="T3C1-001").size == 1
    assert Household.objects.get(code="T1V1-002").village == actors.village

    event = AuditEvent.objects.filter(action="org.import").get()
    assert event.actor == actors.admin
    assert event.detail["units"] == 5 and event.detail["people"] == 3 and event.detail["households"] == 3


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(actors: Actors) -> None:
    before = counts()

    report = run(
        actors,
        单位=[
            UNIT_HEADER,
            ["T3", "新城街道", "街道", "D", None],  # valid: still nothing may be written
            ["", "无编码村", "村", "T3", None],
            ["T3V1", "", "村", "T3", None],
            ["T3V2", "西新村", "城堡", "T3", "first"],
            [None, None, None, None, None],  # empty rows are skipped
            ["bad code!", "某村", "村", "T3", None],
        ],
        人员=[
            PEOPLE_HEADER,
            ["", "T3", None, "承办人", None, None],
            ["赵六", "NOPE", "12345", "干部", None, None],
            ["钱七", "T3", None, "县长", None, "bad name!"],
        ],
        住户=[
            HOUSEHOLD_HEADER,
            ["H-1", "T3", "张三", None, None, "many"],
            ["H-2", "T1V1", "", None, "x" * 201, 0],
        ],
    )

    assert not report.ok
    assert places(report) == [
        ("单位", 3, "编码"),
        ("单位", 4, "名称"),
        ("单位", 5, "类型"),
        ("单位", 5, "排序"),
        ("单位", 7, "编码"),
        ("人员", 2, "姓名"),
        ("人员", 3, "单位编码"),
        ("人员", 3, "手机"),
        ("人员", 4, "角色"),
        ("人员", 4, "登录名"),
        ("住户", 2, "村社区编码"),
        ("住户", 2, "人口"),
        ("住户", 3, "户主"),
        ("住户", 3, "地址"),
        ("住户", 3, "人口"),
    ]
    messages = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert messages[("单位", 3, "编码")] == "This cell must not be empty."
    assert "城堡" in messages[("单位", 5, "类型")]
    assert "NOPE" in messages[("人员", 3, "单位编码")]
    assert "households belong to a village or a community" in messages[("住户", 2, "村社区编码")]
    assert messages[("住户", 3, "地址")] == "At most 200 characters are allowed (this has 201)."
    assert report.created == {}
    assert counts() == before


def test_code_repeated_within_the_file_is_reported_on_each_later_row(actors: Actors) -> None:
    report = run(
        actors,
        单位=[
            UNIT_HEADER,
            ["T3", "新城街道", "镇", "D"],
            ["T4", "青城镇", "镇", "D"],
            ["T3", "又一个", "镇", "D"],
        ],
        住户=[
            HOUSEHOLD_HEADER,
            ["H-1", "T1V1", "张三"],
            ["H-1", "T1V1", "李四"],
            ["H-1", "T1V2", "王五"],
        ],
    )

    assert places(report) == [("单位", 4, "编码"), ("住户", 3, "户编码"), ("住户", 4, "户编码")]
    assert report.errors[0].message == "T3 appears more than once in this sheet (first at row 2)."
    assert not Unit.objects.filter(code__in=["T3", "T4"]).exists()


def test_codes_and_logins_already_in_the_database_are_reported(actors: Actors) -> None:
    before = counts()

    report = run(
        actors,
        单位=[UNIT_HEADER, ["EDU", "区教育局", "区直部门", "D"]],
        人员=[PEOPLE_HEADER, ["新管理员", "OFFICE", None, "管理员", None, "admin"]],
        住户=[HOUSEHOLD_HEADER, ["T1V1-001", "T1V1", "王大海"]],
    )

    assert [(e.sheet, e.row, e.column, e.message) for e in report.errors] == [
        ("单位", 2, "编码", "A unit with code EDU already exists."),
        ("人员", 2, "登录名", "The login admin already exists."),
        ("住户", 2, "户编码", "A household with code T1V1-001 already exists."),
    ]
    assert counts() == before


def test_login_repeated_within_the_file_is_reported(actors: Actors) -> None:
    report = run(
        actors,
        人员=[
            PEOPLE_HEADER,
            ["甲", "EDU", None, "干部", None, "same"],
            ["乙", "EDU", None, "干部", None, "same"],
        ],
    )

    assert places(report) == [("人员", 3, "登录名")]


def test_unknown_parent_unit_is_reported(actors: Actors) -> None:
    report = run(actors, 单位=[UNIT_HEADER, ["T9V1", "远村", "村", "T9"]])

    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "上级编码", "Unknown parent unit T9: it is neither in the system nor in this sheet.")
    ]


def test_unit_kind_not_allowed_under_its_parent_is_reported(actors: Actors) -> None:
    report = run(
        actors,
        单位=[
            UNIT_HEADER,
            ["EDUV", "教育村", "村", "EDU"],  # a village under a department (in the database)
            ["T3", "新城街道", "街道", "D"],
            ["T3T", "街道里的镇", "镇", "T3"],  # a township under a township (in the file)
            ["LOOSE", "无上级部门", "部门", None],  # only a district may have no parent
        ],
    )

    assert places(report) == [("单位", 2, "类型"), ("单位", 4, "类型"), ("单位", 5, "上级编码")]
    assert report.errors[0].message == "A Village cannot be placed under a Department."
    assert report.errors[2].message == "A Department needs a parent unit."


def test_parent_codes_that_loop_are_reported_on_every_unit_of_the_loop(actors: Actors) -> None:
    report = run(
        actors,
        单位=[
            UNIT_HEADER,
            ["A1", "甲", "区直部门", "B1"],
            ["B1", "乙", "区直部门", "A1"],
            ["C1", "丙", "区直部门", "C1"],
            ["OK1", "丁", "区直部门", "D"],
        ],
    )

    assert places(report) == [("单位", 2, "上级编码"), ("单位", 3, "上级编码"), ("单位", 4, "上级编码")]
    assert report.errors[0].message == "The parent codes form a loop (A1 → B1 → A1)."
    assert not Unit.objects.filter(code="OK1").exists()


def test_missing_and_unknown_columns_are_reported_on_the_header_row(actors: Actors) -> None:
    before = counts()

    report = run(
        actors,
        单位=[["编码", "名称", "类型", "备注"], ["T3", "新城街道", "镇", "x"]],
        住户=[["户编码", "村社区编码", "户主"], ["H-1", "T1V1", "张三"]],
    )

    assert [(e.sheet, e.row, e.column, e.message) for e in report.errors] == [
        (
            "单位",
            1,
            "备注",
            "Unknown column 备注; the columns of this sheet are 编码、名称、类型、上级编码、排序.",
        ),
        ("单位", 1, "上级编码", "Missing column 上级编码."),
    ]
    assert counts() == before


def test_same_sheet_twice_and_a_repeated_column_are_reported(actors: Actors) -> None:
    report = run(
        actors,
        单位=[UNIT_HEADER, ["T3", "新城街道", "镇", "D"]],
        Units=[UNIT_HEADER, ["T4", "青城镇", "镇", "D"]],
        人员=[[*PEOPLE_HEADER, "手机"], ["甲", "EDU", None, "干部", None, None, None]],
    )

    assert places(report) == [("Units", 0, ""), ("人员", 1, "手机")]
    assert report.errors[0].message == "Sheets 单位 and Units hold the same data; keep only one of them."


@pytest.mark.parametrize(
    "phone", ["1380000111", "138000011112", "12800001111", "88888888", "phone", "0577-888"]
)
def test_bad_phone_number_is_reported(actors: Actors, phone: str) -> None:
    report = run(
        actors,
        人员=[PEOPLE_HEADER, ["甲", "EDU", phone, "干部"]],
        住户=[HOUSEHOLD_HEADER, ["H-1", "T1V1", "张三", phone]],
    )

    assert places(report) == [("人员", 2, "手机"), ("住户", 2, "电话")]
    assert "0577-88888888" in report.errors[0].message


@pytest.mark.parametrize(
    "phone", ["13800001111", 13800001111, "138 0000 1111", "0577-88888888", "057788888888", "010-12345678"]
)
def test_mobile_and_landline_numbers_are_accepted(actors: Actors, phone: object) -> None:
    report = run(actors, 人员=[PEOPLE_HEADER, ["甲", "EDU", phone, "干部"]])

    assert report.ok, report.errors


def test_english_sheet_names_and_headers_are_accepted(actors: Actors) -> None:
    report = run(
        actors,
        Units=[["Code", "Name", "Kind", "Parent code", "Sort"], ["T3", "New Town", "Township", "D", 1]],
        People=[
            ["Name", "Unit code", "Phone", "Role", "Title", "Username"],
            ["Lin", "T3", "", "Dispatcher", "", ""],
        ],
        Households=[
            ["Code", "Village", "Head", "Phone", "Address", "Size"],
            ["T1V1-009", "T1V1", "Wang", "", "", 3],
        ],
    )

    assert report.ok, report.errors
    assert Unit.objects.get(code="T3").kind == "township"
    assert Person.objects.get(name="Lin").role == "dispatcher"


def test_workbook_without_any_known_sheet_is_an_error(actors: Actors) -> None:
    report = run(actors, Sheet1=[["a", "b"], [1, 2]])

    assert places(report) == [("", 0, "")]
    assert "单位" in report.errors[0].message


def test_damaged_file_is_reported_without_an_exception(actors: Actors) -> None:
    report = import_workbook(io.BytesIO(b"PK\x03\x04 this is no zip archive"), actor=actors.admin)

    assert [(e.sheet, e.row) for e in report.errors] == [("", 0)]
    assert "could not be read" in report.errors[0].message


def test_ten_thousand_households_import_with_a_bounded_number_of_queries(
    actors: Actors, django_assert_max_num_queries: Any
) -> None:
    rows: Rows = [HOUSEHOLD_HEADER]
    rows += [[f"T1V2-{n:05d}", "T1V2", f"户主{n}", "13900000000", f"西村{n}号", 3] for n in range(10_000)]
    data = io.BytesIO(xlsx(住户=rows))

    # Batched reads and inserts: a few dozen queries (SQLite caps parameters per INSERT), not one per row.
    with django_assert_max_num_queries(100):
        report = import_workbook(data, actor=actors.admin)

    assert report.created == {"units": 0, "people": 0, "households": 10_000}
    assert actors.village2.households.count() == 10_000


def test_import_page_imports_a_valid_workbook(actors: Actors, client: Client) -> None:
    client.force_login(actors.admin)
    upload = SimpleUploadedFile("org.xlsx", xlsx(单位=[UNIT_HEADER, ["T3", "新城街道", "镇", "D"]]), XLSX)

    response = client.post("/org/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert Unit.objects.get(code="T3").path == "/D/T3/"


def test_import_page_lists_row_errors_with_status_400(actors: Actors, client: Client) -> None:
    client.force_login(actors.admin)
    upload = SimpleUploadedFile("org.xlsx", xlsx(单位=[UNIT_HEADER, ["T9V1", "远村", "村", "T9"]]), XLSX)

    response = client.post("/org/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert escape("Unknown parent unit T9: it is neither in the system nor in this sheet.") in response.text
    assert not Unit.objects.filter(code="T9V1").exists()


def test_import_page_refuses_a_file_that_is_not_xlsx_with_status_400(actors: Actors, client: Client) -> None:
    client.force_login(actors.admin)
    before = counts()
    upload = SimpleUploadedFile("org.xlsx", "编码,名称\nT3,新城街道\n".encode(), XLSX)

    response = client.post("/org/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "This is not an Excel .xlsx workbook." in response.text
    assert counts() == before


def test_import_page_reports_a_damaged_xlsx_with_status_400(actors: Actors, client: Client) -> None:
    client.force_login(actors.admin)
    upload = SimpleUploadedFile("org.xlsx", b"PK\x03\x04 truncated", XLSX)

    response = client.post("/org/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "The file could not be read" in response.text


def test_handler_may_not_open_or_post_to_the_import_page(actors: Actors, client: Client) -> None:
    client.force_login(actors.handler_edu)
    before = counts()
    upload = SimpleUploadedFile("org.xlsx", xlsx(单位=[UNIT_HEADER, ["T3", "新城街道", "镇", "D"]]), XLSX)

    assert client.get("/org/import/").status_code == 403
    assert client.post("/org/import/", {"file": upload}).status_code == 403
    assert client.get("/org/import/template.xlsx").status_code == 403
    assert counts() == before


def test_template_download_has_the_three_sheets_with_bold_headers(actors: Actors, client: Client) -> None:
    client.force_login(actors.admin)

    response = client.get("/org/import/template.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["单位", "人员", "住户"]
    headers = {ws.title: [cell.value for cell in ws[1]] for ws in workbook.worksheets}
    assert headers == {"单位": UNIT_HEADER, "人员": PEOPLE_HEADER, "住户": HOUSEHOLD_HEADER}
    assert all(cell.font.bold for ws in workbook.worksheets for cell in ws[1])
    assert all(ws.max_row == 1 for ws in workbook.worksheets)


def test_empty_template_imports_nothing_and_says_so(actors: Actors) -> None:
    report = import_workbook(io.BytesIO(template_workbook()), actor=actors.admin)

    assert [(e.sheet, e.row, e.message) for e in report.errors] == [
        ("", 0, "There is nothing to import: the sheets hold no rows.")
    ]
