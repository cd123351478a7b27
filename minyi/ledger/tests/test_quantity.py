"""Quantities in plans: an item or a step carries a planned quantity with a unit (河道清淤疏浚 11 公里), its
progress derives from what is reported done, and the ledger shows "完成疏浚11公里"."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone, translation

from minyi.ledger import rules
from minyi.ledger.choices import EventKind, Track
from minyi.ledger.models import Campaign, Issue, Milestone
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(actors: Actors) -> Campaign:
    return Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                                   ends_on=date(2026, 12, 31))  # fmt: skip


def dredging(actors: Actors, campaign: Campaign, **fields: object) -> Issue:
    values: dict[str, object] = {
        "campaign": campaign, "title": "河道清淤疏浚", "track": Track.LONG_TERM, "lead_unit": actors.edu,
        "leader": actors.leader, "deadline": timezone.localdate() + timedelta(days=60),
        "actor": actors.dispatcher,
        "quantity_total": Decimal("11"), "quantity_unit": "公里", "quantity_label": "疏浚",
    }  # fmt: skip
    values.update(fields)
    return rules.create_issue(**values)  # type: ignore[arg-type]


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def test_progress_derives_from_the_quantity_done(actors: Actors, campaign: Campaign) -> None:
    issue = dredging(actors, campaign, quantity_label="dredged", quantity_unit="km")
    assert rules.progress(issue) == 0
    with translation.override("en"):
        assert rules.quantity_text(issue) == "dredged 0 km done of 11 km"
    issue = rules.report_quantity(issue, actor=actors.handler_edu, done=Decimal("5.5"))  # type: ignore[assignment]
    assert rules.progress(issue) == 50
    issue = rules.report_quantity(issue, actor=actors.handler_edu, done="11")  # type: ignore[assignment]
    assert rules.progress(issue) == 100
    with translation.override("en"):
        assert rules.quantity_text(issue) == "dredged 11 km done"
    event = issue.events.get(kind=EventKind.QUANTITY, data__done="11")
    assert event.note == rules.quantity_text(issue) and event.data["before"] == "5.50"


def test_a_quantity_above_its_total_or_below_zero_is_refused_and_nothing_saved(
    actors: Actors, campaign: Campaign
) -> None:
    issue = dredging(actors, campaign)
    rules.report_quantity(issue, actor=actors.handler_edu, done=8)
    cases = [
        (Decimal("11.5"), "cannot be more than the planned 11 公里"),
        (Decimal("-1"), "below zero"),
        ("十一", "Enter a number."),
        ("1.005", "at most two decimals"),
        ("1e12", "ten billion"),
    ]
    for bad, message in cases:
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            rules.report_quantity(issue, actor=actors.handler_edu, done=bad)
        assert message in str(refused.value.message_dict["quantity_done"])
    issue.refresh_from_db()
    assert issue.quantity_done == Decimal(8)
    assert issue.events.filter(kind=EventKind.QUANTITY).count() == 1


def test_a_total_needs_a_unit_and_must_be_positive(actors: Actors, campaign: Campaign) -> None:
    with pytest.raises(ValidationError) as refused:
        dredging(actors, campaign, quantity_unit=" ")
    assert "quantity_unit" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        dredging(actors, campaign, quantity_total=Decimal(0))
    assert "quantity_total" in refused.value.message_dict
    assert not Issue.objects.exists()


def test_only_the_units_working_on_the_item_report_its_quantity(actors: Actors, campaign: Campaign) -> None:
    issue = dredging(actors, campaign)
    for outsider in (actors.handler_housing, actors.outsider, actors.auditor):
        with pytest.raises(PermissionDenied):
            rules.report_quantity(issue, actor=outsider, done=3)
    issue.refresh_from_db()
    assert issue.quantity_done == 0


def test_an_item_without_a_planned_quantity_takes_no_report(actors: Actors, campaign: Campaign) -> None:
    issue = dredging(actors, campaign, quantity_total=None, quantity_unit="")
    assert rules.progress(issue) is None and rules.quantity_text(issue) == ""
    with pytest.raises(ValidationError):
        rules.report_quantity(issue, actor=actors.handler_edu, done=1)


def test_a_step_carries_its_own_quantity(actors: Actors, campaign: Campaign) -> None:
    issue = dredging(actors, campaign, quantity_total=None, quantity_unit="")
    step = rules.add_milestone(issue, actor=actors.dispatcher, title="完成一期疏浚", due_on=issue.deadline,
                               owner=actors.edu, quantity_total=Decimal(4), quantity_unit="公里")  # fmt: skip
    with pytest.raises(ValidationError):
        rules.report_quantity(step, actor=actors.handler_edu, done=5)
    rules.report_quantity(step, actor=actors.handler_edu, done=4)
    assert Milestone.objects.get(pk=step.pk).quantity_done == 4
    assert (
        rules.quantity_text(Milestone.objects.get(pk=step.pk))
        in issue.events.get(kind=EventKind.QUANTITY).note
    )


def test_editing_the_total_below_what_is_done_is_refused(actors: Actors, campaign: Campaign) -> None:
    issue = dredging(actors, campaign)
    rules.report_quantity(issue, actor=actors.handler_edu, done=8)
    with pytest.raises(ValidationError) as refused:
        rules.edit_issue(issue, actor=actors.dispatcher, quantity_total=Decimal(6))
    assert "quantity_total" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        rules.edit_issue(issue, actor=actors.dispatcher, quantity_unit="")
    assert "quantity_unit" in refused.value.message_dict
    rules.edit_issue(issue, actor=actors.dispatcher, quantity_total=Decimal(12))
    issue.refresh_from_db()
    assert (issue.quantity_total, issue.quantity_unit, rules.progress(issue)) == (Decimal(12), "公里", 67)


def test_the_ledger_list_and_the_item_page_show_the_quantity(
    actors: Actors, campaign: Campaign, client: Client
) -> None:
    issue = dredging(actors, campaign)
    rules.report_quantity(issue, actor=actors.handler_edu, done=11)
    login(client, "dispatcher")
    issue.refresh_from_db()
    shown = rules.quantity_text(issue)  # "完成疏浚11公里" in the site's language
    page = client.get("/ledger/").content.decode()
    assert shown in page and "100%" in page
    assert shown in client.get(f"/ledger/{issue.pk}/").content.decode()


def test_the_item_page_reports_a_quantity_and_refuses_one_above_the_total(
    actors: Actors, campaign: Campaign, client: Client
) -> None:
    issue = dredging(actors, campaign)
    login(client, "handler_edu")
    url = f"/ledger/{issue.pk}/quantity/"
    refused = client.post(url, {"version": issue.version, "quantity_done": "12"})
    assert refused.status_code == 400
    message = translation.gettext(
        "The quantity done (%(done)s) cannot be more than the planned %(total)s %(unit)s."
    )
    assert message % {"done": "12", "total": "11", "unit": "公里"} in refused.content.decode()
    issue.refresh_from_db()
    assert issue.quantity_done == 0
    done = client.post(url, {"version": issue.version, "quantity_done": "7"})
    assert done.status_code == 302
    issue.refresh_from_db()
    assert issue.quantity_done == 7


def test_the_new_item_form_asks_for_the_unit_of_a_quantity(
    actors: Actors, campaign: Campaign, client: Client
) -> None:
    login(client, "dispatcher")
    data = {
        "campaign": campaign.pk, "source": "own", "title": "河道清淤疏浚", "track": Track.LONG_TERM,
        "lead_unit": actors.edu.pk, "leader": actors.leader.pk,
        "deadline": (timezone.localdate() + timedelta(days=30)).isoformat(), "quantity_total": "11",
    }  # fmt: skip
    refused = client.post("/ledger/new/", data)
    assert refused.status_code == 400
    assert translation.gettext("Give the unit of the quantity, e.g. 公里 or 户.") in refused.content.decode()
    assert not Issue.objects.exists()
    created = client.post("/ledger/new/", {**data, "quantity_unit": "公里", "quantity_label": "疏浚"})
    assert created.status_code == 302
    issue = Issue.objects.get()
    assert (issue.quantity_total, issue.quantity_unit, issue.quantity_label) == (Decimal(11), "公里", "疏浚")


def test_the_planned_quantity_is_set_on_the_item_page_by_who_plans(
    actors: Actors, campaign: Campaign, client: Client
) -> None:
    issue = dredging(actors, campaign, quantity_total=None, quantity_unit="", quantity_label="")
    url = f"/ledger/{issue.pk}/quantity-plan/"
    payload = {"version": issue.version, "quantity_total": "11", "quantity_unit": "公里"}
    assert login(Client(), "auditor").post(url, payload).status_code == 403
    login(client, "dispatcher")
    assert client.post(url, {**payload, "quantity_unit": ""}).status_code == 400
    assert client.post(url, payload).status_code == 302
    issue.refresh_from_db()
    assert (issue.quantity_total, issue.quantity_unit) == (Decimal(11), "公里")
