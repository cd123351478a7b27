"""The role-model figures match the hand-counted library (conftest.py), through the function and the
command."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from minyi.exemplars import rules
from minyi.exemplars.tests.conftest import Library

pytestmark = pytest.mark.django_db

MATERIALS = {
    "compilation": {"titles": 2, "copies": 150},
    "film": {"titles": 1, "copies": 10},
    "exhibition": {"titles": 1, "copies": 2},
    "other": {"titles": 0, "copies": 0},
}
CAMPAIGN = {
    "campaign": "STUDY26",
    "from": "2026-10-01",
    "to": "2026-12-31",
    "exemplars": {"national": 2, "provincial": 1, "local": 0, "close_to_home": 1},
    "exemplars_total": 4,
    "materials": MATERIALS,
    # 09-20 (礼堂) lies before the campaign.
    "showings": 4,
    "audience": 300 + 200 + 0 + 80,
    "places": 3,  # 海城镇 (twice), 青山镇, 东村
    "exemplars_shown": 2,  # 焦裕禄, 杨善洲
    "showings_by_kind": {
        "compilation": {"showings": 0, "audience": 0},
        "film": {"showings": 1, "audience": 80},
        "exhibition": {"showings": 3, "audience": 500},
        "other": {"showings": 0, "audience": 0},
    },
    # The lecture tour (焦裕禄, 林秀英) and the discussion (杨善洲); the report is in no campaign.
    "activities_linked": 2,
    "links": 3,
}


def test_campaign_figures_match_the_hand_count(library: Library) -> None:
    assert rules.summary(library.study.campaign) == CAMPAIGN


def test_all_time_period_and_unit_figures(library: Library) -> None:
    everything = rules.summary()
    assert (everything["showings"], everything["audience"], everything["places"]) == (5, 620, 4)
    assert (everything["activities_linked"], everything["links"]) == (3, 4)
    assert everything["materials"] == MATERIALS
    # 10-15 … 10-31: the exhibition at 海城镇 on 10-25 (to nobody); of the activities only the tour has a
    # session then (10-20), with its two role models.
    late_october = rules.summary(None, dt.date(2026, 10, 15), dt.date(2026, 10, 31))
    assert (late_october["showings"], late_october["audience"], late_october["exemplars_shown"]) == (1, 0, 1)
    assert (late_october["activities_linked"], late_october["links"]) == (1, 2)
    # The township's own figures: its showings (the village's too), not 青山镇's.
    town = rules.summary(library.study.campaign, unit=library.actors.town)
    assert (town["showings"], town["audience"], town["places"]) == (3, 380, 2)
    assert rules.summary(library.study.campaign, unit=library.actors.other_town)["activities_linked"] == 0
    # The district counts the showing placed in no unit (礼堂) too.
    assert rules.summary(unit=library.actors.district)["showings"] == 5
    with pytest.raises(ValidationError):
        rules.summary(None, dt.date(2026, 10, 31), dt.date(2026, 10, 1))


def test_an_empty_library_counts_zero(db: None) -> None:
    figures = rules.summary()
    assert figures["exemplars_total"] == figures["showings"] == figures["audience"] == 0
    assert figures["exemplars"] == {"national": 0, "provincial": 0, "local": 0, "close_to_home": 0}


def test_command_prints_the_same_figures_as_json(library: Library) -> None:
    out = StringIO()
    call_command("exemplars", "summary", "--campaign", "STUDY26", "--json", stdout=out)
    assert json.loads(out.getvalue()) == CAMPAIGN
    out = StringIO()
    call_command("exemplars", "summary", "--from", "2026-10-15", "--to", "2026-10-31", "--json", stdout=out)
    assert json.loads(out.getvalue())["showings"] == 1
    out = StringIO()
    call_command("exemplars", "summary", stdout=out)
    assert "showings: 5" in out.getvalue()


def test_command_refuses_an_unknown_campaign_and_a_reversed_period(library: Library) -> None:
    with pytest.raises(CommandError, match="NOPE"):
        call_command("exemplars", "summary", "--campaign", "NOPE", "--json")
    with pytest.raises(CommandError):
        call_command("exemplars", "summary", "--from", "2026-10-31", "--to", "2026-10-01")
