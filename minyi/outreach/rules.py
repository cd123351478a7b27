"""The rules of outreach: every change to pairings, visits and difficulties goes through one function
here, with its actor, in one transaction, with an audit record.

Handled on the spot (当场解决): a difficulty the visitor solved there and then becomes an appeal like
any other (``appeals.rules.submit``, channel ``visit``) and is answered at once with how it was handled
(``appeals.rules.answer_on_the_spot``, the visitor's unit answering), so it arrives already resolved:
it never waits for the dispatcher, and the follow-up (回访) checks the household's satisfaction as for
any answer. Coverage counts it resolved from the difficulty's own record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal, Category
from minyi.audit.rules import record
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Household, Person, Unit
from minyi.org.permissions import can, in_scope, person_of
from minyi.org.rules import Actor
from minyi.outreach.access import ADD_VISIT
from minyi.outreach.choices import NOTED_ITEMS, Checklist, PairingState, PlaceKind
from minyi.outreach.models import DIARY_MAX, DIFFICULTY_MAX, NOTE_MAX, Difficulty, Pairing, Visit

#: Who may be paired with places and record visits.
VISITOR_ROLES = (Role.LEADER, Role.CADRE)
APPEAL_TITLE_MAX = 30


@dataclass(frozen=True)
class DifficultyInput:
    """One difficulty as typed on the visit form."""

    text: str
    category: Category | None = None
    handled_on_spot: bool = False
    resolution: str = ""


def _visitor(actor: Actor) -> tuple[User, Person]:
    """The acting login and its person, if they may record visits; PermissionDenied otherwise."""
    person = person_of(actor) if actor is not None else None
    if not isinstance(actor, User) or person is None or not person.is_active or not can(actor, ADD_VISIT):
        raise PermissionDenied(_("Only leaders and cadres record visits."))
    return actor, person


def check_place(
    actor: User, *, village: Unit | None, household: Household | None, enterprise: Unit | None
) -> str:
    """The kind of place visited, if the place is whole, consistent and inside the actor's scope."""
    if enterprise is not None and (village is not None or household is not None):
        raise ValidationError({"enterprise": _("Choose either an enterprise or a village, not both.")})
    if enterprise is None and village is None:
        raise ValidationError({"village": _("Choose the village or community, or the enterprise, visited.")})
    if enterprise is not None:
        if enterprise.kind != UnitKind.ENTERPRISE:
            raise ValidationError({"enterprise": _("This unit is not an enterprise.")})
        if not in_scope(actor, enterprise):
            raise ValidationError({"enterprise": _("This enterprise lies outside your area of work.")})
        return PlaceKind.ENTERPRISE
    assert village is not None
    if village.kind not in RESIDENTIAL_KINDS:
        raise ValidationError({"village": _("Choose a village or community.")})
    if not in_scope(actor, village):
        raise ValidationError({"village": _("This village lies outside your area of work.")})
    if household is None:
        return PlaceKind.VILLAGE
    if household.village_id != village.pk:
        raise ValidationError(
            {"household": _("Household %(code)s does not belong to %(village)s.")
             % {"code": household.code, "village": village.name}}
        )  # fmt: skip
    return PlaceKind.HOUSEHOLD


def _check_checklist(checklist: dict[str, Any], diary_text: str) -> None:
    errors: dict[str, str] = {}
    if checklist.get(Checklist.DIARY) and not diary_text.strip():
        errors["diary_text"] = _("The diary box is ticked: write the diary entry, or untick the box.")
    if len(diary_text) > DIARY_MAX:
        errors["diary_text"] = _("The text may have at most %(n)d characters.") % {"n": DIARY_MAX}
    for item in NOTED_ITEMS:
        if len(str(checklist.get(f"{item}_note", ""))) > NOTE_MAX:
            errors[f"{item}_note"] = _("A note may have at most %(n)d characters.") % {"n": NOTE_MAX}
    if errors:
        raise ValidationError(errors)


def _check_difficulties(difficulties: list[DifficultyInput]) -> None:
    for number, item in enumerate(difficulties, start=1):
        if not item.text.strip():
            raise ValidationError(_("Difficulty %(n)d: describe it.") % {"n": number}, code="difficulty")
        if len(item.text) > DIFFICULTY_MAX:
            raise ValidationError(
                _("Difficulty %(n)d: at most %(max)d characters.") % {"n": number, "max": DIFFICULTY_MAX},
                code="difficulty",
            )
        if item.handled_on_spot and not item.resolution.strip():
            raise ValidationError(
                _("Difficulty %(n)d is marked handled on the spot: say how it was handled.") % {"n": number},
                code="difficulty",
            )
        if len(item.resolution) > NOTE_MAX:
            raise ValidationError(
                _("Difficulty %(n)d: a note may have at most %(max)d characters.")
                % {"n": number, "max": NOTE_MAX},
                code="difficulty",
            )


@transaction.atomic
def record_visit(
    *,
    actor: Actor,
    visited_on: date,
    village: Unit | None = None,
    household: Household | None = None,
    enterprise: Unit | None = None,
    campaign: Campaign | None = None,
    checklist: dict[str, Any] | None = None,
    diary_text: str = "",
    difficulties: list[DifficultyInput] | None = None,
) -> Visit:
    """Record the actor's own visit with its checklist, diary and difficulties; nothing is saved when
    any part is wrong (a future date, a household of another village, a place outside the actor's
    scope, a ticked diary box with no diary, a date outside the campaign)."""
    user, person = _visitor(actor)
    checklist = dict(checklist or {})
    difficulties = list(difficulties or [])
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("The date of the visit cannot be in the future.")})
    if campaign is not None and not campaign.starts_on <= visited_on <= campaign.ends_on:
        raise ValidationError(
            {"campaign": _("The visit's date lies outside the campaign (%(start)s to %(end)s).")
             % {"start": campaign.starts_on, "end": campaign.ends_on}}
        )  # fmt: skip
    kind = check_place(user, village=village, household=household, enterprise=enterprise)
    _check_checklist(checklist, diary_text)
    _check_difficulties(difficulties)
    place = enterprise or village
    assert place is not None
    township = place.parent if place.parent is not None and place.parent.kind == UnitKind.TOWNSHIP else None
    visit = Visit.objects.create(
        visitor=person,
        visited_on=visited_on,
        place_kind=kind,
        village=village,
        household=household,
        enterprise=enterprise,
        township=township,
        campaign=campaign,
        diary=bool(checklist.get(Checklist.DIARY)),
        diary_text=diary_text.strip(),
        recorded_by=user,
        **{item.value: bool(checklist.get(item)) for item in NOTED_ITEMS},
        **{f"{item}_note": str(checklist.get(f"{item}_note", "")).strip() for item in NOTED_ITEMS},
    )
    Difficulty.objects.bulk_create(
        Difficulty(
            visit=visit,
            text=item.text.strip(),
            category=item.category,
            handled_on_spot=item.handled_on_spot,
            resolution=item.resolution.strip() if item.handled_on_spot else "",
        )
        for item in difficulties
    )
    record(
        "outreach.visit_recorded",
        actor=user,
        obj=visit,
        detail={"place": kind, "difficulties": len(difficulties)},
    )
    return visit


def _appeal_title(text: str) -> str:
    first = text.strip().splitlines()[0]
    return first if len(first) <= APPEAL_TITLE_MAX else first[: APPEAL_TITLE_MAX - 1] + "…"


@transaction.atomic
def make_appeal(difficulty: Difficulty, *, actor: Actor) -> Appeal:
    """Turn a difficulty into an appeal (channel ``visit``) linked back to it; only the visitor does
    this, once. A difficulty handled on the spot becomes an appeal already answered with how it was
    handled (see the module docstring)."""
    user, person = _visitor(actor)
    difficulty = (
        Difficulty.objects.select_for_update(of=("self",))
        .select_related("visit__village__parent", "visit__household", "visit__enterprise", "category")
        .get(pk=difficulty.pk)
    )
    visit = difficulty.visit
    if visit.visitor_id != person.pk:
        raise PermissionDenied(_("Only the visitor turns the visit's difficulties into appeals."))
    if difficulty.appeal_id is not None:
        raise ValidationError(_("This difficulty is already an appeal."), code="done")
    place = visit.place
    lines = [difficulty.text]
    lines.append(
        _("Found on a visit by %(visitor)s on %(date)s at %(place)s.")
        % {"visitor": person.name, "date": visit.visited_on.isoformat(), "place": str(place)}
    )
    if difficulty.handled_on_spot:
        lines.append(_("Handled on the spot: %(how)s") % {"how": difficulty.resolution})
    household = visit.household
    submission = appeal_rules.submit(
        channel=Channel.VISIT,
        kind=Kind.HELP,
        title=_appeal_title(difficulty.text),
        body="\n".join(lines),
        actor=user,
        village=visit.village,
        township=visit.village.parent if visit.village is not None else None,
        address=household.address if household is not None else "",
        citizen_name=household.head_name if household is not None else "",
        citizen_phone=household.phone if household is not None else "",
        category=difficulty.category,
    )
    if difficulty.handled_on_spot:
        appeal_rules.answer_on_the_spot(
            submission.appeal, actor=user, unit=person.unit, body=difficulty.resolution,
            difficulty_id=difficulty.pk,
        )  # fmt: skip
    difficulty.appeal = submission.appeal
    difficulty.save(update_fields=["appeal"])
    record(
        "outreach.difficulty_to_appeal",
        actor=user,
        obj=difficulty,
        detail={"appeal": submission.appeal.number, "handled_on_spot": difficulty.handled_on_spot},
    )
    return submission.appeal


def _pairing_person(person: Person) -> None:
    if person.role not in VISITOR_ROLES:
        raise ValidationError({"person": _("Only leaders and cadres are paired with places.")})


@transaction.atomic
def create_pairing(
    *,
    actor: Actor,
    person: Person,
    unit: Unit | None = None,
    household: Household | None = None,
    visits_planned: int = 1,
    period: str,
    purpose: str = "",
    started_on: date,
) -> Pairing:
    """Pair a leader or cadre with a village, an enterprise or a household (挂钩联系), with a plan."""
    if not isinstance(actor, User) or not can(actor, "outreach.add_pairing"):
        raise PermissionDenied(_("You may not pair people with places."))
    _pairing_person(person)
    if (unit is None) == (household is None):
        raise ValidationError({"unit": _("Choose one village, enterprise or household.")})
    if unit is not None and unit.kind not in {*RESIDENTIAL_KINDS, UnitKind.ENTERPRISE}:
        raise ValidationError({"unit": _("Choose a village, community or enterprise.")})
    place_unit = unit if unit is not None else household.village if household is not None else None
    if not in_scope(actor, place_unit):
        raise ValidationError({"unit": _("This place lies outside your area of work.")})
    if visits_planned < 1:
        raise ValidationError({"visits_planned": _("Plan at least one visit.")})
    pairing = Pairing.objects.create(
        person=person,
        unit=unit,
        household=household,
        visits_planned=visits_planned,
        period=period,
        purpose=purpose.strip(),
        started_on=started_on,
    )
    record("outreach.pairing_created", actor=actor, obj=pairing, detail={"person": person.pk})
    return pairing


@transaction.atomic
def end_pairing(pairing: Pairing, *, actor: Actor, ended_on: date | None = None) -> Pairing:
    """End an active pairing (the person moved on, or the work is done)."""
    if not isinstance(actor, User) or not can(actor, "outreach.change_pairing"):
        raise PermissionDenied(_("You may not change pairings."))
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.state != PairingState.ACTIVE:
        raise ValidationError(_("This pairing has already ended."), code="illegal")
    pairing.state, pairing.ended_on = PairingState.ENDED, ended_on or timezone.localdate()
    pairing.save(update_fields=["state", "ended_on"])
    record("outreach.pairing_ended", actor=actor, obj=pairing)
    return pairing
