"""The assistance pages through HTTP: the privacy split (the coordinator sees the whole history across
departments; a delivering unit sees only its own part), personal data masked or shown and audited,
the double-receipt warning on the case page, and the bad inputs refused with a message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.assistance import rules
from minyi.assistance.choices import AssistanceType as T
from minyi.assistance.choices import PartState
from minyi.assistance.models import Case, CasePart, Delivery
from minyi.assistance.rules import DeliveryInput
from minyi.assistance.tests.fixtures import Assist, photo
from minyi.audit.models import AuditEvent
from minyi.outreach import rules as outreach_rules
from minyi.outreach.rules import DifficultyInput

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def two_part_case(assist: Assist) -> Case:
    """A case of 王大海's household: medical handed to WJ and delivered, education handed to EDU;
    and an earlier housing case of the same household, delivered by the housing bureau."""
    earlier = rules.open_case(
        actor=assist.coordinator, household=assist.actors.household, types=[T.HOUSING],
        opened_at=timezone.now() - dt.timedelta(days=200),
    )  # fmt: skip
    housing = earlier.parts.get()
    rules.hand_out(housing, actor=assist.coordinator, unit=assist.actors.housing,
                   at=timezone.now() - dt.timedelta(days=199))  # fmt: skip
    rules.record_delivery(
        housing, actor=assist.actors.handler_housing,
        item=DeliveryInput(timezone.localdate() - dt.timedelta(days=150), service="危房改造补助"),
        evidence=photo(),
    )  # fmt: skip
    case = rules.open_case(
        actor=assist.coordinator, household=assist.actors.household, types=[T.MEDICAL, T.EDUCATION]
    )
    medical, education = case.parts.get(type=T.MEDICAL), case.parts.get(type=T.EDUCATION)
    rules.hand_out(medical, actor=assist.coordinator, unit=assist.health)
    rules.hand_out(education, actor=assist.coordinator, unit=assist.actors.edu)
    rules.record_delivery(
        medical, actor=assist.handler_health,
        item=DeliveryInput(timezone.localdate(), amount=Decimal("3000"), service="大病医疗救助"),
        evidence=photo(),
    )  # fmt: skip
    return case


def test_the_coordinator_sees_the_whole_history_across_departments(assist: Assist) -> None:
    case = two_part_case(assist)
    page = client_for(assist.coordinator).get(f"/assistance/cases/{case.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    for unit in ("区卫生健康局", "区教育局", "区住建局"):
        assert unit in html
    assert "大病医疗救助" in html and "危房改造补助" in html
    desk = client_for(assist.coordinator).get("/assistance/cases/").content.decode()
    assert f"/assistance/cases/{case.pk}/" in desk
    # The auditors read every case too, and change nothing.
    audited = client_for(assist.actors.auditor).get(f"/assistance/cases/{case.pk}/").content.decode()
    assert "危房改造补助" in audited and 'name="hand-out"' not in audited
    html_coord = client_for(assist.coordinator).get(f"/assistance/cases/{case.pk}/").content.decode()
    assert 'name="hand-out"' in html_coord  # education is handed but not yet delivered: it may be moved


def test_a_delivering_unit_sees_only_its_own_part(assist: Assist) -> None:
    case = two_part_case(assist)
    medical, education = case.parts.get(type=T.MEDICAL), case.parts.get(type=T.EDUCATION)
    edu = client_for(assist.actors.handler_edu)
    listing = edu.get("/assistance/parts/").content.decode()
    assert f"/assistance/parts/{education.pk}/" in listing
    assert f"/assistance/parts/{medical.pk}/" not in listing
    page = edu.get(f"/assistance/parts/{education.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "大病医疗救助" not in html and "危房改造补助" not in html and "区卫生健康局" not in html
    assert edu.get(f"/assistance/parts/{medical.pk}/").status_code == 404
    assert edu.get(f"/assistance/cases/{case.pk}/").status_code == 404
    assert edu.get("/assistance/cases/").status_code == 403
    delivery = Delivery.objects.get(part=medical)
    assert edu.get(f"/assistance/deliveries/{delivery.pk}/evidence/").status_code == 404
    assert (
        client_for(assist.handler_health).get(f"/assistance/deliveries/{delivery.pk}/evidence/").status_code
        == 200
    )
    # A unit with nothing handed to it sees nothing; another township's handler neither.
    outsider = client_for(assist.actors.outsider)
    assert outsider.get(f"/assistance/parts/{education.pk}/").status_code == 404


def test_personal_data_is_masked_for_handlers_and_shown_and_audited_for_heads(assist: Assist) -> None:
    case = two_part_case(assist)
    education = case.parts.get(type=T.EDUCATION)
    handler_page = (
        client_for(assist.actors.handler_edu).get(f"/assistance/parts/{education.pk}/").content.decode()
    )
    assert "王**" in handler_page and "王大海" not in handler_page and "13900001111" not in handler_page
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
    head_page = client_for(assist.actors.head_edu).get(f"/assistance/parts/{education.pk}/").content.decode()
    assert "王大海" in head_page and "13900001111" in head_page
    seen = AuditEvent.objects.get(action="personal_data.view")
    assert seen.actor == assist.actors.head_edu and "phone" in seen.detail["fields"]
    client_for(assist.mz_head).get(f"/assistance/cases/{case.pk}/")
    assert AuditEvent.objects.filter(action="personal_data.view", actor=assist.mz_head).count() == 1


def test_a_cadre_opens_a_case_from_the_visit_page(assist: Assist) -> None:
    visit = outreach_rules.record_visit(
        actor=assist.actors.cadre, visited_on=timezone.localdate(), village=assist.actors.village,
        household=assist.actors.household, difficulties=[DifficultyInput("孩子上学困难，老人住院")],
    )  # fmt: skip
    difficulty = visit.difficulties.get()
    cadre = client_for(assist.actors.cadre)
    page = cadre.get(f"/outreach/visits/{visit.pk}/").content.decode()
    assert f"/assistance/cases/new/?difficulty={difficulty.pk}" in page
    form = cadre.get(f"/assistance/cases/new/?difficulty={difficulty.pk}").content.decode()
    assert assist.actors.household.code in form
    answer = cadre.post(
        "/assistance/cases/new/",
        {
            "difficulty": difficulty.pk,
            "household_code": assist.actors.household.code,
            "types": [T.MEDICAL, T.EDUCATION],
        },
    )
    assert answer.status_code == 302 and answer["Location"] == f"/outreach/visits/{visit.pk}/"
    case = Case.objects.get()
    assert case.source_difficulty == difficulty and case.parts.count() == 2


def test_the_appeal_page_offers_a_case_with_the_household_suggested(assist: Assist) -> None:
    submission = appeal_rules.submit(
        channel=Channel.HOTLINE, kind=Kind.HELP, title="看病难", body="家里老人住院，费用困难",
        actor=assist.actors.operator, village=assist.actors.village, township=assist.actors.town,
        citizen_name="王大海", citizen_phone="13900001111",
    )  # fmt: skip
    number = submission.appeal.number
    dispatcher = client_for(assist.actors.dispatcher)
    assert f"/assistance/cases/new/?appeal={number}" in dispatcher.get(f"/appeals/{number}/").content.decode()
    form = dispatcher.get(f"/assistance/cases/new/?appeal={number}").content.decode()
    assert f'value="{assist.actors.household.code}"' in form
    assert (
        f"/assistance/cases/new/?appeal={number}"
        not in client_for(assist.actors.auditor).get(f"/appeals/{number}/").content.decode()
    )


def test_opening_a_case_for_an_unknown_or_out_of_area_household_shows_the_reason(assist: Assist) -> None:
    cadre = client_for(assist.actors.cadre)
    page = cadre.post("/assistance/cases/new/", {"household_code": "NOPE", "types": [T.MEDICAL]})
    assert page.status_code == 200 and "NOPE" in page.content.decode()
    page = cadre.post(
        "/assistance/cases/new/", {"household_code": assist.far_household.code, "types": [T.MEDICAL]}
    )
    assert page.status_code == 200 and 'role="alert"' in page.content.decode()
    assert Case.objects.count() == 0


def test_the_case_page_warns_of_a_repeat_and_hands_out_only_when_confirmed(assist: Assist) -> None:
    case = two_part_case(assist)
    again = rules.open_case(actor=assist.coordinator, household=assist.actors.household, types=[T.MEDICAL])
    part = again.parts.get()
    coordinator = client_for(assist.coordinator)
    html = coordinator.get(f"/assistance/cases/{again.pk}/").content.decode()
    assert "repeat-warning" in html and f"/assistance/cases/{case.pk}/" in html
    prefix = f"part-{part.pk}"
    refused = coordinator.post(f"/assistance/parts/{part.pk}/hand/", {f"{prefix}-unit": assist.health.pk})
    assert refused.status_code == 400
    part.refresh_from_db()
    assert part.state == PartState.REQUESTED
    done = coordinator.post(
        f"/assistance/parts/{part.pk}/hand/",
        {f"{prefix}-unit": assist.health.pk, f"{prefix}-confirm_repeat": "on"},
    )
    assert done.status_code == 302
    part.refresh_from_db()
    assert part.state == PartState.HANDED and part.repeat_confirmed


def test_handing_to_a_unit_that_does_not_deliver_the_type_is_refused_on_the_page(assist: Assist) -> None:
    case = rules.open_case(actor=assist.coordinator, household=assist.actors.household, types=[T.MEDICAL])
    part = case.parts.get()
    answer = client_for(assist.coordinator).post(
        f"/assistance/parts/{part.pk}/hand/", {f"part-{part.pk}-unit": assist.actors.edu.pk}
    )
    assert answer.status_code == 400 and 'role="alert"' in answer.content.decode()
    assert CasePart.objects.get(pk=part.pk).state == PartState.REQUESTED


def test_a_delivery_without_evidence_is_refused_on_the_page(assist: Assist) -> None:
    case = two_part_case(assist)
    education = case.parts.get(type=T.EDUCATION)
    edu = client_for(assist.actors.handler_edu)
    data = {"delivered_on": timezone.localdate().isoformat(), "amount": "500", "service": "助学金"}
    refused = edu.post(f"/assistance/parts/{education.pk}/deliver/", data)
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert not Delivery.objects.filter(part=education).exists()
    done = edu.post(f"/assistance/parts/{education.pk}/deliver/", {**data, "evidence": photo()})
    assert done.status_code == 302
    assert CasePart.objects.get(pk=education.pk).state == PartState.DELIVERED


def test_the_coordinator_records_eligibility_and_closes_the_case(assist: Assist) -> None:
    case = two_part_case(assist)
    first, second = assist.medical_items
    coordinator = client_for(assist.coordinator)
    answer = coordinator.post(
        f"/assistance/cases/{case.pk}/eligibility/", {f"met_{first.pk}": "on", f"note_{second.pk}": "待补"}
    )
    assert answer.status_code == 302
    assert {(a.item_id, a.met) for a in case.eligibility.all()} == {(first.pk, True), (second.pk, False)}
    rules.decline_part(
        case.parts.get(type=T.EDUCATION), actor=assist.actors.handler_edu, reason="已获其他资助"
    )
    assert 'name="close-case"' in coordinator.get(f"/assistance/cases/{case.pk}/").content.decode()
    assert coordinator.post(f"/assistance/cases/{case.pk}/close/").status_code == 302
    case.refresh_from_db()
    assert case.state == "closed"


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_do_not_grow_queries_with_their_rows(assist: Assist) -> None:
    coordinator, edu = client_for(assist.coordinator), client_for(assist.actors.handler_edu)

    def add_case(household: object) -> None:
        case = rules.open_case(actor=assist.coordinator, household=household, types=[T.EDUCATION, T.MEDICAL])  # type: ignore[arg-type]
        rules.hand_out(case.parts.get(type=T.EDUCATION), actor=assist.coordinator, unit=assist.actors.edu,
                       confirm_repeat=True)  # fmt: skip

    add_case(assist.actors.household)
    few = (_queries(coordinator, "/assistance/cases/"), _queries(edu, "/assistance/parts/"))
    for household in (assist.household2, assist.far_household, assist.actors.household):
        add_case(household)
    assert (_queries(coordinator, "/assistance/cases/"), _queries(edu, "/assistance/parts/")) == few
