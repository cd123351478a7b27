"""The figures of ``manage.py assistance summary`` against a hand count.

Case A (海城镇, 王大海) opened 10 days ago: medical delivered 4 days ago (6 days), education handed.
Case B (海城镇, 李小梅) opened 20 days ago: subsistence delivered 10 days ago (10 days), temporary declined.
Case C (青山镇, 张远), in campaign K, opened 5 days ago: housing waiting, medical delivered today (5 days).
Delivered 3, pending 2, declined 1; median days 6 (of 5, 6, 10); medical 5.5.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from minyi.assistance import rules
from minyi.assistance.choices import AssistanceType as T
from minyi.assistance.models import Case
from minyi.assistance.rules import DeliveryInput
from minyi.assistance.summary import summary
from minyi.assistance.tests.fixtures import Assist, photo
from minyi.ledger.models import Campaign
from minyi.org.models import Unit

pytestmark = pytest.mark.django_db


def build_figures(assist: Assist) -> Campaign:
    a = assist.actors
    today, now = timezone.localdate(), timezone.now()
    campaign = Campaign.objects.create(
        code="K", name="救助月", starts_on=today - dt.timedelta(days=7), ends_on=today + dt.timedelta(days=30)
    )

    def open_(household: object, types: list[str], days: int, campaign: Campaign | None = None) -> Case:
        return rules.open_case(
            actor=assist.coordinator, household=household, types=types,  # type: ignore[arg-type]
            opened_at=now - dt.timedelta(days=days), campaign=campaign,
        )  # fmt: skip

    def deliver(case: Case, type_: str, unit: Unit, user: User, days_ago: int) -> None:
        part = case.parts.get(type=type_)
        rules.hand_out(part, actor=assist.coordinator, unit=unit, at=case.opened_at)
        rules.record_delivery(
            part, actor=user, item=DeliveryInput(today - dt.timedelta(days=days_ago), amount=Decimal("100")),
            evidence=photo(),
        )  # fmt: skip

    case_a = open_(a.household, [T.MEDICAL, T.EDUCATION], 10)
    deliver(case_a, T.MEDICAL, assist.health, assist.handler_health, 4)
    rules.hand_out(case_a.parts.get(type=T.EDUCATION), actor=assist.coordinator, unit=a.edu)
    case_b = open_(assist.household2, [T.SUBSISTENCE, T.TEMPORARY], 20)
    deliver(case_b, T.SUBSISTENCE, assist.mz, assist.coordinator, 10)
    rules.decline_part(case_b.parts.get(type=T.TEMPORARY), actor=assist.coordinator, reason="已纳入低保")
    case_c = open_(assist.far_household, [T.HOUSING, T.MEDICAL], 5, campaign)
    deliver(case_c, T.MEDICAL, assist.health, assist.handler_health, 0)
    return campaign


def test_summary_matches_the_hand_count(assist: Assist) -> None:
    build_figures(assist)
    figures = summary()
    assert (figures["cases"], figures["open"], figures["closed"]) == (3, 3, 0)
    assert (figures["parts"], figures["delivered"], figures["pending"], figures["declined"]) == (6, 3, 2, 1)
    assert figures["median_days"] == 6
    by_type = figures["by_type"]
    assert by_type[T.MEDICAL]["parts"] == 2 and by_type[T.MEDICAL]["delivered"] == 2
    assert by_type[T.MEDICAL]["median_days"] == 5.5
    assert by_type[T.SUBSISTENCE]["median_days"] == 10
    assert by_type[T.EDUCATION]["pending"] == 1 and by_type[T.HOUSING]["pending"] == 1
    assert by_type[T.TEMPORARY]["declined"] == 1
    assert by_type[T.LEGAL] == {**by_type[T.LEGAL], "parts": 0, "median_days": None}
    assert set(by_type) == set(T.values)
    towns = {row["code"]: row for row in figures["by_township"]}
    assert towns["T1"] == {
        "code": "T1",
        "name": "海城镇",
        "cases": 2,
        "parts": 4,
        "delivered": 2,
        "pending": 1,
        "declined": 1,
    }
    assert (towns["T2"]["cases"], towns["T2"]["delivered"], towns["T2"]["pending"]) == (1, 1, 1)


def test_summary_of_a_campaign(assist: Assist) -> None:
    campaign = build_figures(assist)
    figures = summary(campaign)
    assert (figures["campaign"], figures["cases"], figures["delivered"], figures["pending"]) == ("K", 1, 1, 1)
    assert figures["median_days"] == 5
    assert [row["code"] for row in figures["by_township"]] == ["T2"]


def test_the_command_prints_the_same_figures_as_json(assist: Assist) -> None:
    build_figures(assist)
    out = StringIO()
    call_command("assistance", "summary", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed == json.loads(json.dumps(summary(), ensure_ascii=False))
    assert printed["by_type"]["medical"]["median_days"] == 5.5
    out = StringIO()
    call_command("assistance", "summary", "--campaign", "K", "--json", stdout=out)
    assert json.loads(out.getvalue())["cases"] == 1
    text = StringIO()
    call_command("assistance", "summary", stdout=text)
    assert "median_days: 6" in text.getvalue()
    with pytest.raises(CommandError):
        call_command("assistance", "summary", "--campaign", "NOPE", "--json", stdout=StringIO())
