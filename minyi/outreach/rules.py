"""The rules of outreach: every change to pairings, visits and difficulties goes through one function
here, with its actor, in one transaction, with an audit record.

Handled on the spot (当场解决): a difficulty the visitor solved there and then becomes an appeal like
any other (``appeals.rules.submit``, channel ``visit``) and is answered at once with how it was handled
(``appeals.rules.answer_on_the_spot``, the visitor's unit answering), so it arrives already resolved:
it never waits for the dispatcher, and the follow-up (回访) checks the household's satisfaction as for
any answer. Coverage counts it resolved from the difficulty's own record.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal, Category
from minyi.audit.rules import record
from minyi.ledger.models import Campaign
from minyi.offline_batch import BatchProblem, BatchResult
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Household, Person, Unit
from minyi.org.permissions import can, in_scope, person_of
from minyi.org.rules import Actor
from minyi.outreach.access import OutreachPerm
from minyi.outreach.choices import NOTED_ITEMS, Checklist, PairingState, PlaceKind
from minyi.outreach.models import (
    CHECKLIST_LABEL_MAX,
    DIARY_MAX,
    DIFFICULTY_MAX,
    NOTE_MAX,
    CampaignChecklist,
    Difficulty,
    Pairing,
    Visit,
)

# The offline page syncs attendance and visits with one answer shape (recorded, already, errors, conflicts).

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
    if (
        not isinstance(actor, User)
        or person is None
        or not person.is_active
        or not can(actor, OutreachPerm.ADD_VISIT)
    ):
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


def check_date(visited_on: date, campaign: Campaign | None, *, today: date | None = None) -> None:
    """A visit's date is not in the future and, with a campaign, lies within the campaign."""
    if visited_on > (today or timezone.localdate()):
        raise ValidationError({"visited_on": _("The date of the visit cannot be in the future.")})
    if campaign is not None and not campaign.starts_on <= visited_on <= campaign.ends_on:
        raise ValidationError(
            {"campaign": _("The visit's date lies outside the campaign (%(start)s to %(end)s).")
             % {"start": campaign.starts_on, "end": campaign.ends_on}}
        )  # fmt: skip


def township_of(place: Unit) -> Unit | None:
    """The township a visited village or enterprise hangs under (None elsewhere)."""
    parent = place.parent
    return parent if parent is not None and parent.kind == UnitKind.TOWNSHIP else None


def check_checklist(checklist: dict[str, Any], diary_text: str) -> None:
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


def check_difficulties(difficulties: list[DifficultyInput]) -> None:
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
    uid: uuid.UUID | None = None,
) -> Visit:
    """Record the actor's own visit with its checklist, diary and difficulties; nothing is saved when
    any part is wrong (a future date, a household of another village, a place outside the actor's
    scope, a ticked diary box with no diary, a date outside the campaign). ``uid`` is the id a phone
    gave a visit recorded offline (see ``record_visits_batch``)."""
    user, person = _visitor(actor)
    checklist = dict(checklist or {})
    difficulties = list(difficulties or [])
    check_date(visited_on, campaign)
    if village is None and enterprise is None and household is not None:
        village = household.village  # a household visit names its village through the household
    kind = check_place(user, village=village, household=household, enterprise=enterprise)
    check_checklist(checklist, diary_text)
    check_difficulties(difficulties)
    place = enterprise or village
    assert place is not None
    township = township_of(place)
    visit = Visit.objects.create(
        uid=uid,
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


@transaction.atomic
def rename_checklist(campaign: Campaign, words: Mapping[str, str], *, actor: Actor) -> CampaignChecklist:
    """Set the words ``campaign`` uses for the five slots of the visit checklist (an empty word: the
    default). Only the campaign office does this; the visits' ticks stay in their slots."""
    if actor is None or not can(actor, OutreachPerm.CHANGE_CHECKLIST):
        raise PermissionDenied(_("Only the campaign office renames the visit checklist."))
    cleaned = {item.value: str(words.get(item.value, "")).strip() for item in Checklist}
    errors = {
        name: _("A word may have at most %(n)d characters.") % {"n": CHECKLIST_LABEL_MAX}
        for name, word in cleaned.items()
        if len(word) > CHECKLIST_LABEL_MAX
    }
    if errors:
        raise ValidationError(errors)
    checklist, _created = CampaignChecklist.objects.select_for_update().get_or_create(campaign=campaign)
    for name, word in cleaned.items():
        setattr(checklist, name, word)
    checklist.save(update_fields=list(cleaned))
    record("outreach.checklist_renamed", actor=actor, obj=campaign, detail=cleaned)
    return checklist


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
    if not isinstance(actor, User) or not can(actor, OutreachPerm.ADD_PAIRING):
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
    if not isinstance(actor, User) or not can(actor, OutreachPerm.CHANGE_PAIRING):
        raise PermissionDenied(_("You may not change pairings."))
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.state != PairingState.ACTIVE:
        raise ValidationError(_("This pairing has already ended."), code="illegal")
    pairing.state, pairing.ended_on = PairingState.ENDED, ended_on or timezone.localdate()
    pairing.save(update_fields=["state", "ended_on"])
    record("outreach.pairing_ended", actor=actor, obj=pairing)
    return pairing


# --- visits recorded offline -----------------------------------------------------------------------


@dataclass(frozen=True)
class OfflineVisit:
    """One visit record of a batch, read and checked for shape (its meaning is checked by
    ``record_visit``)."""

    uid: uuid.UUID
    visited_on: date
    village: Unit
    household: Household | None
    checklist: dict[str, Any]
    diary_text: str
    difficulties: list[DifficultyInput]

    def content(self, visitor: Person) -> tuple[Any, ...]:
        """What the visit says, stored the way ``record_visit`` stores it, to compare with a visit
        already kept under the same uid."""
        diary = bool(self.checklist.get(Checklist.DIARY))
        return (
            visitor.pk,
            self.visited_on,
            self.village.pk,
            self.household.pk if self.household is not None else None,
            diary,
            self.diary_text.strip(),
            tuple(bool(self.checklist.get(item)) for item in NOTED_ITEMS),
            tuple(str(self.checklist.get(f"{item}_note", "")).strip() for item in NOTED_ITEMS),
            tuple(
                (d.text.strip(), d.handled_on_spot, d.resolution.strip() if d.handled_on_spot else "")
                for d in self.difficulties
            ),
        )


def _stored_content(visit: Visit) -> tuple[Any, ...]:
    return (
        visit.visitor_id,
        visit.visited_on,
        visit.village_id,
        visit.household_id,
        visit.diary,
        visit.diary_text,
        tuple(bool(getattr(visit, item.value)) for item in NOTED_ITEMS),
        tuple(getattr(visit, f"{item}_note") for item in NOTED_ITEMS),
        tuple((d.text, d.handled_on_spot, d.resolution) for d in visit.difficulties.order_by("id")),
    )


def _flag(raw: Mapping[str, Any], name: str) -> bool:
    value = raw.get(name, False)
    if not isinstance(value, bool):
        raise ValidationError(_("The record's %(field)s must be true or false.") % {"field": name})
    return value


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(_("The record's %(field)s must be text.") % {"field": name})
    return value


def _household(value: object) -> Household | None:
    """The household named by its code (as a cadre types it) or its id; None when none is named."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        found = Household.objects.filter(pk=value).first()
        if found is None:
            raise ValidationError(_("No such household."))
        return found
    if not isinstance(value, str):
        raise ValidationError(_("The record's %(field)s must be text.") % {"field": "household"})
    code = value.strip()
    found = Household.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(_("No household has the code %(code)s.") % {"code": code})
    return found


def read_offline_visit(raw: object) -> OfflineVisit:
    """One record of a visit batch ``{uid, visited_on, village, household, <checklist item>: bool,
    <item>_note, diary_text, difficulties: [{text, handled_on_spot, resolution}]}``, or a
    ValidationError saying what is wrong with its shape."""
    if not isinstance(raw, Mapping):
        raise ValidationError(_("The record is not a set of fields."))
    try:
        uid = uuid.UUID(str(raw.get("uid", "")))
    except ValueError as error:
        raise ValidationError(_("The record has no valid id (uid).")) from error
    try:
        visited_on = date.fromisoformat(str(raw.get("visited_on", "")))
    except ValueError as error:
        raise ValidationError(_("The record lacks a valid date of the visit.")) from error
    village_id = raw.get("village")
    if isinstance(village_id, bool) or not isinstance(village_id, int) or village_id <= 0:
        raise ValidationError(_("The record lacks a valid %(field)s number.") % {"field": "village"})
    village = Unit.objects.filter(pk=village_id).first()
    if village is None:
        raise ValidationError(_("No such village."))
    household = _household(raw.get("household"))
    checklist: dict[str, Any] = {item.value: _flag(raw, item.value) for item in Checklist}
    for item in NOTED_ITEMS:
        checklist[f"{item}_note"] = _text(raw, f"{item}_note")
    diary_text = _text(raw, "diary_text")
    items = raw.get("difficulties") or []
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise ValidationError(_("The record's difficulties must be a list of difficulties."))
    difficulties = [
        DifficultyInput(
            text=_text(item, "text"),
            handled_on_spot=_flag(item, "handled_on_spot"),
            resolution=_text(item, "resolution"),
        )
        for item in items
    ]
    return OfflineVisit(uid, visited_on, village, household, checklist, diary_text, difficulties)


def _settle(
    result: BatchResult, index: int, offline: OfflineVisit, existing: Visit, visitor: Person | None
) -> None:
    """A record whose uid is already kept: counted once when it says the same, else a conflict."""
    uid = str(offline.uid)
    if visitor is not None and _stored_content(existing) == offline.content(visitor):
        result.already.append(uid)
    else:
        result.conflicts.append(
            BatchProblem(index, uid, _("Another record with this id was stored with other content."))
        )


def record_visits_batch(records: Sequence[object], *, actor: Actor) -> BatchResult:
    """Keep the valid visits of a batch recorded offline on the actor's phone, each through
    ``record_visit`` (so each is checked as on the form, in its own savepoint). A record whose uid is
    already kept with the same content counts once (``already``); with other content it is a
    conflict, reported and not merged; every other bad record is reported by its index. Answers a
    ``minyi.offline_batch.BatchResult``, the shape the offline page reads for attendance too."""
    result = BatchResult()
    if not isinstance(records, Sequence) or isinstance(records, str | bytes):
        result.errors.append(BatchProblem(0, "", _("The batch must be a list of records.")))
        return result
    visitor = person_of(actor) if actor is not None else None
    for index, raw in enumerate(records):
        uid_text = str(raw.get("uid", "")) if isinstance(raw, Mapping) else ""
        try:
            offline = read_offline_visit(raw)
        except ValidationError as error:
            result.errors.append(BatchProblem(index, uid_text, error.messages[0]))
            continue
        uid = str(offline.uid)
        existing = Visit.objects.filter(uid=offline.uid).first()
        if existing is not None:
            _settle(result, index, offline, existing, visitor)
            continue
        try:
            record_visit(
                actor=actor,
                uid=offline.uid,
                visited_on=offline.visited_on,
                village=offline.village,
                household=offline.household,
                checklist=offline.checklist,
                diary_text=offline.diary_text,
                difficulties=offline.difficulties,
            )
        except (ValidationError, PermissionDenied) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            result.errors.append(BatchProblem(index, uid, message))
            continue
        except IntegrityError:
            # The same record arrived at the same moment by another request: settle against it.
            existing = Visit.objects.filter(uid=offline.uid).first()
            if existing is None:
                raise
            _settle(result, index, offline, existing, visitor)
            continue
        result.recorded.append(uid)
    return result
