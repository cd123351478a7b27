"""The rules of assistance: opening, handing out, delivering, declining, closing, eligibility, and every
bad input the issue names (a household outside the district, a type handed to a unit that does not
deliver it, a delivery without evidence) refused with a clear message and nothing saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from minyi.assistance import rules
from minyi.assistance.choices import AssistanceType as T
from minyi.assistance.choices import CaseState, PartState
from minyi.assistance.models import Case, CasePart, Coordination, Delivery, DeliveryRoute, EligibilityAnswer
from minyi.assistance.rules import DeliveryInput
from minyi.assistance.tests.fixtures import Assist, photo
from minyi.audit.models import AuditEvent
from minyi.org.choices import UnitKind
from minyi.org.models import Household, Unit
from minyi.org.rules import create_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are checked in English (the catalogue translates them into Chinese)."""
    with translation.override("en"):
        yield


def today() -> dt.date:
    return timezone.localdate()


def opened(assist: Assist, *types: str, days_ago: int = 0, household: Household | None = None) -> Case:
    return rules.open_case(
        actor=assist.coordinator,
        household=household or assist.actors.household,
        types=list(types),
        opened_at=timezone.now() - dt.timedelta(days=days_ago) if days_ago else None,
    )


def part_of(case: Case, type_: str) -> CasePart:
    return case.parts.get(type=type_)


def delivered(assist: Assist, case: Case, type_: str, unit_user: User, *, days_ago: int = 0) -> CasePart:
    part = part_of(case, type_)
    units: dict[str, Unit] = {
        T.MEDICAL: assist.health,
        T.EDUCATION: assist.actors.edu,
        T.SUBSISTENCE: assist.mz,
    }
    unit = units[type_]
    at = timezone.now() - dt.timedelta(days=days_ago) if days_ago else None
    rules.hand_out(part, actor=assist.coordinator, unit=unit, at=at, confirm_repeat=True)
    rules.record_delivery(
        part,
        actor=unit_user,
        item=DeliveryInput(delivered_on=today() - dt.timedelta(days=days_ago), amount=Decimal("800")),
        evidence=photo(),
    )
    part.refresh_from_db()
    return part


# --- opening ----------------------------------------------------------------------------------------


def test_a_cadre_opens_a_case_from_a_visit_in_their_area_and_the_parts_wait_for_the_coordinator(
    assist: Assist,
) -> None:
    case = rules.open_case(
        actor=assist.actors.cadre,
        household=assist.actors.household,
        types=[T.MEDICAL, T.EDUCATION, T.MEDICAL],
    )
    assert case.state == CaseState.OPEN
    assert case.township == assist.actors.town and case.coordinator == assist.mz
    assert sorted(case.parts.values_list("type", "state")) == [
        (T.EDUCATION, PartState.REQUESTED),
        (T.MEDICAL, PartState.REQUESTED),
    ]
    assert AuditEvent.objects.filter(action="assistance.case_opened", object_id=str(case.pk)).exists()
    # The coordinating unit's staff are told a case waits.
    assert assist.coordinator.notices.filter(text__contains=f"#{case.pk}").exists()


def test_a_household_outside_the_district_is_refused_and_nothing_is_saved(assist: Assist) -> None:
    other = create_unit(code="X", name="邻区", kind=UnitKind.DISTRICT, parent=None, actor=None)
    town = create_unit(code="XT", name="邻镇", kind=UnitKind.TOWNSHIP, parent=other, actor=None)
    village = create_unit(code="XTV", name="邻村", kind=UnitKind.VILLAGE, parent=town, actor=None)
    stranger = Household.objects.create(code="XTV-001", village=village, head_name="外区户")
    with pytest.raises(ValidationError) as error:
        rules.open_case(actor=assist.coordinator, household=stranger, types=[T.MEDICAL])
    assert "outside the district" in str(error.value.message_dict["household"])
    assert Case.objects.count() == 0 and CasePart.objects.count() == 0


def test_a_cadre_may_not_open_a_case_for_a_household_outside_their_area(assist: Assist) -> None:
    with pytest.raises(ValidationError) as error:
        rules.open_case(actor=assist.actors.cadre, household=assist.far_household, types=[T.MEDICAL])
    assert "household" in error.value.message_dict
    assert Case.objects.count() == 0


def test_the_coordinator_opens_cases_anywhere_in_the_district(assist: Assist) -> None:
    case = rules.open_case(actor=assist.coordinator, household=assist.far_household, types=[T.HOUSING])
    assert case.township == assist.actors.other_town


def test_a_case_needs_a_type_of_assistance(assist: Assist) -> None:
    with pytest.raises(ValidationError) as error:
        rules.open_case(actor=assist.coordinator, household=assist.actors.household, types=[])
    assert "types" in error.value.message_dict
    with pytest.raises(ValidationError):
        rules.open_case(actor=assist.coordinator, household=assist.actors.household, types=["luxury"])
    assert Case.objects.count() == 0


def test_staff_of_another_unit_may_not_open_or_coordinate(assist: Assist) -> None:
    with pytest.raises(PermissionDenied):
        rules.open_case(actor=assist.actors.handler_edu, household=assist.actors.household, types=[T.MEDICAL])
    case = opened(assist, T.MEDICAL)
    with pytest.raises(PermissionDenied):
        rules.hand_out(part_of(case, T.MEDICAL), actor=assist.actors.handler_edu, unit=assist.health)
    with pytest.raises(PermissionDenied):
        rules.close_case(case, actor=assist.handler_health)


def test_without_a_coordinating_unit_nothing_opens(assist: Assist) -> None:
    Coordination.objects.all().delete()
    with pytest.raises(ValidationError) as error:
        rules.open_case(actor=assist.actors.cadre, household=assist.actors.household, types=[T.MEDICAL])
    assert error.value.code == "no_coordinator"
    assert Case.objects.count() == 0


def test_a_difficulty_of_another_household_is_not_the_source_of_this_case(assist: Assist) -> None:
    from minyi.outreach import rules as outreach_rules
    from minyi.outreach.rules import DifficultyInput

    visit = outreach_rules.record_visit(
        actor=assist.actors.cadre, visited_on=today(), village=assist.actors.village,
        household=assist.household2, difficulties=[DifficultyInput("看病贵")],
    )  # fmt: skip
    difficulty = visit.difficulties.get()
    with pytest.raises(ValidationError):
        rules.open_case(
            actor=assist.actors.cadre, household=assist.actors.household, types=[T.MEDICAL],
            source_difficulty=difficulty,
        )  # fmt: skip
    case = rules.open_case(
        actor=assist.actors.cadre,
        household=assist.household2,
        types=[T.MEDICAL],
        source_difficulty=difficulty,
    )
    assert case.source_difficulty == difficulty


# --- handing out ---------------------------------------------------------------------------------------


def test_a_type_handed_to_a_unit_that_does_not_deliver_it_is_refused_and_nothing_changes(
    assist: Assist,
) -> None:
    case = opened(assist, T.MEDICAL)
    part = part_of(case, T.MEDICAL)
    with pytest.raises(ValidationError) as error:
        rules.hand_out(part, actor=assist.coordinator, unit=assist.actors.edu)
    assert "does not deliver" in str(error.value.message_dict["unit"])
    part.refresh_from_db()
    assert part.state == PartState.REQUESTED and part.unit is None and part.handed_at is None


def test_an_inactive_route_does_not_deliver(assist: Assist) -> None:
    DeliveryRoute.objects.filter(type=T.MEDICAL).update(is_active=False)
    part = part_of(opened(assist, T.MEDICAL), T.MEDICAL)
    with pytest.raises(ValidationError):
        rules.hand_out(part, actor=assist.coordinator, unit=assist.health)


def test_handing_out_tells_the_unit(assist: Assist) -> None:
    part = part_of(opened(assist, T.MEDICAL), T.MEDICAL)
    rules.hand_out(part, actor=assist.coordinator, unit=assist.health)
    part.refresh_from_db()
    assert part.state == PartState.HANDED and part.unit == assist.health and not part.repeat_confirmed
    assert assist.handler_health.notices.filter(link=f"/assistance/parts/{part.pk}/").exists()


# --- double receipt warning ----------------------------------------------------------------------------


def test_the_same_type_again_within_the_period_needs_the_coordinators_confirmation(assist: Assist) -> None:
    first = opened(assist, T.MEDICAL, days_ago=100)
    delivered(assist, first, T.MEDICAL, assist.handler_health, days_ago=90)
    second = opened(assist, T.MEDICAL, T.EDUCATION)
    part = part_of(second, T.MEDICAL)
    assert [p.pk for p in rules.repeats(part)] == [part_of(first, T.MEDICAL).pk]
    with pytest.raises(ValidationError) as error:
        rules.hand_out(part, actor=assist.coordinator, unit=assist.health)
    assert error.value.code == "repeat" and f"#{first.pk}" in error.value.messages[0]
    part.refresh_from_db()
    assert part.state == PartState.REQUESTED
    # Another type of the same household is no repeat; the same type confirmed goes through.
    rules.hand_out(part_of(second, T.EDUCATION), actor=assist.coordinator, unit=assist.actors.edu)
    rules.hand_out(part, actor=assist.coordinator, unit=assist.health, confirm_repeat=True)
    part.refresh_from_db()
    assert part.state == PartState.HANDED and part.repeat_confirmed


def test_no_warning_after_the_period_or_for_another_household(assist: Assist) -> None:
    assist.config.repeat_days = 60
    assist.config.save()
    first = opened(assist, T.MEDICAL, days_ago=100)
    delivered(assist, first, T.MEDICAL, assist.handler_health, days_ago=90)
    neighbour = opened(assist, T.MEDICAL, household=assist.household2)
    rules.hand_out(part_of(neighbour, T.MEDICAL), actor=assist.coordinator, unit=assist.health)
    again = opened(assist, T.MEDICAL)
    rules.hand_out(part_of(again, T.MEDICAL), actor=assist.coordinator, unit=assist.health)
    assert not part_of(again, T.MEDICAL).repeat_confirmed


def test_a_declined_part_is_no_receipt(assist: Assist) -> None:
    # Handed to the health bureau, which found the household not eligible: nothing was received.
    first = part_of(opened(assist, T.MEDICAL), T.MEDICAL)
    rules.hand_out(first, actor=assist.coordinator, unit=assist.health)
    rules.decline_part(first, actor=assist.handler_health, reason="不符合条件")
    part = part_of(opened(assist, T.MEDICAL), T.MEDICAL)
    assert not rules.repeats(part).exists()
    rules.hand_out(part, actor=assist.coordinator, unit=assist.health)  # no confirmation asked
    part.refresh_from_db()
    assert part.state == PartState.HANDED and not part.repeat_confirmed


# --- delivery ---------------------------------------------------------------------------------------------


def handed(assist: Assist, type_: str = T.MEDICAL) -> CasePart:
    part = part_of(opened(assist, type_), type_)
    units: dict[str, Unit] = {T.MEDICAL: assist.health, T.EDUCATION: assist.actors.edu}
    unit = units[type_]
    return rules.hand_out(part, actor=assist.coordinator, unit=unit)


def test_a_delivery_without_evidence_is_refused_and_nothing_is_saved(assist: Assist) -> None:
    part = handed(assist)
    item = DeliveryInput(delivered_on=today(), amount=Decimal("1200.50"), service="住院费用报销")
    with pytest.raises(ValidationError) as error:
        rules.record_delivery(part, actor=assist.handler_health, item=item, evidence=None)
    assert "evidence" in error.value.message_dict
    text = SimpleUploadedFile("receipt.png", b"not a picture at all", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        rules.record_delivery(part, actor=assist.handler_health, item=item, evidence=text)
    assert "evidence" in error.value.message_dict
    part.refresh_from_db()
    assert Delivery.objects.count() == 0 and part.state == PartState.HANDED


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (DeliveryInput(delivered_on=dt.date(2000, 1, 1), amount=Decimal("10")), "delivered_on"),
        (DeliveryInput(delivered_on=dt.date(2999, 1, 1), amount=Decimal("10")), "delivered_on"),
        (DeliveryInput(delivered_on=dt.date(2000, 1, 1), service=""), "service"),
        (DeliveryInput(delivered_on=dt.date(2000, 1, 1), amount=Decimal("-5")), "amount"),
    ],
)
def test_a_delivery_says_what_was_given_on_a_possible_day(
    assist: Assist, item: DeliveryInput, field: str
) -> None:
    part = handed(assist)
    if field in ("service", "amount"):
        item = DeliveryInput(delivered_on=today(), amount=item.amount, service=item.service)
    with pytest.raises(ValidationError) as error:
        rules.record_delivery(part, actor=assist.handler_health, item=item, evidence=photo())
    assert field in error.value.message_dict
    assert Delivery.objects.count() == 0


def test_only_the_unit_the_part_is_handed_to_records_delivery(assist: Assist) -> None:
    part = handed(assist)
    item = DeliveryInput(delivered_on=today(), service="家庭医生签约")
    for outsider in (assist.actors.handler_edu, assist.coordinator, assist.actors.cadre):
        with pytest.raises(PermissionDenied):
            rules.record_delivery(part, actor=outsider, item=item, evidence=photo())
    delivery = rules.record_delivery(part, actor=assist.handler_health, item=item, evidence=photo())
    part.refresh_from_db()
    assert part.state == PartState.DELIVERED and part.delivered_on == today()
    assert delivery.delivered_by.name == "秦医保" and delivery.content_type == "image/png"
    assert delivery.sha256 and delivery.original_name == "receipt.png"


def test_a_requested_part_cannot_be_delivered(assist: Assist) -> None:
    part = part_of(opened(assist, T.MEDICAL), T.MEDICAL)
    with pytest.raises(PermissionDenied):  # no unit holds it yet
        rules.record_delivery(
            part, actor=assist.handler_health, item=DeliveryInput(today(), service="x"), evidence=photo()
        )


def test_declining_needs_a_reason(assist: Assist) -> None:
    part = handed(assist)
    with pytest.raises(ValidationError):
        rules.decline_part(part, actor=assist.handler_health, reason="  ")
    rules.decline_part(part, actor=assist.handler_health, reason="已享受医保全额报销")
    part.refresh_from_db()
    assert part.state == PartState.DECLINED
    with pytest.raises(ValidationError):
        rules.decline_part(part, actor=assist.handler_health, reason="again")


# --- closing, eligibility, stale ---------------------------------------------------------------------


def test_a_case_closes_only_when_every_part_is_finished(assist: Assist) -> None:
    case = opened(assist, T.MEDICAL, T.EDUCATION)
    delivered(assist, case, T.MEDICAL, assist.handler_health)
    with pytest.raises(ValidationError) as error:
        rules.close_case(case, actor=assist.coordinator)
    assert error.value.code == "pending"
    rules.decline_part(part_of(case, T.EDUCATION), actor=assist.coordinator, reason="孩子已毕业")
    rules.close_case(case, actor=assist.coordinator)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closed_at is not None
    with pytest.raises(ValidationError):
        rules.add_part(case, actor=assist.coordinator, type=T.HOUSING)


def test_the_eligibility_checklist_is_recorded_per_case(assist: Assist) -> None:
    case = opened(assist, T.MEDICAL)
    first, second = assist.medical_items
    rules.record_eligibility(
        case, actor=assist.coordinator, answers={first.pk: (True, ""), second.pk: (False, "缺票据")}
    )
    rules.record_eligibility(case, actor=assist.coordinator, answers={second.pk: (True, "已补")})
    answers = {a.item_id: (a.met, a.note) for a in EligibilityAnswer.objects.filter(case=case)}
    assert answers == {first.pk: (True, ""), second.pk: (True, "已补")}
    education = opened(assist, T.EDUCATION, household=assist.household2)
    with pytest.raises(ValidationError):
        rules.record_eligibility(education, actor=assist.coordinator, answers={first.pk: (True, "")})
    assert not EligibilityAnswer.objects.filter(case=education).exists()


def test_stale_cases_are_open_cases_with_nothing_delivered_for_the_period(assist: Assist) -> None:
    quiet = opened(assist, T.MEDICAL, days_ago=40)  # nothing handed, nothing delivered
    fresh = opened(assist, T.MEDICAL, household=assist.household2, days_ago=10)
    old_delivery = opened(assist, T.MEDICAL, T.EDUCATION, household=assist.far_household, days_ago=80)
    delivered(assist, old_delivery, T.MEDICAL, assist.handler_health, days_ago=70)
    recent = opened(assist, T.SUBSISTENCE, days_ago=60)
    delivered(assist, recent, T.SUBSISTENCE, assist.coordinator, days_ago=5)
    closed = opened(assist, T.EDUCATION, household=assist.household2, days_ago=50)
    rules.decline_part(part_of(closed, T.EDUCATION), actor=assist.coordinator, reason="重复申请")
    rules.close_case(closed, actor=assist.coordinator)
    assert [c.pk for c in rules.stale_cases()] == [old_delivery.pk, quiet.pk]
    assert fresh.pk not in [c.pk for c in rules.stale_cases()]
    assist.config.stale_days = 90
    assist.config.save()
    assert list(rules.stale_cases()) == []


def test_the_stale_job_tells_the_coordinating_unit(assist: Assist) -> None:
    from minyi.assistance.jobs import warn_stale_cases

    opened(assist, T.MEDICAL, days_ago=40)
    warn_stale_cases({})
    assert assist.mz_head.notices.filter(text__contains="1").exists()
    assert not assist.handler_health.notices.exists()
