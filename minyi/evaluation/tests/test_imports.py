"""Paper forms typed into Excel: a good file is stored, a file with any bad row stores nothing and the
report names each bad row and column."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal
from minyi.evaluation import imports, rules
from minyi.evaluation.choices import Source
from minyi.evaluation.models import Response, Score
from minyi.evaluation.tests.conftest import CRITERIA, Setup
from minyi.evaluation.tests.helpers import empty_workbook, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def test_the_template_has_the_unit_the_criteria_and_the_comment(setup: Setup) -> None:
    import io

    book = load_workbook(io.BytesIO(imports.template_workbook(setup.form)))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header == ["被评议单位", *CRITERIA, "意见建议"]


def test_a_good_file_is_stored_with_scores_as_numbers_or_names(setup: Setup) -> None:
    upload = workbook(setup.form, [["T1", 5, 4.0, "满意", "希望多下村"], ["青山镇", "3", 2, 1, None]])
    report = imports.import_answers(setup.form, upload, actor=setup.actors.dispatcher)
    assert report.ok, report.errors
    assert report.created == {"answers": 2, "comments": 1}
    assert sorted(Score.objects.filter(unit=setup.actors.town).values_list("value", flat=True)) == [4, 4, 5]
    assert set(Response.objects.values_list("source", flat=True)) == {Source.PAPER}
    assert Appeal.objects.get(channel=Channel.EVALUATION).body == "希望多下村"


def test_each_bad_row_is_reported_and_nothing_is_stored(setup: Setup) -> None:
    upload = workbook(
        setup.form,
        [
            ["海城镇", 5, 5, 5, ""],  # good
            ["海城镇", 5, 6, 5, ""],  # 6 is outside the scale
            ["教育局", 4, 4, 4, ""],  # not a unit of the form
            ["青山镇", 4, None, 4, "意见"],  # a criterion left empty
            ["", 3, 3, "很好", ""],  # no unit, and an unknown score name
        ],
    )
    report = imports.import_answers(setup.form, upload, actor=setup.actors.dispatcher)
    assert not report.ok
    found = [(e.row, e.column, e.message) for e in report.errors]
    assert (3, "办事效率", "“6” is outside the scale 1–5.") in found
    assert (4, "被评议单位", "“教育局” is not a unit of this form.") in found
    assert (5, "办事效率", "Rate this criterion.") in found
    assert (6, "被评议单位", "Write the unit evaluated.") in found
    assert (6, "服务态度", "“很好” is outside the scale 1–5.") in found
    assert not [row for row, _c, _m in found if row == 2]
    assert not Response.objects.exists() and not Score.objects.exists()
    assert not Appeal.objects.filter(channel=Channel.EVALUATION).exists()


def test_wrong_columns_and_unreadable_files_are_refused(setup: Setup) -> None:
    upload = workbook(
        setup.form, [["海城镇", 5, 5, 5]], header=["被评议单位", "工作作风", "卫生", "意见建议"]
    )
    messages = [
        e.message for e in imports.import_answers(setup.form, upload, actor=setup.actors.dispatcher).errors
    ]
    assert "This column is not a criterion of the form." in messages
    assert any(m == "Columns missing for: 办事效率、服务态度." for m in messages)
    assert imports.import_answers(setup.form, empty_workbook(), actor=setup.actors.dispatcher).errors[
        0
    ].message == ("The sheet has no rows to import.")
    assert not Response.objects.exists()


def test_the_import_page_reports_errors_and_refuses_a_closed_form(setup: Setup) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(setup.actors.dispatcher)
    url = f"/evaluation/{setup.form.pk}/import/"
    assert client.get(f"{url}template.xlsx").status_code == 200
    bad = client.post(url, {"file": workbook(setup.form, [["海城镇", 5, 9, 5, ""]])})
    assert bad.status_code == 400 and "outside the scale" in bad.content.decode()
    not_excel = client.post(url, {"file": _named(b"hello", "x.xlsx")})
    assert not_excel.status_code == 400 and "not an Excel .xlsx workbook" in not_excel.content.decode()
    setup.form = rules.close_form(setup.form, actor=setup.actors.dispatcher)
    closed = client.post(url, {"file": workbook(setup.form, [["海城镇", 5, 5, 5, ""]])})
    assert closed.status_code == 400 and "only while the form is open" in closed.content.decode()
    assert not Response.objects.exists()
    assert Client().get(url).status_code == 302  # login first
    other = Client()
    other.force_login(setup.actors.head_edu)
    assert other.get(url).status_code == 403


def _named(data: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
