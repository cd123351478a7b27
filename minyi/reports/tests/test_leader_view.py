"""A leader's own dashboard (issue 8): by default a leader sees the appeals of the villages they are
paired with and of the items they supervise, their items by track and the coverage of their villages;
they may switch to the whole district. Other roles are unaffected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal
from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign, Issue
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.rules import create_person
from minyi.outreach import rules as outreach_rules
from minyi.outreach.choices import PlanPeriod
from minyi.outreach.coverage import coverage
from minyi.reports import dashboard
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


@dataclass
class Seen:
    appeals: dict[str, Appeal]
    items: list[Issue]
    other_item: Issue


def _submit(channel: str, village: Unit, kind: str = Kind.HELP) -> Appeal:
    return appeal_rules.submit(
        channel=channel, kind=kind, title="路灯不亮", body="村口路灯坏了", village=village
    ).appeal


def _item(
    actors: Actors, campaign: Campaign, leader: User, lead: Unit, track: str, appeals: Any = ()
) -> Issue:
    return ledger_rules.create_issue(
        campaign=campaign, title="路灯整改", track=track, lead_unit=lead, leader=leader,
        deadline=timezone.localdate() + dt.timedelta(days=30), actor=actors.dispatcher, appeals=appeals,
    )  # fmt: skip


def _seed(actors: Actors) -> Seen:
    """The leader is paired with 西村 and supervises two items (教育局's, linked to an appeal of 南村;
    住建局's, linked to an appeal of 西村). Five appeals: three are the leader's."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="QZLX",
        name="群众路线",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
    )
    outreach_rules.create_pairing(
        actor=actors.dispatcher, person=actors.leader.person, unit=actors.village2, period=PlanPeriod.MONTH,
        started_on=today - dt.timedelta(days=10),
    )  # fmt: skip
    outreach_rules.create_pairing(  # another person's pairing: not the leader's
        actor=actors.dispatcher, person=actors.cadre.person, unit=actors.village, period=PlanPeriod.MONTH,
        started_on=today - dt.timedelta(days=10),
    )  # fmt: skip
    appeals = {
        "west_hotline": _submit(Channel.HOTLINE, actors.village2),  # their village
        "west_mailbox": _submit(Channel.MAILBOX, actors.village2, Kind.COMPLAINT),  # village and item
        "south_hotline": _submit(Channel.HOTLINE, actors.other_village),  # linked to their item
        "east_hotline": _submit(Channel.HOTLINE, actors.village),  # not theirs
        "east_letter": _submit(Channel.LETTER, actors.village),  # linked to another leader's item
    }
    items = [
        _item(actors, campaign, actors.leader, actors.edu, Track.FIX_NOW, [appeals["south_hotline"]]),
        _item(
            actors, campaign, actors.leader, actors.housing, Track.FIX_IN_CAMPAIGN, [appeals["west_mailbox"]]
        ),
    ]
    other = create_person(
        name="王副区长", unit=actors.district, role=Role.LEADER, username="leader2",
        password_hash=actors.leader.password, actor=None,
    )  # fmt: skip
    assert other.user is not None
    other_item = _item(actors, campaign, other.user, actors.office, Track.FIX_NOW, [appeals["east_letter"]])
    outreach_rules.record_visit(actor=actors.leader, visited_on=today, village=actors.village2)
    outreach_rules.record_visit(actor=actors.cadre, visited_on=today, village=actors.village)
    return Seen(appeals=appeals, items=items, other_item=other_item)


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _panels(page: Any) -> dict[str, dashboard.Panel]:
    return {panel.key: panel for panel in page.context["panels"]}


def _figures(panel: dashboard.Panel) -> dict[str, float]:
    return {row.label: row.value for row in panel.rows}


def test_a_leader_sees_their_items_villages_and_units_and_may_switch_to_the_district(actors: Actors) -> None:
    seen = _seed(actors)
    client = _client("leader")
    page = client.get("/reports/")
    assert page.status_code == 200
    assert page.context["form"]["view"].value() == "mine"
    assert (
        "我的事项、村和单位" in page.content.decode()
        or "My items, villages and units" in page.content.decode()
    )
    mine = _panels(page)
    hotline, mailbox = str(Channel.HOTLINE.label), str(Channel.MAILBOX.label)
    # 西村's two (one also linked to an item: counted once) and 南村's one linked to their item.
    assert _figures(mine["channel"]) == {hotline: 2, mailbox: 1}
    assert _figures(mine["township"]) == {actors.town.name: 2, actors.other_town.name: 1}
    assert _figures(mine["kind"]) == {str(Kind.HELP.label): 2, str(Kind.COMPLAINT.label): 1}
    assert sum(row.value for row in mine["daily"].rows) == 3
    assert mine["due"].rows[0].value == 3  # open now
    ledger = {row.label: row.text for row in mine["ledger"].rows}
    assert ledger == {str(Track.FIX_NOW.label): "0 / 1", str(Track.FIX_IN_CAMPAIGN.label): "0 / 1"}
    assert all(f"leader={actors.leader.pk}" in row.link for row in mine["ledger"].rows)
    assert mine["coverage"].rows[0].text.startswith("1 / 1 ")  # villages visited: 西村 only
    assert page.context["view"].mine.units == frozenset({actors.edu.pk, actors.housing.pk})

    page = client.get("/reports/", {"view": "district"})
    assert page.status_code == 200
    district = _panels(page)
    assert _figures(district["channel"]) == {hotline: 3, mailbox: 1, str(Channel.LETTER.label): 1}
    assert district["due"].rows[0].value == 5
    assert sum(row.value for row in district["ledger"].rows) == 0  # none signed off, of three items
    assert {row.text for row in district["ledger"].rows} == {"0 / 2", "0 / 1"}
    assert district["coverage"].rows[0].text.startswith("2 / 3 ")
    assert len(seen.items) == 2 and seen.other_item.leader != actors.leader


def test_a_leader_chooses_a_unit_within_the_district_not_within_their_own_part(actors: Actors) -> None:
    _seed(actors)
    client = _client("leader")
    refused = client.get("/reports/", {"view": "mine", "unit": str(actors.edu.pk)})
    assert refused.status_code == 400
    assert refused.context["form"].non_field_errors()
    page = client.get("/reports/", {"view": "district", "unit": str(actors.town.pk)})
    assert page.status_code == 200 and page.context["view"].mine is None
    assert page.context["view"].unit == actors.town
    # An older link with only a unit is a look at that unit of the district.
    assert client.get("/reports/", {"unit": actors.town.pk}).context["view"].unit == actors.town
    assert client.get("/reports/", {"view": "everything"}).status_code == 400


def test_others_are_unaffected_and_their_view_mine_is_ignored(actors: Actors) -> None:
    appeal = _seed(actors).appeals["east_hotline"]
    appeal_rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    head = _client("head_edu")
    for query in ({}, {"view": "mine"}):
        page = head.get("/reports/", query)
        assert page.status_code == 200
        assert "view" not in page.context["form"].fields
        assert page.context["view"].mine is None and page.context["view"].unit == actors.edu
        assert [row.value for row in _panels(page)["channel"].rows] == [1]  # what the bureau leads
    office = _client("dispatcher")
    page = office.get("/reports/", {"view": "mine"})
    assert page.status_code == 200 and page.context["view"].mine is None
    assert sum(row.value for row in _panels(page)["channel"].rows) == 5  # the whole district


def test_the_leaders_appeal_figures_cost_the_same_queries_however_many_appeals(actors: Actors) -> None:
    _seed(actors)
    view = dashboard.live_view(None, mine=dashboard.mine_of(actors.leader))

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            dashboard._appeal_panels(view)
            dashboard._due_panel(view)
        return len(queries)

    before = cost()
    for _i in range(5):
        _submit(Channel.HOTLINE, actors.village2)
    assert cost() == before
    figures = _figures(dashboard._appeal_panels(view)[0])
    assert figures[str(Channel.HOTLINE.label)] == 7


def test_coverage_of_chosen_villages_leaves_the_unrestricted_figures_alone(actors: Actors) -> None:
    _seed(actors)
    today = timezone.localdate()
    everything = coverage(date_from=today, date_to=today).total
    assert (everything.villages_visited, everything.villages_total) == (2, 3)
    assert everything.households_total == 1
    chosen = coverage(date_from=today, date_to=today, villages=[actors.village2.pk])
    assert (chosen.total.villages_visited, chosen.total.villages_total) == (1, 1)
    assert chosen.total.households_total == 0
    assert [row.name for row in chosen.townships] == [actors.town.name]
    assert not chosen.villages_not_visited().exists()


def test_a_leaders_numbers_link_to_the_list_of_their_own_part(actors: Actors) -> None:
    seen = _seed(actors)
    client = Client()
    client.login(username=actors.leader.username, password=PASSWORD)
    panels = {panel.key: panel for panel in client.get("/reports/").context["panels"]}
    hotline = next(row for row in panels["channel"].rows if row.value == 2)
    assert "my_part=1" in hotline.link and "channel=hotline" in hotline.link
    listed = client.get(hotline.link.replace("&state=", "") + "&state=").content.decode()
    mine = {seen.appeals["west_hotline"].number, seen.appeals["south_hotline"].number}
    assert all(str(number) in listed for number in mine)
    assert str(seen.appeals["east_hotline"].number) not in listed  # the same channel, not theirs
