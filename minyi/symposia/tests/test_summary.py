"""The figures of symposia against the hand-counted fixture, and ``manage.py symposia summary``."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from minyi.symposia.summary import summary
from minyi.symposia.tests.fixtures import build
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def figures(row: Any) -> tuple[int, int, int]:
    return (row.symposia, row.attendees, row.opinions)


def test_campaign_summary_counts_symposia_people_heard_and_opinions(actors: Actors) -> None:
    fixture = build(actors)
    result = summary(campaign=fixture.campaign)
    assert (result.date_from, result.date_to) == (date(2026, 1, 1), date(2026, 6, 30))
    assert figures(result.total) == (3, 62, 6)
    assert {row.key: figures(row) for row in result.groups} == {
        "deputies": (1, 30, 1),
        "enterprises": (1, 12, 2),
        "villagers": (1, 20, 3),
    }
    assert [(row.key, figures(row)) for row in result.townships] == [
        ("T1", (1, 20, 3)),
        ("T2", (1, 12, 2)),
        ("", (1, 30, 1)),
    ]


def test_summary_over_all_time_and_within_a_unit(actors: Actors) -> None:
    build(actors)
    everything = summary()
    assert figures(everything.total) == (4, 72, 7)
    assert {row.key: figures(row) for row in everything.groups}["villagers"] == (2, 30, 4)
    assert figures(summary(within=actors.town).total) == (2, 30, 4)
    # A township sees what a department heard on its ground; the department sees what it hosted.
    assert figures(summary(within=actors.other_town).total) == (1, 12, 2)
    assert figures(summary(within=actors.edu).total) == (1, 12, 2)
    assert figures(summary(date_from=date(2026, 2, 1), date_to=date(2026, 3, 31)).total) == (2, 42, 3)


def test_command_prints_the_summary_as_json(actors: Actors) -> None:
    build(actors)
    out = StringIO()
    call_command("symposia", "summary", "--campaign", "SYM26", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["from"] == "2026-01-01" and data["to"] == "2026-06-30"
    assert data["total"] == {"symposia": 3, "attendees": 62, "opinions": 6}
    assert {row["key"]: row["opinions"] for row in data["townships"]} == {"T1": 3, "T2": 2, "": 1}
    assert {row["key"]: row["attendees"] for row in data["groups"]} == {
        "villagers": 20,
        "enterprises": 12,
        "deputies": 30,
    }
    out = StringIO()
    call_command("symposia", "summary", "--within", "T1", stdout=out)
    assert out.getvalue().startswith("symposia 2, attendees 30, opinions 4")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--campaign", "NOPE"], "no campaign has the code NOPE"),
        (["--within", "NOPE"], "no unit has the code NOPE"),
        (["--from", "2026-03-01", "--to", "2026-01-01"], "--from is after --to"),
        (["--campaign", "SYM26", "--from", "2026-01-01"], "not both"),
    ],
)
def test_command_refuses_bad_arguments(actors: Actors, arguments: list[str], message: str) -> None:
    build(actors)
    with pytest.raises(CommandError, match=message):
        call_command("symposia", "summary", *arguments, stdout=StringIO())
