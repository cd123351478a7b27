"""The study figures match the hand-counted fixture (conftest.py), through the function and the command."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from minyi.study import rules
from minyi.study.tests.conftest import Study

pytestmark = pytest.mark.django_db

CAMPAIGN = {
    "campaign": "STUDY26",
    "from": "2026-10-01",
    "to": "2026-12-31",
    "activities": {"lecture_tour": 1, "report": 0, "discussion": 1, "research": 1},
    "sessions": 3,
    "attendances": 4,
    "members": {"reached": 3, "total": 4},
    "mobile_members": {"reached": 1, "total": 2},
    "left_behind": 1,
    "materials": {"book": 50, "disc": 5, "brochure": 0, "other": 0},
}


def test_campaign_figures_match_the_hand_count(study: Study) -> None:
    assert rules.summary(rules.Period(study.campaign)) == CAMPAIGN


def test_all_time_and_period_figures(study: Study) -> None:
    everything = rules.summary(rules.Period())
    assert everything["activities"] == {"lecture_tour": 1, "report": 1, "discussion": 1, "research": 1}
    assert (everything["sessions"], everything["attendances"]) == (4, 5)
    assert everything["materials"]["brochure"] == 50
    october = rules.summary(rules.Period(None, dt.date(2026, 10, 15), dt.date(2026, 10, 31)))
    assert october["activities"] == {"lecture_tour": 1, "report": 0, "discussion": 0, "research": 0}
    assert (october["sessions"], october["attendances"], october["left_behind"]) == (1, 1, 3)
    assert october["mobile_members"] == {"reached": 1, "total": 2}
    assert october["materials"] == {"book": 20, "disc": 5, "brochure": 0, "other": 0}


def test_figures_of_a_village_scope(study: Study) -> None:
    village = rules.summary(rules.Period(study.campaign), unit=study.actors.village)
    assert village["members"] == {"reached": 2, "total": 2}  # the floating branch works under the town
    assert village["sessions"] == 0  # the activities are the town's


def test_command_prints_the_same_json(study: Study) -> None:
    out = StringIO()
    call_command("study", "summary", "--campaign", "STUDY26", "--json", stdout=out)
    assert json.loads(out.getvalue()) == CAMPAIGN
    out = StringIO()
    call_command("study", "summary", "--from", "2026-10-15", "--to", "2026-10-31", "--json", stdout=out)
    assert json.loads(out.getvalue())["sessions"] == 1


def test_command_refuses_an_unknown_campaign_and_a_reversed_period(study: Study) -> None:
    with pytest.raises(CommandError, match="NOPE"):
        call_command("study", "summary", "--campaign", "NOPE", "--json")
    with pytest.raises(CommandError):
        call_command("study", "summary", "--from", "2026-10-31", "--to", "2026-10-01")
