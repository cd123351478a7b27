"""The rules of symposia: holding one, editing it, the all-or-nothing batch of opinions, and scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from minyi.appeals.choices import Channel, Kind, State
from minyi.appeals.models import Appeal, Category
from minyi.audit.models import AuditEvent
from minyi.ledger.models import Campaign
from minyi.org.choices import Role
from minyi.org.permissions import can, visible
from minyi.org.rules import create_person
from minyi.symposia import rules
from minyi.symposia.access import SymposiumPerm
from minyi.symposia.choices import Group
from minyi.symposia.models import Opinion, Symposium
from minyi.symposia.rules import OpinionInput
from minyi.symposia.tests.fixtures import build
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def hold(actors: Actors, **changes: Any) -> Symposium:
    arguments: dict[str, Any] = {
        "actor": actors.cadre,
        "held_on": YESTERDAY,
        "title": "村民代表恳谈会",
        "host": actors.town,
        "host_name": "海城镇党委书记",
        "group": Group.VILLAGERS,
        "attendees": 18,
        "minutes": "18位村民代表参加，围绕村里的难事急事发言。",
        "township": actors.town,
        "village": actors.village,
        "place": "东村村委会",
    }
    arguments.update(changes)
    return rules.hold_symposium(**arguments)


def test_a_cadre_holds_a_symposium_and_its_opinions_become_linked_appeals(actors: Actors) -> None:
    symposium = hold(actors)
    assert (symposium.host, symposium.township, symposium.village) == (
        actors.town,
        actors.town,
        actors.village,
    )
    assert symposium.recorded_by == actors.cadre
    roads = Category.objects.create(code="roads", name="道路交通")
    appeals = rules.add_opinions(
        symposium,
        [
            OpinionInput("村道路灯坏了半年没人修，晚上出行不安全", category=roads),
            OpinionInput("医保报销太慢", kind=Kind.COMPLAINT, speaker="王大海"),
            OpinionInput("希望开办老年食堂", kind=Kind.HELP),
        ],
        actor=actors.cadre,
    )
    assert len(appeals) == 3 and Appeal.objects.count() == 3
    first, second, third = (Appeal.objects.get(pk=a.pk) for a in appeals)
    for appeal in (first, second, third):
        assert appeal.channel == Channel.SYMPOSIUM and appeal.state == State.RECEIVED
        assert (appeal.township, appeal.village) == (actors.town, actors.village)
        assert "村民代表恳谈会" in appeal.body and YESTERDAY.isoformat() in appeal.body
        assert appeal.number and appeal.recorded_by == actors.cadre
        assert appeal.symposium_opinion.symposium == symposium
    assert (first.kind, second.kind, third.kind) == (Kind.SUGGESTION, Kind.COMPLAINT, Kind.HELP)
    assert first.category == roads and first.citizen_name == "" and second.citizen_name == "王大海"
    assert first.title == "村道路灯坏了半年没人修，晚上出行不安全"
    assert list(symposium.opinions.values_list("speaker", flat=True)) == ["", "王大海", ""]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"symposia.held", "symposia.opinions_added"} <= actions


def test_a_long_first_line_is_cut_for_the_appeal_title_and_the_whole_text_kept(actors: Actors) -> None:
    text = "建议" * 40 + "\n第二行补充说明"
    (appeal,) = rules.add_opinions(hold(actors), [OpinionInput(text)], actor=actors.cadre)
    assert len(appeal.title) == rules.APPEAL_TITLE_MAX and appeal.title.endswith("…")
    assert appeal.body.startswith(text)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"held_on": timezone.localdate() + timedelta(days=1)}, "held_on", "cannot be in the future"),
        ({"held_on": None}, "held_on", "Give the date"),
        ({"title": "  "}, "title", "Give the symposium's theme"),
        ({"title": "座" * 101}, "title", "at most 100 characters"),
        ({"host": None}, "host", "Choose the unit"),
        ({"host": "OTHER_TOWN"}, "host", "outside your area of work"),
        ({"group": "aliens"}, "group", "Choose whom the symposium heard"),
        ({"attendees": 0}, "attendees", "At least one person attended"),
        ({"attendees": -3}, "attendees", "At least one person attended"),
        ({"village": "OTHER_VILLAGE"}, "village", "not in the chosen township"),
        ({"township": "VILLAGE", "village": None}, "township", "Choose a township"),
        ({"minutes": "记" * 20001}, "minutes", "At most 20000 characters"),
        ({"host_name": "名" * 51}, "host_name", "At most 50 characters"),
    ],
    ids=["future", "no-date", "no-title", "long-title", "no-host", "host-outside-scope", "bad-group",
         "no-attendee", "negative-attendees", "village-of-another-township", "township-not-a-township",
         "long-minutes", "long-host-name"],
)  # fmt: skip
def test_a_bad_symposium_is_refused_with_its_reason_and_nothing_is_saved(
    actors: Actors, changes: dict[str, Any], field: str, message: str
) -> None:
    named = {
        "OTHER_TOWN": actors.other_town,
        "OTHER_VILLAGE": actors.other_village,
        "VILLAGE": actors.village,
    }
    changes = {
        key: named.get(value, value) if isinstance(value, str) else value for key, value in changes.items()
    }
    with pytest.raises(ValidationError) as error:
        hold(actors, **changes)
    assert message in " ".join(error.value.message_dict[field])
    assert not Symposium.objects.exists() and not AuditEvent.objects.filter(action="symposia.held").exists()


def test_the_date_must_lie_in_the_campaign(actors: Actors) -> None:
    campaign = Campaign.objects.create(
        code="C1", name="活动", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    with pytest.raises(ValidationError) as error:
        hold(actors, held_on=date(2026, 7, 1), campaign=campaign)
    assert "outside the campaign (2026-01-01 to 2026-06-30)" in error.value.message_dict["campaign"][0]
    assert hold(actors, held_on=date(2026, 6, 30), campaign=campaign).campaign == campaign


def test_the_township_follows_from_the_village(actors: Actors) -> None:
    symposium = hold(actors, township=None, village=actors.village2)
    assert symposium.township == actors.town


def test_who_may_record_symposia(actors: Actors) -> None:
    for user in (actors.member, actors.handler_edu, actors.nobody):
        with pytest.raises(PermissionDenied):
            hold(actors, actor=user)
    assert not Symposium.objects.exists()
    for user in (actors.dispatcher, actors.leader, actors.operator):
        hold(actors, actor=user, host=actors.edu, township=None, village=None)
    head = hold(actors, actor=actors.head_edu, host=actors.edu, township=actors.other_town, village=None)
    assert head.recorded_by == actors.head_edu
    with pytest.raises(ValidationError, match="outside your area of work"):
        hold(actors, actor=actors.head_edu, host=actors.housing)


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ([OpinionInput("好"), OpinionInput("   "), OpinionInput("也好")], "Opinion 2: write what was said."),
        ([OpinionInput("好"), OpinionInput("长" * 2001)], "Opinion 2: at most 2000 characters."),
        ([OpinionInput("好", kind="praise")], "Opinion 1: choose suggestion"),
        ([OpinionInput("好"), OpinionInput("好", speaker="名" * 51)], "Opinion 2: the speaker's name"),
        ([OpinionInput("好", line=3), OpinionInput("", line=7)], "Opinion 7: write what was said."),
        ([], "Enter at least one opinion."),
        ([OpinionInput("好")] * 201, "At most 200 opinions in one batch"),
    ],
    ids=[
        "empty-line",
        "too-long",
        "bad-kind",
        "long-speaker",
        "numbered-as-typed",
        "empty-batch",
        "too-many",
    ],
)
def test_a_bad_line_refuses_the_whole_batch_and_names_the_line(
    actors: Actors, batch: list[OpinionInput], message: str
) -> None:
    symposium = hold(actors)
    with pytest.raises(ValidationError) as error:
        rules.add_opinions(symposium, batch, actor=actors.cadre)
    assert message in error.value.messages[0]
    assert not Appeal.objects.exists() and not Opinion.objects.exists()
    assert not AuditEvent.objects.filter(action="symposia.opinions_added").exists()


def test_only_those_whose_scope_holds_the_host_add_opinions(actors: Actors) -> None:
    symposium = hold(actors)
    other_cadre = create_person(
        name="蒋干部", unit=actors.other_town, role=Role.CADRE, phone="", username="cadre2",
        password_hash="", actor=None,
    ).user  # fmt: skip
    assert other_cadre is not None
    for user in (other_cadre, actors.handler_edu, actors.auditor):
        with pytest.raises(PermissionDenied):
            rules.add_opinions(symposium, [OpinionInput("意见")], actor=user)
    assert not Appeal.objects.exists()
    rules.add_opinions(symposium, [OpinionInput("意见")], actor=actors.dispatcher)
    assert Appeal.objects.count() == 1


def test_editing_before_and_after_opinions(actors: Actors) -> None:
    symposium = hold(actors)
    rules.edit_symposium(symposium, actor=actors.cadre, held_on=YESTERDAY - timedelta(days=1), attendees=25)
    symposium.refresh_from_db()
    assert (symposium.held_on, symposium.attendees) == (YESTERDAY - timedelta(days=1), 25)
    rules.add_opinions(symposium, [OpinionInput("意见")], actor=actors.cadre)
    with pytest.raises(ValidationError) as error:
        rules.edit_symposium(symposium, actor=actors.cadre, held_on=YESTERDAY, village=actors.village2)
    assert set(error.value.message_dict) == {"held_on", "village"}
    rules.edit_symposium(symposium, actor=actors.cadre, minutes="补记：会后发放意见表20份。", title="恳谈会")
    symposium.refresh_from_db()
    assert symposium.minutes == "补记：会后发放意见表20份。" and symposium.held_on == YESTERDAY - timedelta(
        days=1
    )
    with pytest.raises(ValidationError, match="At least one person"):
        rules.edit_symposium(symposium, actor=actors.cadre, attendees=0)
    with pytest.raises(PermissionDenied):
        rules.edit_symposium(symposium, actor=actors.head_edu, attendees=5)
    symposium.refresh_from_db()
    assert symposium.attendees == 25
    assert AuditEvent.objects.filter(action="symposia.edited").count() == 2


def test_who_sees_which_symposium(actors: Actors) -> None:
    fixture = build(actors)
    town_head = create_person(
        name="褚镇长", unit=actors.town, role=Role.UNIT_HEAD, phone="", username="head_t1",
        password_hash="", actor=None,
    ).user  # fmt: skip
    other_head = create_person(
        name="韩镇长", unit=actors.other_town, role=Role.UNIT_HEAD, phone="", username="head_t2",
        password_hash="", actor=None,
    ).user  # fmt: skip
    assert town_head is not None and other_head is not None

    def seen(user: Any) -> set[int]:
        return set(visible(user, Symposium.objects.all()).values_list("pk", flat=True))

    everything = {fixture.s1.pk, fixture.s2.pk, fixture.s3.pk, fixture.s4.pk}
    assert seen(actors.dispatcher) == seen(actors.auditor) == seen(actors.leader) == everything
    assert seen(actors.cadre) == seen(town_head) == {fixture.s1.pk, fixture.s4.pk}
    assert seen(actors.head_edu) == {fixture.s2.pk}
    assert seen(other_head) == {fixture.s2.pk}  # held on its ground, though hosted by a department
    assert seen(actors.handler_edu) == seen(actors.member) == set()
    assert not can(other_head, SymposiumPerm.ADD, fixture.s2) and can(
        actors.head_edu, SymposiumPerm.ADD, fixture.s2
    )
