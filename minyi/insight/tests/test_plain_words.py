"""The Chinese pages say their figures in plain words; formulas and terms of art (macro-F1, the Wilson
interval, ln and e^) wait behind a "怎么算的" disclosure, and no English source name shows."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from minyi.insight import registry
from minyi.insight.tests.corpus_tiny import TINY
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def _outside_disclosures(page: str) -> str:
    return re.sub(r"<details.*?</details>", "", page, flags=re.S)


def test_the_classifier_page_speaks_plainly(actors: Actors, client: Client) -> None:
    registry.train(csv_rows=TINY, use_labels=False, taxonomy=[], sources="demo dispatches")
    client.force_login(actors.admin)
    page = client.get(reverse("insight:classifier")).content.decode()
    visible = _outside_disclosures(page)
    assert "demo dispatches" not in page
    assert "宏平均" not in visible and "F1" not in visible


def test_the_ranking_keeps_wilson_behind_the_disclosure(actors: Actors, client: Client) -> None:
    client.force_login(actors.leader)
    page = client.get(reverse("kpi:ranking")).content.decode()
    assert "Wilson" not in _outside_disclosures(page)
    assert "怎么算的" in page and "Wilson" in page


def test_the_hotspot_board_keeps_its_formula_behind_the_disclosure(actors: Actors, client: Client) -> None:
    client.force_login(actors.dispatcher)
    page = client.get(reverse("insight:hotspots")).content.decode()
    visible = _outside_disclosures(page)
    assert "ln(" not in visible and "e^" not in visible
    assert "怎么算的" in page and "ln(1+人数)" in page
    assert "反映的群众越多" in visible
