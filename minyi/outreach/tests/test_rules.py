"""The rules of visits and difficulties: what is recorded, what is refused, and appeals made of
difficulties (including one handled on the spot)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, EventKind, FollowupBy, ReplyState, Satisfaction, State
from minyi.appeals.models import Appeal
from minyi.appeals.rules import AppealError
from minyi.audit.models import AuditEvent
from minyi.ledger.models import Campaign
from minyi.org.models import Household
from minyi.outreach import rules
from minyi.outreach.choices import PlaceKind
from minyi.outreach.coverage import coverage
from minyi.outreach.models import Difficulty, Visit
from minyi.outreach.rules import DifficultyInput
from minyi.outreach.tests.fixtures import cadre_of
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked by their English text (the msgids), whatever the site's language."""
    with translation.override("en"):
        yield


TODAY = date(2026, 3, 2)


def _visit(actors: Actors, **changes: Any) -> Visit:
    arguments: dict[str, Any] = {
        "actor": actors.cadre,
        "visited_on": timezone.localdate() - timedelta(days=1),
        "village": actors.village,
        "household": actors.household,
        "checklist": {"contact_card": True, "contact_card_note": "留了联系卡", "diary": True},
        "diary_text": "王大海家三口人，屋顶漏雨。",
        "difficulties": [DifficultyInput("屋顶漏雨，需要修缮")],
    }
    arguments.update(changes)
    return rules.record_visit(**arguments)


def test_cadre_records_a_household_visit_with_checklist_and_difficulties(actors: Actors) -> None:
    visit = _visit(actors)
    assert visit.place_kind == PlaceKind.HOUSEHOLD
    assert visit.township == actors.town
    assert visit.visitor.user == actors.cadre
    assert visit.contact_card and visit.diary and not visit.review_session
    assert visit.contact_card_note == "留了联系卡"
    assert [d.text for d in visit.difficulties.all()] == ["屋顶漏雨，需要修缮"]
    assert AuditEvent.objects.filter(action="outreach.visit_recorded", object_id=str(visit.pk)).exists()


def test_a_leader_records_a_visit_anywhere_in_the_district(actors: Actors) -> None:
    visit = rules.record_visit(actor=actors.leader, visited_on=TODAY, village=actors.other_village)
    assert visit.place_kind == PlaceKind.VILLAGE and visit.township == actors.other_town


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"visited_on": "tomorrow"}, "visited_on", "cannot be in the future"),
        ({"household": "other"}, "household", "does not belong to"),
        ({"village": "other", "household": None}, "village", "outside your area of work"),
        ({"diary_text": "  "}, "diary_text", "diary box is ticked"),
    ],
    ids=["future-date", "household-of-another-village", "outside-scope", "empty-diary"],
)
def test_bad_visit_is_refused_with_a_clear_message_and_nothing_saved(
    actors: Actors, changes: dict[str, object], field: str, message: str
) -> None:
    resolved = dict(changes)
    if resolved.get("visited_on") == "tomorrow":
        resolved["visited_on"] = timezone.localdate() + timedelta(days=1)
    if resolved.get("household") == "other":
        resolved["household"] = Household.objects.create(
            code="T1V2-001", village=actors.village2, head_name="李"
        )
    if resolved.get("village") == "other":
        resolved["village"] = actors.other_village
    with pytest.raises(ValidationError) as caught:
        _visit(actors, **resolved)
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert not Visit.objects.exists() and not Difficulty.objects.exists()


def test_a_visit_outside_its_campaign_is_refused(actors: Actors) -> None:
    campaign = Campaign.objects.create(
        code="C", name="活动", starts_on=date(2025, 1, 1), ends_on=date(2025, 2, 1)
    )
    with pytest.raises(ValidationError):
        _visit(actors, campaign=campaign)
    assert not Visit.objects.exists()


def test_on_the_spot_difficulty_needs_to_say_how(actors: Actors) -> None:
    with pytest.raises(ValidationError):
        _visit(actors, difficulties=[DifficultyInput("水管坏了", handled_on_spot=True)])
    assert not Visit.objects.exists()


def test_a_member_does_not_record_visits(actors: Actors) -> None:
    with pytest.raises(PermissionDenied):
        _visit(actors, actor=actors.member)


def test_a_difficulty_becomes_an_appeal_of_the_visit_channel_once(actors: Actors) -> None:
    visit = _visit(actors)
    difficulty = visit.difficulties.get()
    appeal = rules.make_appeal(difficulty, actor=actors.cadre)
    assert appeal.channel == Channel.VISIT and appeal.state == State.RECEIVED
    assert appeal.village == actors.village and appeal.township == actors.town
    assert appeal.citizen_name == "王大海"
    assert Difficulty.objects.get(pk=difficulty.pk).appeal == appeal
    with pytest.raises(ValidationError):
        rules.make_appeal(difficulty, actor=actors.cadre)


def test_only_the_visitor_turns_a_difficulty_into_an_appeal(actors: Actors) -> None:
    difficulty = _visit(actors).difficulties.get()
    with pytest.raises(PermissionDenied):
        rules.make_appeal(difficulty, actor=cadre_of(actors))
    assert Difficulty.objects.get(pk=difficulty.pk).appeal is None


def test_difficulty_handled_on_the_spot_is_an_appeal_and_counts_resolved(actors: Actors) -> None:
    visit = _visit(
        actors,
        difficulties=[
            DifficultyInput("低保申请不会填", handled_on_spot=True, resolution="当场帮助填写并提交")
        ],
    )
    appeal = rules.make_appeal(visit.difficulties.get(), actor=actors.cadre)
    assert "当场帮助填写并提交" in appeal.body
    appeal.refresh_from_db()
    assert appeal.state == State.REPLIED  # already resolved: it never waits for the dispatcher
    reply = appeal.replies.get()
    assert (reply.body, reply.state, reply.unit) == (
        "当场帮助填写并提交",
        ReplyState.SENT,
        actors.cadre.person.unit,
    )
    assert appeal.events.filter(
        kind=EventKind.REPLIED, data__on_the_spot=visit.difficulties.get().pk
    ).exists()
    figures = coverage()
    assert (figures.total.difficulties_found, figures.total.difficulties_resolved) == (1, 1)
    # The follow-up (回访) runs as for any answer; the satisfaction is judged on the visitor's unit.
    appeal_rules.follow_up(appeal, result=Satisfaction.SATISFIED, by=FollowupBy.CALL, actor=actors.operator)
    assert Appeal.objects.get(pk=appeal.pk).state == State.CLOSED


def test_a_difficulty_not_handled_waits_for_the_dispatcher(actors: Actors) -> None:
    appeal = rules.make_appeal(_visit(actors).difficulties.get(), actor=actors.cadre)
    assert (appeal.state, appeal.replies.count()) == (State.RECEIVED, 0)


def test_only_the_recorder_answers_an_appeal_on_the_spot(actors: Actors) -> None:
    appeal = rules.make_appeal(_visit(actors).difficulties.get(), actor=actors.cadre)
    with pytest.raises(PermissionDenied):
        appeal_rules.answer_on_the_spot(
            appeal, actor=actors.dispatcher, unit=actors.dispatcher.person.unit, body="好了", difficulty_id=1
        )
    with pytest.raises(AppealError):
        appeal_rules.answer_on_the_spot(appeal, actor=actors.cadre, unit=actors.cadre.person.unit, body=" ",
                                        difficulty_id=1)  # fmt: skip
    assert Appeal.objects.get(pk=appeal.pk).state == State.RECEIVED
