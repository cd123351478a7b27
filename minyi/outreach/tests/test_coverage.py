"""Coverage figures against the hand-counted fixture (tests/fixtures.py):

villages T1V1, T1V2 (township T1) and T2V1 (T2); households T1V1-001..003, T1V2-001..002, T2V1-001..002.
January: cadre → T1V1-001 (difficulty handled on the spot), T1V1-002 (difficulty open);
         cadre2 → T2V1-001.                     villages 2/3, households 3/7, difficulties 2, resolved 1
February: cadre → T1V1-001 again, village T1V2; cadre2 → T2V1-002.   villages 3/3, households 2/7
All time: villages 3/3, households 4/7; not visited: T1V1-003, T1V2-001, T1V2-002.
"""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from minyi.org.models import Household
from minyi.outreach.coverage import Row, coverage
from minyi.outreach.tests.fixtures import build
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def _figures(row: Row) -> tuple[int, ...]:
    return (
        row.villages_visited, row.villages_total, row.households_visited,
        row.households_total, row.difficulties_found, row.difficulties_resolved,
    )  # fmt: skip


def test_january_by_campaign_and_by_township(actors: Actors) -> None:
    fixture = build(actors)
    figures = coverage(campaign=fixture.campaign)
    assert _figures(figures.total) == (2, 3, 3, 7, 2, 1)
    by_town = {row.code: _figures(row) for row in figures.townships}
    assert by_town == {"T1": (1, 2, 2, 5, 2, 1), "T2": (1, 1, 1, 2, 0, 0)}
    assert list(figures.villages_not_visited().values_list("code", flat=True)) == ["T1V2"]


def test_february_by_dates(actors: Actors) -> None:
    build(actors)
    figures = coverage(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
    assert _figures(figures.total) == (3, 3, 2, 7, 0, 0)
    assert figures.total.villages_percent == 100.0


def test_all_time_lists_the_households_not_yet_visited(actors: Actors) -> None:
    build(actors)
    figures = coverage()
    assert _figures(figures.total) == (3, 3, 4, 7, 2, 1)
    missing = figures.households_not_visited().order_by("code").values_list("code", flat=True)
    assert list(missing) == ["T1V1-003", "T1V2-001", "T1V2-002"]


def test_by_visitor(actors: Actors) -> None:
    build(actors)
    rows = {row.name: (row.visits, row.villages_visited, row.households_visited, row.difficulties_found)
            for row in coverage().visitors}  # fmt: skip
    assert rows == {"冯干部": (4, 2, 2, 2), "蒋干部": (2, 1, 2, 0)}


def test_within_a_township_counts_only_its_subtree(actors: Actors) -> None:
    build(actors)
    figures = coverage(within=actors.town)
    assert _figures(figures.total) == (2, 2, 2, 5, 2, 1)
    assert [row.code for row in figures.townships] == ["T1"]
    assert [row.name for row in figures.visitors] == ["冯干部"]


def test_query_count_does_not_grow_with_households(
    actors: Actors, django_assert_max_num_queries: Any
) -> None:
    build(actors)
    Household.objects.bulk_create(
        Household(code=f"T1V2-{n:03d}", village=actors.village2, head_name="户") for n in range(3, 300)
    )
    with django_assert_max_num_queries(10):
        figures = coverage()
    assert figures.total.households_total == 7 + 297


def test_command_prints_the_figures_as_json(actors: Actors) -> None:
    build(actors)
    out = StringIO()
    call_command("outreach", "coverage", "--campaign", "JAN", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["from"] == "2026-01-01" and data["to"] == "2026-01-31"
    assert data["total"]["villages_visited"] == 2 and data["total"]["households_visited"] == 3
    assert data["total"]["difficulties_resolved"] == 1
    assert [t["code"] for t in data["townships"]] == ["T1", "T2"]
    assert data["villages_not_visited"] == ["T1V2"]
    out = StringIO()
    call_command("outreach", "coverage", "--from", "2026-02-01", "--to", "2026-02-28", "--json", stdout=out)
    assert json.loads(out.getvalue())["total"]["villages_percent"] == 100.0


def test_command_refuses_an_unknown_campaign(actors: Actors) -> None:
    with pytest.raises(CommandError):
        call_command("outreach", "coverage", "--campaign", "NOPE", "--json")
