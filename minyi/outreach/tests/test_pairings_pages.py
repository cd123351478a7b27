"""Pairings (挂钩联系): planned vs done against a hand-counted fixture, and the pages through HTTP.

The fixture (visits are made through ``rules.record_visit``):
- P1 冯干部 (cadre) ↔ household T1V1-001, 2 per month since 2026-01-10 (了解民情).
  His visits there: 01-05 (before the start: not counted), 01-12, 02-03. 郑领导 (leader) visited it on
  02-05: not his pairing. 冯干部 also visited household T1V1-002 on 02-20 and the village on 03-02.
- P2 冯干部 ↔ village 东村, 1 per month since 2026-01-01: every visit of his in 东村 counts
  (01-05, 01-12, 02-03, 02-20, 03-02 = 5).
- P3 郑领导 ↔ enterprise 海城水产公司, 1 per quarter since 2026-01-01: visited 02-01.
- P4 郑领导 ↔ village 西村, 1 per month since 2025-12-01, ended 2026-01-31: visited 01-20 and 02-10
  (after the end: not counted).

Seen on 2026-03-15 (whole life of each pairing):
  P1 planned 3 months × 2 = 6, due (Jan, Feb) 4, done 2 → short by 2.
  P2 planned 3, due 2, done 5 → on track.
  P3 planned 1 (Q1 begun), due 0, done 1 → on track.
  P4 planned (Dec, Jan) 2, due 2, done 1 → short by 1.
In the period 2026-02-01 … 2026-02-28: P1 planned 2, due 2, done 1 (02-03) → short by 1; P2 planned 1,
done 2 (02-03, 02-20); P3 planned 1, due 0 (Q1 is not over by 02-28), done 1; P4 nothing (it ended).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from minyi.audit.models import AuditEvent
from minyi.ledger.models import Campaign
from minyi.org.choices import UnitKind
from minyi.org.models import Household, Unit
from minyi.org.rules import create_unit
from minyi.outreach import rules
from minyi.outreach.choices import PairingState, PlanPeriod
from minyi.outreach.models import Pairing
from minyi.outreach.pairings import plan_counts, progress
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@dataclass
class Paired:
    p1: Pairing
    p2: Pairing
    p3: Pairing
    p4: Pairing
    enterprise: Unit
    household2: Household


def build(actors: Actors) -> Paired:
    enterprise = create_unit(code="T1E1", name="海城水产公司", kind=UnitKind.ENTERPRISE, parent=actors.town,
                             actor=None)  # fmt: skip
    household2 = Household.objects.create(code="T1V1-002", village=actors.village, head_name="李二")
    office = actors.dispatcher
    cadre, leader = actors.cadre.person, actors.leader.person
    p1 = rules.create_pairing(
        actor=office, person=cadre, household=actors.household, visits_planned=2, period=PlanPeriod.MONTH,
        purpose="了解民情", started_on=date(2026, 1, 10),
    )  # fmt: skip
    p2 = rules.create_pairing(actor=office, person=cadre, unit=actors.village, period=PlanPeriod.MONTH,
                              started_on=date(2026, 1, 1))  # fmt: skip
    p3 = rules.create_pairing(actor=office, person=leader, unit=enterprise, period=PlanPeriod.QUARTER,
                              purpose="帮企业解难题", started_on=date(2026, 1, 1))  # fmt: skip
    p4 = rules.create_pairing(actor=office, person=leader, unit=actors.village2, period=PlanPeriod.MONTH,
                              started_on=date(2025, 12, 1))  # fmt: skip
    rules.end_pairing(p4, actor=office, ended_on=date(2026, 1, 31))

    def visit(user: User, day: str, **place: Any) -> None:
        rules.record_visit(actor=user, visited_on=date.fromisoformat(day), **place)

    home = {"village": actors.village, "household": actors.household}
    visit(actors.cadre, "2026-01-05", **home)
    visit(actors.cadre, "2026-01-12", **home)
    visit(actors.cadre, "2026-02-03", **home)
    visit(actors.leader, "2026-02-05", **home)
    visit(actors.cadre, "2026-02-20", village=actors.village, household=household2)
    visit(actors.cadre, "2026-03-02", village=actors.village)
    visit(actors.leader, "2026-02-01", enterprise=enterprise)
    visit(actors.leader, "2026-01-20", village=actors.village2)
    visit(actors.leader, "2026-02-10", village=actors.village2)
    return Paired(p1, p2, p3, p4, enterprise, household2)


@pytest.fixture
def paired(actors: Actors) -> Paired:
    return build(actors)


def _figures(rows: list[Any]) -> dict[int, tuple[int, int, int, int]]:
    return {row.pairing.pk: (row.planned, row.due, row.done, row.shortfall) for row in rows}


def test_planned_vs_done_matches_the_hand_count_in_one_query(
    paired: Paired, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        rows = progress(Pairing.objects.all(), TODAY)
    assert _figures(rows) == {
        paired.p1.pk: (6, 4, 2, 2),
        paired.p2.pk: (3, 2, 5, 0),
        paired.p3.pk: (1, 0, 1, 0),
        paired.p4.pk: (2, 2, 1, 1),
    }
    behind = {row.pairing.pk for row in rows if row.behind}
    assert behind == {paired.p1.pk, paired.p4.pk}


def test_planned_vs_done_in_a_chosen_period(paired: Paired) -> None:
    rows = progress(Pairing.objects.all(), TODAY, date(2026, 2, 1), date(2026, 2, 28))
    assert _figures(rows) == {
        paired.p1.pk: (2, 2, 1, 1),
        paired.p2.pk: (1, 1, 2, 0),
        paired.p3.pk: (1, 0, 1, 0),
        paired.p4.pk: (0, 0, 0, 0),
    }


def test_plan_counts_calendar_periods_and_only_finished_ones_are_due() -> None:
    monthly = Pairing(visits_planned=2, period=PlanPeriod.MONTH)
    # The first day of a month: the new month is planned but nobody is short for it yet.
    assert plan_counts(monthly, date(2026, 1, 1), date(2026, 4, 1), date(2026, 4, 1)) == (8, 6)
    yearly = Pairing(visits_planned=4, period=PlanPeriod.YEAR)
    assert plan_counts(yearly, date(2025, 6, 1), date(2026, 3, 1), date(2026, 3, 1)) == (8, 4)
    quarterly = Pairing(visits_planned=1, period=PlanPeriod.QUARTER)
    assert plan_counts(quarterly, date(2025, 12, 31), date(2026, 7, 1), date(2026, 7, 2)) == (4, 3)


def test_the_list_shows_each_plan_with_planned_vs_done_and_the_shortfall(
    paired: Paired, actors: Actors
) -> None:
    page = _client(actors.dispatcher).get(
        reverse("outreach:pairings"), {"date_from": "2026-01-01", "date_to": "2026-02-28"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    row1 = html.split(f'id="pairing-{paired.p1.pk}"')[1].split("</tr>")[0]
    assert "2 visits per month: 了解民情" in row1
    assert "2 done of 4 planned" in row1 and "short by 2 visits" in row1
    row2 = html.split(f'id="pairing-{paired.p2.pk}"')[1].split("</tr>")[0]
    assert "4 done of 2 planned" in row2 and "on track" in row2 and "short by" not in row2
    row3 = html.split(f'id="pairing-{paired.p3.pk}"')[1].split("</tr>")[0]
    assert "1 visit per quarter: 帮企业解难题" in row3 and "海城水产公司" in row3
    assert (
        'name="end-pairing"' in row1
        and 'name="end-pairing"' not in html.split(f'id="pairing-{paired.p4.pk}"')[1].split("</tr>")[0]
    )


def test_the_list_filters_by_person_place_and_state(paired: Paired, actors: Actors) -> None:
    client = _client(actors.dispatcher)

    def shown(**filters: str) -> set[int]:
        html = client.get(reverse("outreach:pairings"), filters).content.decode()
        return {p.pk for p in (paired.p1, paired.p2, paired.p3, paired.p4) if f'id="pairing-{p.pk}"' in html}

    assert shown() == {paired.p1.pk, paired.p2.pk, paired.p3.pk, paired.p4.pk}
    assert shown(person="郑") == {paired.p3.pk, paired.p4.pk}
    assert shown(place="household") == {paired.p1.pk}
    assert shown(place="village") == {paired.p2.pk, paired.p4.pk}
    assert shown(place="enterprise") == {paired.p3.pk}
    assert shown(state="ended") == {paired.p4.pk}
    bad = client.get(reverse("outreach:pairings"), {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert "The start of the period is after its end." in bad.content.decode()


def test_the_list_keeps_to_the_users_scope_and_role(paired: Paired, actors: Actors) -> None:
    # The head of the education bureau sees coverage of the bureau only: none of the town's pairings.
    html = _client(actors.head_edu).get(reverse("outreach:pairings")).content.decode()
    assert "No pairing matches." in html and 'name="end-pairing"' not in html
    assert _client(actors.outsider).get(reverse("outreach:pairings")).status_code == 403
    assert _client(actors.member).get(reverse("outreach:pairings")).status_code == 403
    assert _client(actors.cadre).get(reverse("outreach:pairings")).status_code == 403
    # The leader sees the whole district, but may not end pairings.
    html = _client(actors.leader).get(reverse("outreach:pairings")).content.decode()
    assert f'id="pairing-{paired.p1.pk}"' in html and 'name="end-pairing"' not in html


def test_a_cadre_sees_their_own_pairings_with_planned_vs_done(paired: Paired, actors: Actors) -> None:
    page = _client(actors.cadre).get(reverse("outreach:my_pairings"))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="pairing-{paired.p1.pk}"' in html and f'id="pairing-{paired.p2.pk}"' in html
    assert f'id="pairing-{paired.p3.pk}"' not in html and "海城水产公司" not in html
    home = _client(actors.cadre).get("/").content.decode()
    assert reverse("outreach:my_pairings") in home
    assert _client(actors.member).get(reverse("outreach:my_pairings")).status_code == 403


def _new(actors: Actors, **changes: str) -> dict[str, str]:
    data = {
        "person": str(actors.cadre.person.pk),
        "unit": str(actors.village2.pk),
        "household_code": "",
        "visits_planned": "3",
        "period": "month",
        "purpose": "联系群众",
        "started_on": "2026-04-01",
    }
    data.update(changes)
    return data


def test_the_campaign_office_pairs_a_cadre_with_a_village(actors: Actors) -> None:
    client = _client(actors.dispatcher)
    assert client.get(reverse("outreach:pairing_new")).status_code == 200
    page = client.post(reverse("outreach:pairing_new"), _new(actors))
    assert page.status_code == 302 and page["Location"] == reverse("outreach:pairings")
    pairing = Pairing.objects.get()
    assert (pairing.person, pairing.unit, pairing.visits_planned, pairing.purpose) == (
        actors.cadre.person, actors.village2, 3, "联系群众",
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="outreach.pairing_created").count() == 1
    page = client.post(
        reverse("outreach:pairing_new"), _new(actors, unit="", household_code=actors.household.code)
    )
    assert page.status_code == 302 and Pairing.objects.filter(household=actors.household).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"person": "member"}, "Choose a leader or cadre of your area of work."),
        ({"household_code": "T1V1-001"}, "Choose one village, enterprise or household."),
        ({"unit": ""}, "Choose one village, enterprise or household."),
        ({"visits_planned": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"unit": "", "household_code": "NOPE-1"}, "No household has the code NOPE-1."),
    ],
)
def test_a_bad_pairing_is_refused_with_a_clear_message(
    actors: Actors, changes: dict[str, str], message: str
) -> None:
    if changes.get("person") == "member":
        changes = {**changes, "person": str(actors.member.person.pk)}
    page = _client(actors.dispatcher).post(reverse("outreach:pairing_new"), _new(actors, **changes))
    assert page.status_code == 400
    assert message in page.content.decode()
    assert not Pairing.objects.exists()


def test_the_rule_refuses_to_pair_a_party_member(actors: Actors) -> None:
    with pytest.raises(ValidationError) as refused:
        rules.create_pairing(actor=actors.dispatcher, person=actors.member.person, unit=actors.village,
                             period=PlanPeriod.MONTH, started_on=date(2026, 4, 1))  # fmt: skip
    assert "Only leaders and cadres are paired with places." in refused.value.messages
    assert not Pairing.objects.exists()


def test_only_those_who_may_pair_see_the_form(actors: Actors) -> None:
    for user in (actors.cadre, actors.leader, actors.member):
        assert _client(user).get(reverse("outreach:pairing_new")).status_code == 403
    page = _client(actors.leader).post(reverse("outreach:pairing_new"), _new(actors))
    assert page.status_code == 403 and not Pairing.objects.exists()


def test_ending_a_pairing_and_ending_it_again(paired: Paired, actors: Actors) -> None:
    client = _client(actors.dispatcher)
    url = reverse("outreach:pairing_end", args=[paired.p1.pk])
    page = client.post(url, follow=True)
    assert "The pairing of 冯干部 has ended." in page.content.decode()
    p1 = Pairing.objects.get(pk=paired.p1.pk)
    assert p1.state == PairingState.ENDED and p1.ended_on is not None
    again = client.post(url, follow=True)
    assert "This pairing has already ended." in again.content.decode()
    assert AuditEvent.objects.filter(action="outreach.pairing_ended").count() == 2  # p4 in the fixture, p1
    assert Pairing.objects.get(pk=paired.p1.pk).ended_on == p1.ended_on


def test_ending_needs_the_right_and_the_scope(paired: Paired, actors: Actors) -> None:
    url = reverse("outreach:pairing_end", args=[paired.p1.pk])
    assert _client(actors.leader).post(url).status_code == 403
    assert _client(actors.cadre).post(url).status_code == 403
    assert _client(actors.dispatcher).get(url).status_code == 405
    assert Pairing.objects.get(pk=paired.p1.pk).state == PairingState.ACTIVE
    with pytest.raises(PermissionDenied):
        rules.end_pairing(paired.p1, actor=actors.cadre)


def test_the_list_costs_the_same_queries_for_more_pairings(paired: Paired, actors: Actors) -> None:
    client = _client(actors.dispatcher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("outreach:pairings")).status_code == 200
        return len(captured)

    before = queries()
    for village in (actors.village, actors.village2, actors.other_village):
        rules.create_pairing(actor=actors.dispatcher, person=actors.leader.person, unit=village,
                             period=PlanPeriod.YEAR, started_on=date(2026, 1, 1))  # fmt: skip
    assert queries() == before


def test_the_list_counts_within_a_campaign(paired: Paired, actors: Actors) -> None:
    campaign = Campaign.objects.create(
        code="FEB", name="二月走访", starts_on=date(2026, 2, 1), ends_on=date(2026, 2, 28)
    )
    html = (
        _client(actors.dispatcher)
        .get(reverse("outreach:pairings"), {"campaign": campaign.pk})
        .content.decode()
    )
    row1 = html.split(f'id="pairing-{paired.p1.pk}"')[1].split("</tr>")[0]
    assert "1 done of 2 planned" in row1 and "short by 1 visit" in row1 and "2026-02-01 – 2026-02-28" in row1
