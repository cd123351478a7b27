"""The demo campaign's span, and the district alone without it."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from minyi.appeals.models import Appeal
from minyi.demo import ledger as demo
from minyi.ledger.models import Campaign


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 29), ("QZLX2026", date(2026, 3, 1), date(2026, 10, 31))),
        (date(2027, 2, 10), ("QZLX2026", date(2026, 5, 1), date(2026, 12, 31))),
        (date(2027, 8, 5), ("QZLX2026", date(2026, 11, 1), date(2027, 6, 30))),
    ],
)
def test_campaign_is_the_eight_months_ending_at_least_four_weeks_before_loading(
    today: date, expected: tuple[str, date, date]
) -> None:
    assert demo.campaign_span(today) == expected


@pytest.mark.django_db
def test_without_appeals_there_is_no_campaign_either(settings: Any) -> None:
    settings.DEBUG = True
    call_command("seed_demo", "--without-appeals", stdout=StringIO())
    assert not Campaign.objects.exists()
    assert not Appeal.objects.exists()
