"""The demo outreach (issue 7): every village and household of the demo district visited over the
campaign, visits and difficulties in proportion to the households, through visit sheets that refuse
bad rows whole."""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO, StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from minyi.audit.models import AuditEvent
from minyi.demo import ledger as ledger_demo
from minyi.demo import outreach as demo
from minyi.ledger.models import Campaign
from minyi.org.choices import Role
from minyi.org.models import Household, Person, Unit
from minyi.outreach.choices import PlaceKind
from minyi.outreach.imports import COLUMNS, VisitRow, import_visits
from minyi.outreach.models import Difficulty, Pairing, Visit
from minyi.outreach.rules import DifficultyInput

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]  # seeded once: conftest.py


def coverage_json(code: str) -> dict[str, Any]:
    out = StringIO()
    call_command("outreach", "coverage", "--campaign", code, "--json", stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def the_campaign() -> Campaign:
    return Campaign.objects.get(name=ledger_demo.CAMPAIGN_NAME)


def test_every_village_and_household_is_visited_over_the_campaign(seeded: str) -> None:
    campaign = the_campaign()
    figures = coverage_json(campaign.code)
    households = Household.objects.count()  # 109,200 at the demo's default scale
    household_visits = round(households * demo.VISITS_PER_HOUSEHOLD)
    on_spot = round(household_visits * demo.ON_SPOT_SHARE)
    total = figures["total"]
    assert (total["villages_visited"], total["villages_total"]) == (100, 100)
    assert (total["households_visited"], total["households_total"]) == (households, households)
    assert figures["villages_not_visited"] == []
    assert total["difficulties_resolved"] == on_spot
    assert total["difficulties_found"] == on_spot + round(household_visits * demo.FOLLOW_UP_SHARE)
    # 100 villages visited monthly by their leaders, 10 enterprises quarterly, the rest households.
    months = len(demo._Outreach(campaign, Unit.objects.get(code="HB")).months())
    expected = household_visits + 100 * months + 10 * len(range(0, months, 3))
    assert sum(v["visits"] for v in figures["visitors"]) == Visit.objects.count() == expected
    assert Visit.objects.filter(place_kind=PlaceKind.HOUSEHOLD).count() == household_visits
    assert f"Outreach: {expected:,} visits ({household_visits:,} to households), {on_spot:,}" in seeded
    dates = Visit.objects.order_by("visited_on").values_list("visited_on", flat=True)
    assert campaign.starts_on <= dates.first() and dates.last() <= campaign.ends_on  # type: ignore[operator]
    assert not Difficulty.objects.filter(appeal__isnull=False).exists()
    assert not Difficulty.objects.filter(handled_on_spot=True, resolution="").exists()


def test_visits_come_in_one_sheet_per_township_and_month_entered_by_its_clerk(seeded: str) -> None:
    sheets = AuditEvent.objects.filter(action="outreach.visits_imported")
    months = len(demo._Outreach(the_campaign(), Unit.objects.get(code="HB")).months())
    assert sheets.count() == 7 * months
    assert sum(event.detail["visits"] for event in sheets) == Visit.objects.count()
    clerks = set(Visit.objects.values_list("recorded_by__username", flat=True).distinct())
    assert clerks == {"cadre"} | {f"t0{n}-cadre-1" for n in (1, 2, 4, 5, 6, 7)}
    # Each clerk entered only their own township's visits.
    for visit in Visit.objects.filter(recorded_by__username="t01-cadre-1").select_related("township")[:50]:
        assert visit.township is not None and visit.township.code == "T01"
    assert set(Visit.objects.values_list("visitor__role", flat=True).distinct()) <= {Role.LEADER, Role.CADRE}


def test_leaders_are_paired_with_the_hundred_villages(seeded: str) -> None:
    villages = Pairing.objects.filter(unit__kind__in=["village", "community"])
    assert villages.count() == 100
    assert villages.values("person").distinct().count() == 50
    assert set(villages.values_list("person__role", flat=True)) == {Role.LEADER}
    assert Pairing.objects.filter(unit__kind="enterprise").count() == 10
    assert Pairing.objects.filter(household__isnull=False).count() > 0
    assert not Pairing.objects.filter(purpose="").exists()
    # Each leader visited each paired village every month of the campaign.
    pairing = villages.select_related("person", "unit").first()
    assert pairing is not None and pairing.unit is not None
    visits = Visit.objects.filter(visitor=pairing.person, village=pairing.unit, household__isnull=True)
    assert visits.filter(assistance_plan=True).count() >= 8


def test_a_second_seed_changes_nothing(seeded: str) -> None:
    before = (
        Visit.objects.count(),
        Difficulty.objects.count(),
        Pairing.objects.count(),
        Person.objects.count(),
    )
    assert demo.seed() == {}
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Outreach:" not in out.getvalue()
    assert (
        Visit.objects.count(),
        Difficulty.objects.count(),
        Pairing.objects.count(),
        Person.objects.count(),
    ) == before


# --- the visit sheet import ------------------------------------------------------------------------


def sheet_parts() -> tuple[User, Unit, Household, Household, Person]:
    clerk = User.objects.get(username="t01-cadre-1")
    village = Unit.objects.get(code="T01V01")
    own = Household.objects.filter(village=village).first()
    other = Household.objects.filter(village__code="T01V02").first()
    visitor = Person.objects.filter(role=Role.CADRE, unit__code="T01").first()
    assert own is not None and other is not None and visitor is not None
    return clerk, village, own, other, visitor


def test_a_good_sheet_is_recorded_with_one_audit_record(seeded: str) -> None:
    clerk, village, own, _other, visitor = sheet_parts()
    campaign = the_campaign()
    day = campaign.starts_on + timedelta(days=3)
    rows = [
        VisitRow(visitor=visitor, visited_on=day, village=village, household=own),
        VisitRow(
            visitor=visitor,
            visited_on=day,
            village=village,
            difficulties=[DifficultyInput("路灯不亮", handled_on_spot=True, resolution="当场更换灯泡")],
        ),
    ]
    visits, audits = Visit.objects.count(), AuditEvent.objects.count()
    result = import_visits(rows, actor=clerk, campaign=campaign, source="test")
    assert (result.visits, result.difficulties) == (2, 1)
    assert Visit.objects.count() == visits + 2
    assert AuditEvent.objects.count() == audits + 1
    made = Visit.objects.filter(visitor=visitor, visited_on=day, recorded_by=clerk).order_by("-id")
    assert {v.place_kind for v in made[:2]} == {PlaceKind.HOUSEHOLD, PlaceKind.VILLAGE}
    assert all(v.township is not None and v.township.code == "T01" for v in made[:2])


def test_a_sheet_with_bad_rows_is_refused_whole_with_the_row_numbers(seeded: str) -> None:
    clerk, village, own, other, visitor = sheet_parts()
    campaign = the_campaign()
    day = campaign.starts_on + timedelta(days=3)
    member = Person.objects.filter(role=Role.MEMBER, unit=village).first()
    assert member is not None
    rows = [
        VisitRow(visitor=visitor, visited_on=day, village=village, household=own),  # good
        VisitRow(visitor=visitor, visited_on=timezone.localdate() + timedelta(days=1), village=village),
        VisitRow(visitor=visitor, visited_on=day, village=village, household=other),
        VisitRow(visitor=member, visited_on=day, village=village),
        VisitRow(visitor=visitor, visited_on=campaign.ends_on + timedelta(days=1), village=village),
        VisitRow(visitor=visitor, visited_on=day, village=Unit.objects.get(code="T02V01")),
    ]
    before = Visit.objects.count(), Difficulty.objects.count(), AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_visits(rows, actor=clerk, campaign=campaign)
    messages = refused.value.messages
    assert [m.split(":")[0] for m in messages] == ["Row 2", "Row 3", "Row 4", "Row 5", "Row 6"]
    assert "cannot be in the future" in messages[0]
    assert f"Household {other.code} does not belong to {village.name}" in messages[1]
    assert "not an active leader or cadre" in messages[2]
    assert "outside the campaign" in messages[3]
    assert "outside your area of work" in messages[4]
    assert (Visit.objects.count(), Difficulty.objects.count(), AuditEvent.objects.count()) == before


def test_only_leaders_and_cadres_enter_sheets_and_an_empty_sheet_is_refused(seeded: str) -> None:
    clerk, village, _own, _other, visitor = sheet_parts()
    row = VisitRow(visitor=visitor, visited_on=the_campaign().starts_on, village=village)
    with pytest.raises(PermissionDenied):
        import_visits([row], actor=User.objects.get(username="operator"))
    with translation.override("en"), pytest.raises(ValidationError, match="no visits"):
        import_visits([], actor=clerk)


# --- the visit sheet upload page --------------------------------------------------------------------


def workbook(lines: list[list[object]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([header for _key, header in COLUMNS])
    for line in lines:
        sheet.append(line)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("走访登记表.xlsx", out.getvalue())


def clerk_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="t01-cadre-1"))
    return client


def test_an_uploaded_sheet_is_recorded(seeded: str) -> None:
    _clerk, village, own, _other, visitor = sheet_parts()
    day = the_campaign().starts_on + timedelta(days=5)
    sheet = workbook(
        [
            [day.isoformat(), visitor.name, village.code, own.code, None, "✓", None, None, None, None, None,
             None, "了解家庭情况", "门前路灯坏了", "是", "当场联系电工更换"],
            [day, visitor.name, village.code],
        ]
    )  # fmt: skip
    before = Visit.objects.count()
    response = clerk_client().post(
        reverse("outreach:import"), {"file": sheet, "campaign": the_campaign().pk}, follow=True
    )
    assert response.status_code == 200
    assert Visit.objects.count() == before + 2
    visit = Visit.objects.filter(household=own, visited_on=day, recorded_by__username="t01-cadre-1").latest(
        "id"
    )
    assert visit.contact_card and visit.diary and visit.diary_text == "了解家庭情况"
    difficulty = visit.difficulties.get()
    assert difficulty.handled_on_spot and difficulty.resolution == "当场联系电工更换"


def test_an_uploaded_sheet_with_bad_rows_saves_nothing_and_lists_them(seeded: str) -> None:
    _clerk, village, own, other, visitor = sheet_parts()
    day = the_campaign().starts_on + timedelta(days=5)
    future = timezone.localdate() + timedelta(days=2)
    sheet = workbook(
        [
            [day, visitor.name, village.code, own.code],
            [future, visitor.name, village.code],
            [day, visitor.name, village.code, other.code],
            [day, "无此人", village.code],
        ]
    )
    before = Visit.objects.count()
    with translation.override("en"):
        response = clerk_client().post(reverse("outreach:import"), {"file": sheet}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Row 5: no leader or cadre is named 无此人" in text
    assert Visit.objects.count() == before
    # With the unknown visitor fixed, the rule checks name the rows as the sheet numbers them.
    sheet = workbook(
        [[day, visitor.name, village.code, own.code], [future, visitor.name, village.code],
         [day, visitor.name, village.code, other.code]]
    )  # fmt: skip
    with translation.override("en"):
        response = clerk_client().post(reverse("outreach:import"), {"file": sheet}, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 400
    assert "Row 3: The date of the visit cannot be in the future." in text
    assert f"Row 4: Household {other.code} does not belong to" in text
    assert Visit.objects.count() == before


def test_the_upload_page_offers_a_blank_sheet_and_refuses_members(seeded: str) -> None:
    response = clerk_client().get(reverse("outreach:import"), {"blank": "1"})
    assert response.status_code == 200
    header = next(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert list(header) == [h for _key, h in COLUMNS]
    member = Client()
    member.force_login(User.objects.get(username="member"))
    assert member.get(reverse("outreach:import")).status_code == 403
    not_a_workbook = SimpleUploadedFile("visits.xlsx", b"not a workbook")
    response = clerk_client().post(reverse("outreach:import"), {"file": not_a_workbook})
    assert response.status_code == 400
