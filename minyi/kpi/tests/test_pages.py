"""The KPI pages and command through their front doors: who may see them, the ranking table with its
formulas, the drill-down listing exactly the records counted (within what the user may see), bad
input, the Excel export and ``manage.py kpi ranking --json``."""

from __future__ import annotations

import io
import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from minyi.appeals.choices import Satisfaction
from minyi.appeals.models import Appeal
from minyi.kpi import summary
from minyi.kpi.choices import Metric
from minyi.kpi.tests.builders import PERIOD, Staff, answer, follow_up, housing_head, ledger_items, person
from minyi.org.choices import Role
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
DATES = {"from": PERIOD.first.isoformat(), "to": PERIOD.last.isoformat()}


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def numbers(html: str) -> set[str]:
    """The tracking numbers a drill-down lists (each links to the appeal)."""
    return set(re.findall(r'href="/appeals/([0-9]+)/"', html))


def no(appeal: Appeal) -> str:
    assert appeal.number
    return appeal.number


@pytest.fixture
def edu(actors: Actors) -> Staff:
    return Staff(actors.edu, actors.handler_edu, actors.head_edu)


@pytest.fixture
def housing(actors: Actors) -> Staff:
    return Staff(actors.housing, actors.handler_housing, housing_head(actors))


@pytest.fixture
def story(actors: Actors, edu: Staff, housing: Staff) -> dict[str, Appeal]:
    """Twelve EDU answers followed up (ten satisfied, one of them about the officials of the hotline
    office, 回避), one that went on from EDU to HOUSING, and one HOUSING answer (satisfied)."""
    appeals = {f"edu{i}": follow_up(actors, answer(actors, edu), Satisfaction.SATISFIED) for i in range(9)}
    # The office's own dispatcher and operator may not touch it: a district-level dispatcher hands it
    # on and the citizen rates the answer online.
    district_dispatcher = person(actors, "dispatcher_d", actors.district, Role.DISPATCHER)
    about_office = answer(actors, edu, by=district_dispatcher, concerns_unit=actors.office)
    appeals["recused"] = follow_up(actors, about_office, Satisfaction.SATISFIED, online=True)
    appeals["unhappy"] = follow_up(actors, answer(actors, edu), Satisfaction.UNSATISFIED)
    moved_on = follow_up(actors, answer(actors, edu), Satisfaction.UNSATISFIED)
    appeals["moved_on"] = follow_up(actors, answer(actors, housing, moved_on), Satisfaction.SATISFIED)
    appeals["housing"] = follow_up(actors, answer(actors, housing), Satisfaction.SATISFIED)
    return appeals


# --- who may see -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "dispatcher", "head_edu", "auditor"])
def test_leaders_dispatchers_unit_heads_and_auditors_see_the_ranking(actors: Actors, who: str) -> None:
    client = client_of(getattr(actors, who))
    assert client.get(reverse("kpi:ranking"), headers=EN).status_code == 200
    assert reverse("kpi:ranking") in client.get(reverse("home"), headers=EN).content.decode()


@pytest.mark.parametrize("who", ["handler_edu", "operator", "member", "nobody"])
def test_other_roles_may_not_see_the_ranking(actors: Actors, who: str) -> None:
    client = client_of(getattr(actors, who))
    assert client.get(reverse("kpi:ranking"), headers=EN).status_code == 403
    assert client.get(reverse("kpi:records", args=["EDU", "satisfaction"]), headers=EN).status_code == 403
    assert reverse("kpi:ranking") not in client.get(reverse("home"), headers=EN).content.decode()


def test_the_ranking_needs_a_login(client: Client) -> None:
    assert client.get(reverse("kpi:ranking")).status_code == 302


# --- the ranking page --------------------------------------------------------------------------


def test_the_ranking_lists_ranked_units_then_the_ones_with_too_few(
    actors: Actors, story: dict[str, Appeal]
) -> None:
    html = client_of(actors.leader).get(reverse("kpi:ranking"), DATES, headers=EN).content.decode()
    ranked, too_few = html.split("Too few to rank (fewer than 10 in the denominator)")
    # EDU: 10 of its 11 final follow-ups satisfied (the one that went on to HOUSING counts there).
    assert "区教育局" in ranked and "10</a>/<a" in ranked and "= 90.9 %" in ranked
    # HOUSING: 2 of 2 satisfied = 100 %, yet below the minimum volume, so not above EDU.
    assert "区住建局" in too_few and "= 100.0 %" in too_few
    assert "Satisfaction rate = follow-ups in the period" in html  # the formulas are on the page
    assert "95 % Wilson score interval" in html.split('id="ranking-how"')[1]  # behind 怎么算的


def test_the_ranking_speaks_chinese_by_default(actors: Actors, story: dict[str, Appeal]) -> None:
    html = client_of(actors.leader).get(reverse("kpi:ranking"), DATES).content.decode()
    assert "区教育局" in html and 'lang="zh-hans"' in html


def test_every_number_links_to_the_records_behind_it(actors: Actors, story: dict[str, Appeal]) -> None:
    html = client_of(actors.leader).get(reverse("kpi:ranking"), DATES, headers=EN).content.decode()
    for metric in Metric.values:
        for part in ("numerator", "denominator"):
            url = reverse("kpi:records", args=["EDU", metric])
            assert f'href="{url}?from={DATES["from"]}&amp;to={DATES["to"]}&amp;part={part}"' in html


# --- the drill-down ----------------------------------------------------------------------------


def test_the_drill_down_lists_exactly_the_appeals_counted(actors: Actors, story: dict[str, Appeal]) -> None:
    url = reverse("kpi:records", args=["EDU", "satisfaction"])
    client = client_of(actors.leader)
    denominator = client.get(url, {**DATES, "part": "denominator"}, headers=EN).content.decode()
    edu = {no(a) for key, a in story.items() if key not in ("moved_on", "housing")}
    assert numbers(denominator) == edu
    assert "the 11 records in the denominator" in denominator
    numerator = client.get(url, {**DATES, "part": "numerator"}, headers=EN).content.decode()
    assert numbers(numerator) == edu - {no(story["unhappy"])}
    reopened = client.get(
        reverse("kpi:records", args=["EDU", "reopen"]), {**DATES, "part": "numerator"}, headers=EN
    ).content.decode()
    assert numbers(reopened) == {no(story["unhappy"]), no(story["moved_on"])}


def test_the_drill_down_reads_a_fixed_number_of_queries(
    actors: Actors, edu: Staff, story: dict[str, Appeal]
) -> None:
    url = reverse("kpi:records", args=["EDU", "on_time"])
    client = client_of(actors.leader)

    def queries() -> int:
        summary.refresh()  # what writes left to recount is not the page's own cost
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {**DATES, "part": "denominator"}, headers=EN).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(3):
        answer(actors, edu)
    assert queries() == few


def test_a_unit_head_sees_only_the_appeals_they_may_see(actors: Actors, story: dict[str, Appeal]) -> None:
    reopened = reverse("kpi:records", args=["EDU", "reopen"])
    # HOUSING's head sees, of EDU's rejected answers, only the appeal that went on to HOUSING.
    head_housing = client_of(actors.housing.people.get(role="unit_head").user)
    html = head_housing.get(reopened, {**DATES, "part": "numerator"}, headers=EN).content.decode()
    assert numbers(html) == {no(story["moved_on"])}
    # The office's dispatcher never sees the appeal about the office's officials (回避), though it is
    # counted in EDU's figures and the leader sees it.
    satisfied = reverse("kpi:records", args=["EDU", "satisfaction"])
    params = {**DATES, "part": "numerator"}
    office = numbers(client_of(actors.dispatcher).get(satisfied, params, headers=EN).content.decode())
    assert no(story["recused"]) not in office and no(story["edu0"]) in office
    every = numbers(client_of(actors.leader).get(satisfied, params, headers=EN).content.decode())
    assert no(story["recused"]) in every


def test_the_drill_down_of_sign_off_lists_ledger_items(actors: Actors) -> None:
    items = ledger_items(actors)  # two items due in the period, one signed off
    url = reverse("kpi:records", args=["EDU", "sign_off"])
    html = client_of(actors.leader).get(url, {**DATES, "part": "denominator"}, headers=EN).content.decode()
    assert "路灯" in html and "校车" in html and "食堂" not in html and "操场" not in html
    assert f'href="{reverse("ledger:detail", args=[items["done"].pk])}"' in html


def test_the_drill_down_of_an_unknown_unit_is_not_found(actors: Actors) -> None:
    url = reverse("kpi:records", args=["NOPE", "satisfaction"])
    assert client_of(actors.leader).get(url, headers=EN).status_code == 404


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"from": "2026-03-01", "to": "2026-02-01"},
            "The period starts on 2026-03-01, after it ends on 2026-02-01",
        ),
        ({"metric": "happiness"}, "There is no metric “happiness”"),
        ({"from": "2026-13-01"}, "“2026-13-01” is not a date"),
        ({"to": "yesterday"}, "“yesterday” is not a date"),
        ({"from": "1066-10-14"}, "Choose dates between 2000-01-01 and 2099-12-31"),
    ],
)
def test_bad_input_gets_a_clear_message_and_400(actors: Actors, params: dict[str, str], message: str) -> None:
    response = client_of(actors.leader).get(reverse("kpi:ranking"), params, headers=EN)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "lead assignments dispatched in the period and accepted" in html  # the formulas are still shown


def test_bad_drill_down_input_gets_a_clear_message_and_400(actors: Actors) -> None:
    client = client_of(actors.leader)
    response = client.get(reverse("kpi:records", args=["EDU", "happiness"]), headers=EN)
    assert response.status_code == 400 and "There is no metric “happiness”" in response.content.decode()
    response = client.get(reverse("kpi:records", args=["EDU", "reopen"]), {"part": "all"}, headers=EN)
    assert (
        response.status_code == 400
        and "Choose part=numerator or part=denominator" in response.content.decode()
    )


# --- the export and the command ----------------------------------------------------------------


def test_the_ranking_exports_to_excel(actors: Actors, story: dict[str, Appeal]) -> None:
    response = client_of(actors.auditor).get(reverse("kpi:export"), DATES)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    edu = next(r for r in rows if r[1] == "区教育局")
    assert edu[0] == "1"
    satisfaction = 2 + 4 * list(Metric.values).index(Metric.SATISFACTION)
    assert edu[satisfaction : satisfaction + 3] == [10, 11, 90.9]


def test_the_command_prints_the_ranking_as_json(actors: Actors, story: dict[str, Appeal]) -> None:
    out = StringIO()
    call_command("kpi", "ranking", "--from", DATES["from"], "--to", DATES["to"], "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["metric"], data["ranked_by"], data["min_volume"]) == (
        "satisfaction",
        "wilson_lower_descending",
        10,
    )
    assert [row["unit"] for row in data["ranked"]] == ["EDU"]
    edu = data["ranked"][0]["metrics"]
    assert edu["satisfaction"] == {"k": 10, "n": 11, "rate": 0.9091, "lower": 0.6226, "upper": 0.9838}
    assert (edu["reopen"]["k"], edu["reopen"]["n"]) == (2, 12)
    housing = next(row for row in data["too_few_to_rank"] if row["unit"] == "HOUSING")
    assert housing["rank"] is None and housing["metrics"]["satisfaction"]["k"] == 2


def test_the_command_refuses_bad_dates(actors: Actors) -> None:
    with pytest.raises(CommandError, match=r"2026-03-01.*2026-02-01"):
        call_command("kpi", "ranking", "--from", "2026-03-01", "--to", "2026-02-01", stdout=StringIO())
