"""Results per unit and criterion: count, mean, distribution; a unit with fewer than five answers, or a
form not yet closed, shows no figures — on the page, in the JSON export and in the bulletin summary."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from minyi.evaluation import results, rules
from minyi.evaluation.rules import AnswerInput
from minyi.evaluation.tests.conftest import Setup, definition
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _answers(
    setup: Setup, town_scores: list[tuple[int, int, int]], other_scores: list[tuple[int, int, int]]
) -> None:
    answers = [AnswerInput(setup.rating(*s)) for s in town_scores]
    answers += [AnswerInput(setup.rating(*s, unit=setup.actors.other_town.pk)) for s in other_scores]
    rules.record_paper_answers(setup.form, answers, actor=setup.actors.dispatcher)


def test_units_with_five_answers_show_figures_and_smaller_groups_do_not(setup: Setup) -> None:
    _answers(setup, [(5, 4, 3), (5, 4, 3), (4, 4, 3), (3, 2, 3), (3, 1, 3)], [(5, 5, 5)] * 4)
    setup.form = rules.close_form(setup.form, actor=setup.actors.dispatcher)
    town, other = results.unit_results(setup.form, [setup.actors.town, setup.actors.other_town])
    assert town.shown and town.answers == 5
    assert [(c.criterion, c.count, c.mean) for c in town.cells] == [
        ("工作作风", 5, 4.0), ("办事效率", 5, 3.0), ("服务态度", 5, 3.0)
    ]  # fmt: skip
    assert town.cells[0].distribution == [
        (1, "很不满意", 0),
        (2, "不满意", 0),
        (3, "基本满意", 2),
        (4, "满意", 1),
        (5, "很满意", 2),
    ]
    assert town.mean == pytest.approx(3.33, abs=0.01)
    assert not other.shown and other.answers == 4 and other.cells == [] and other.mean is None

    page = _client(setup.actors.dispatcher).get(f"/evaluation/{setup.form.pk}/results/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Fewer than 5 answers — not shown." in html
    assert html.count('class="note hidden-group"') == 1
    data = _client(setup.actors.dispatcher).get(f"/evaluation/{setup.form.pk}/results.json").json()
    by_code = {row["code"]: row for row in data["units"]}
    assert by_code["T2"] == {
        "unit": "青山镇",
        "code": "T2",
        "answers": 4,
        "shown": False,
        "mean": None,
        "criteria": [],
    }
    assert by_code["T1"]["criteria"][0]["distribution"] == {"1": 0, "2": 0, "3": 2, "4": 1, "5": 2}
    export = _client(setup.actors.dispatcher).get(f"/evaluation/{setup.form.pk}/results.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows[0][:4] == ["海城镇", "工作作风", 5, 4.0] and rows[0][4:] == [0, 0, 2, 1, 2]
    assert rows[-1][:4] == ["青山镇", None, 4, "Fewer than 5 answers — not shown."]


def test_figures_wait_until_the_form_is_closed(setup: Setup) -> None:
    _answers(setup, [(5, 5, 5)] * 6, [])
    [town, _other] = results.unit_results(setup.form, [setup.actors.town, setup.actors.other_town])
    assert town.answers == 6 and not town.shown
    html = _client(setup.actors.dispatcher).get(f"/evaluation/{setup.form.pk}/results/").content.decode()
    assert 'id="not-closed"' in html and 'class="mean"' not in html


def test_the_unit_head_sees_only_their_own_units_results(setup: Setup) -> None:
    actors: Actors = setup.actors
    form = rules.create_form(
        rules.Definition(title="部门评议", units=[actors.edu, actors.housing], criteria=["作风"],
                         opens_on=setup.form.opens_on, closes_on=setup.form.closes_on),
        actor=actors.dispatcher,
    )  # fmt: skip
    rules.open_form(form, actor=actors.dispatcher)
    criterion = form.criteria.get().pk
    answers = [AnswerInput({actors.edu.pk: {criterion: 4}, actors.housing.pk: {criterion: 2}})] * 5
    rules.record_paper_answers(form, answers, actor=actors.dispatcher)
    rules.close_form(form, actor=actors.dispatcher)
    head = _client(actors.head_edu)
    data = head.get(f"/evaluation/{form.pk}/results.json").json()
    assert [row["code"] for row in data["units"]] == ["EDU"]
    assert data["units"][0]["mean"] == 4.0
    assert head.get(f"/evaluation/{setup.form.pk}/results/").status_code == 404  # a form about townships
    assert _client(actors.handler_edu).get(f"/evaluation/{form.pk}/results/").status_code == 403
    listed = head.get("/evaluation/").content.decode()
    assert "部门评议" in listed and "群众满意度测评" not in listed


def test_summary_for_the_bulletin_counts_forms_and_answers_and_hides_small_groups(setup: Setup) -> None:
    _answers(setup, [(4, 4, 4)] * 5, [(2, 2, 2)] * 3)
    setup.form = rules.close_form(setup.form, actor=setup.actors.dispatcher)
    summary = results.summary()
    assert summary["forms"] == 1 and summary["answers"] == 8
    means = {row["unit"]: row["mean"] for row in summary["units"]}
    assert means == {"海城镇": 4.0, "青山镇": None}


def test_the_results_page_costs_the_same_queries_for_more_answers(setup: Setup) -> None:
    small = rules.create_form(definition(setup.actors, title="小表"), actor=setup.actors.dispatcher)
    rules.open_form(small, actor=setup.actors.dispatcher)
    criteria = [c.pk for c in small.criteria.all()]
    rules.record_paper_answers(
        small,
        [AnswerInput({setup.actors.town.pk: dict.fromkeys(criteria, 4)})] * 5,
        actor=setup.actors.dispatcher,
    )
    rules.close_form(small, actor=setup.actors.dispatcher)
    _answers(setup, [(4, 4, 4), (5, 5, 5)] * 20, [(3, 3, 3)] * 30)
    rules.close_form(setup.form, actor=setup.actors.dispatcher)
    client = _client(setup.actors.dispatcher)
    client.get(f"/evaluation/{small.pk}/results/")  # warm the session and the permission caches
    counts = []
    for form in (small, setup.form):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/evaluation/{form.pk}/results/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 16
