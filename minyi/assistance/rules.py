"""The rules of social assistance: every change to a case, its parts, eligibility answers and
deliveries goes through one function here, with its actor, in one transaction, with an audit record.

The loop of one part: requested ──hand_out──▶ handed ──record_delivery──▶ delivered
                                                 └──decline_part──▶ declined
A case closes (``close_case``) when every part is delivered or declined.

Two warnings guard the coordinator: handing a type to a household that already received (or was
handed) the same type within ``Coordination.repeat_days`` needs an explicit confirmation (it is a
warning, not a refusal: a second medical bill in a year may be right); and ``stale_cases`` lists open
cases with nothing delivered for ``Coordination.stale_days``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minyi.appeals.models import Appeal
from minyi.appeals.uploads import checked_upload
from minyi.assistance.access import (
    DELIVERING_ROLES,
    AssistancePerm,
    coordination,
    delivers_for,
    district_of,
    is_coordinator,
)
from minyi.assistance.choices import (
    FINISHED_PART_STATES,
    RECEIVING_PART_STATES,
    AssistanceType,
    CaseState,
    PartState,
)
from minyi.assistance.models import (
    NOTE_MAX,
    SERVICE_MAX,
    Case,
    CasePart,
    Coordination,
    Delivery,
    DeliveryRoute,
    EligibilityAnswer,
    EligibilityItem,
)
from minyi.audit.rules import record
from minyi.ledger.models import Campaign
from minyi.org.choices import UnitKind
from minyi.org.models import Household, Unit
from minyi.org.notices import staff_of, tell
from minyi.org.permissions import can, in_scope, person_of
from minyi.org.rules import Actor
from minyi.outreach.models import Difficulty

MAX_AMOUNT = Decimal("1000000")


def _config() -> Coordination:
    config = coordination()
    if config is None:
        raise ValidationError(
            _("No unit coordinates social assistance yet: the administrator must choose one."),
            code="no_coordinator",
        )
    return config


def _coordinator(actor: Actor, config: Coordination) -> User:
    if not isinstance(actor, User) or not is_coordinator(actor, config):
        raise PermissionDenied(_("Only the coordinating unit (%(unit)s) does this.") % {"unit": config.unit})
    return actor


def _open(case: Case) -> None:
    if case.state != CaseState.OPEN:
        raise ValidationError(_("This case is closed."), code="closed")


def _types(types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(types))
    if not chosen:
        raise ValidationError({"types": _("Choose at least one type of assistance.")})
    unknown = [t for t in chosen if t not in AssistanceType.values]
    if unknown:
        raise ValidationError({"types": _("Unknown type of assistance: %(type)s.") % {"type": unknown[0]}})
    return chosen


@transaction.atomic
def open_case(
    *,
    actor: Actor,
    household: Household,
    types: Iterable[str],
    source_appeal: Appeal | None = None,
    source_difficulty: Difficulty | None = None,
    campaign: Campaign | None = None,
    note: str = "",
    opened_at: dt.datetime | None = None,
) -> Case:
    """Open a case for a household of the district with one part per type asked for; the coordinator
    hands the parts out. The coordinator opens cases for any household of the district; cadres,
    leaders, operators and dispatchers for households in their own area of work. ``opened_at`` is
    when the request came (earlier than now for a paper request entered later)."""
    config = _config()
    if not isinstance(actor, User):
        raise PermissionDenied(_("You may not open assistance cases."))
    coordinating = is_coordinator(actor, config)
    if not coordinating and not can(actor, AssistancePerm.OPEN_CASE):
        raise PermissionDenied(_("You may not open assistance cases."))
    village = household.village
    if not village.is_within(district_of(config.unit)):
        raise ValidationError(
            {"household": _("Household %(code)s lies outside the district of %(unit)s.")
             % {"code": household.code, "unit": config.unit}}
        )  # fmt: skip
    if not coordinating and not in_scope(actor, village):
        raise ValidationError({"household": _("This household lies outside your area of work.")})
    chosen = _types(types)
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("The text may have at most %(n)d characters.") % {"n": NOTE_MAX}})
    if source_difficulty is not None:
        visit_household = source_difficulty.visit.household_id
        if visit_household is not None and visit_household != household.pk:
            raise ValidationError(
                {"household": _("The difficulty was found at another household.")}, code="source"
            )
    now = timezone.now()
    if opened_at is not None and opened_at > now:
        raise ValidationError({"opened_at": _("The request cannot come from the future.")})
    now = opened_at or now
    if campaign is not None and not campaign.starts_on <= timezone.localdate(now) <= campaign.ends_on:
        raise ValidationError(
            {"campaign": _("The request's date lies outside the campaign (%(start)s to %(end)s).")
             % {"start": campaign.starts_on, "end": campaign.ends_on}}
        )  # fmt: skip
    township = (
        village.parent if village.parent is not None and village.parent.kind == UnitKind.TOWNSHIP else None
    )
    case = Case.objects.create(
        household=household,
        township=township,
        coordinator=config.unit,
        campaign=campaign,
        source_appeal=source_appeal,
        source_difficulty=source_difficulty,
        note=note.strip(),
        opened_by=actor,
        opened_at=now,
    )
    CasePart.objects.bulk_create(CasePart(case=case, type=t) for t in chosen)
    record("assistance.case_opened", actor=actor, obj=case, detail={"types": chosen})
    if not coordinating:
        link = reverse("assistance:case", args=[case.pk])
        tell(
            staff_of([config.unit], DELIVERING_ROLES),
            _("A new assistance case #%(n)s waits to be handed out.") % {"n": case.pk},
            link=link,
        )
    return case


@transaction.atomic
def add_part(case: Case, *, actor: Actor, type: str) -> CasePart:
    """The coordinator adds a type of help to an open case."""
    config = _config()
    user = _coordinator(actor, config)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _open(case)
    (chosen,) = _types([type])
    if case.parts.filter(type=chosen).exists():
        raise ValidationError({"type": _("This case already has this type of assistance.")})
    part = CasePart.objects.create(case=case, type=chosen)
    record("assistance.part_added", actor=user, obj=case, detail={"type": chosen})
    return part


def repeats(
    part: CasePart, *, config: Coordination | None = None, now: dt.datetime | None = None
) -> QuerySet[CasePart]:
    """Other parts of the same type for the same household handed out or delivered within the
    repeat period (the double-receipt warning)."""
    config = config or coordination()
    days = config.repeat_days if config is not None else 365
    since = (now or timezone.now()) - dt.timedelta(days=days)
    return (
        CasePart.objects.filter(
            case__household_id=part.case.household_id,
            type=part.type,
            state__in=RECEIVING_PART_STATES,
        )
        .filter(Q(handed_at__gte=since) | Q(delivered_on__gte=since.date()))
        .exclude(pk=part.pk)
        .select_related("case", "unit")
        .order_by("-handed_at")
    )


def route_units(type: str) -> QuerySet[Unit]:
    """The units with an active route for this type of help."""
    return Unit.objects.filter(
        assistance_routes__type=type, assistance_routes__is_active=True, is_active=True
    ).order_by("path")


@transaction.atomic
def hand_out(
    part: CasePart, *, actor: Actor, unit: Unit, confirm_repeat: bool = False, at: dt.datetime | None = None
) -> CasePart:
    """The coordinator hands one part to a unit that delivers that type (an active route). When the
    household received the same type within the repeat period, the coordinator must confirm.
    ``at`` backdates the hand-out (a paper hand-out entered later), never before the request."""
    config = _config()
    user = _coordinator(actor, config)
    part = CasePart.objects.select_for_update(of=("self",)).select_related("case").get(pk=part.pk)
    _open(part.case)
    if part.state not in (PartState.REQUESTED, PartState.HANDED):
        raise ValidationError(
            _("This part is already %(state)s.") % {"state": part.get_state_display()}, code="illegal"
        )
    if part.state == PartState.HANDED and part.deliveries.exists():
        raise ValidationError(_("Something was already delivered for this part."), code="illegal")
    if not DeliveryRoute.objects.filter(type=part.type, unit=unit, is_active=True).exists():
        raise ValidationError(
            {"unit": _("%(unit)s does not deliver %(type)s assistance: choose a unit routed for it.")
             % {"unit": unit.name, "type": part.get_type_display()}}
        )  # fmt: skip
    now = timezone.now()
    if at is not None and not part.case.opened_at <= at <= now:
        raise ValidationError({"at": _("A part is handed out between the request and now.")})
    at = at or now
    earlier = list(repeats(part, config=config, now=at))
    if earlier and not confirm_repeat:
        raise ValidationError(
            _("This household already received %(type)s assistance within %(days)d days (case %(cases)s). "
              "Confirm to hand it out again.")
            % {
                "type": part.get_type_display(),
                "days": config.repeat_days,
                "cases": ", ".join(f"#{p.case_id}" for p in earlier),
            },
            code="repeat",
        )  # fmt: skip
    part.unit, part.state = unit, PartState.HANDED
    part.handed_at, part.handed_by, part.repeat_confirmed = at, user, bool(earlier)
    part.save(update_fields=["unit", "state", "handed_at", "handed_by", "repeat_confirmed"])
    record(
        "assistance.part_handed",
        actor=user,
        obj=part,
        detail={"unit": unit.code, "type": part.type, "repeat_confirmed": bool(earlier)},
    )
    tell(
        staff_of([unit], DELIVERING_ROLES),
        _("%(type)s assistance for case #%(n)s is handed to your unit.")
        % {"type": part.get_type_display(), "n": part.case_id},
        link=reverse("assistance:part", args=[part.pk]),
    )
    return part


@dataclass(frozen=True)
class DeliveryInput:
    """What was given for a part, as typed on the delivery form."""

    delivered_on: dt.date
    amount: Decimal | None = None
    service: str = ""


def _check_delivery(part: CasePart, item: DeliveryInput) -> None:
    errors: dict[str, str] = {}
    if item.amount is None and not item.service.strip():
        errors["service"] = _("Say what was given: an amount, a service, or both.")
    if item.amount is not None and not Decimal("0") < item.amount <= MAX_AMOUNT:
        errors["amount"] = _("The amount must be more than 0 and at most %(max)s yuan.") % {"max": MAX_AMOUNT}
    if len(item.service) > SERVICE_MAX:
        errors["service"] = _("The text may have at most %(n)d characters.") % {"n": SERVICE_MAX}
    if item.delivered_on > timezone.localdate():
        errors["delivered_on"] = _("The date of delivery cannot be in the future.")
    elif part.handed_at is not None and item.delivered_on < timezone.localdate(part.handed_at):
        errors["delivered_on"] = _("The date of delivery is before the part was handed to your unit.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_delivery(
    part: CasePart, *, actor: Actor, item: DeliveryInput, evidence: UploadedFile | None
) -> Delivery:
    """The unit a part is handed to records what it gave, with an evidence file (photo or PDF); the
    first delivery marks the part delivered, later ones (instalments) add to it."""
    part = CasePart.objects.select_for_update(of=("self",)).select_related("case", "unit").get(pk=part.pk)
    if not isinstance(actor, User) or not delivers_for(actor, part.unit):
        raise PermissionDenied(_("Only the unit this part is handed to records its delivery."))
    person = person_of(actor)
    assert person is not None
    _open(part.case)
    if part.state not in (PartState.HANDED, PartState.DELIVERED):
        raise ValidationError(
            _("This part is %(state)s: nothing can be delivered.") % {"state": part.get_state_display()},
            code="illegal",
        )
    _check_delivery(part, item)
    if evidence is None:
        raise ValidationError({"evidence": _("A delivery needs evidence: attach a photo or a PDF.")})
    try:
        fields = checked_upload(evidence)
    except ValidationError as error:
        raise ValidationError({"evidence": error.messages}) from error
    delivery = Delivery.objects.create(
        part=part,
        amount=item.amount,
        service=item.service.strip(),
        delivered_on=item.delivered_on,
        delivered_by=person,
        recorded_by=actor,
        **fields,
    )
    first = part.state == PartState.HANDED
    part.state = PartState.DELIVERED
    if part.delivered_on is None or item.delivered_on < part.delivered_on:
        part.delivered_on = item.delivered_on
    part.save(update_fields=["state", "delivered_on"])
    record(
        "assistance.delivered",
        actor=actor,
        obj=part,
        detail={"delivery": delivery.pk, "amount": str(item.amount or ""), "first": first},
    )
    return delivery


@transaction.atomic
def decline_part(part: CasePart, *, actor: Actor, reason: str) -> CasePart:
    """The delivering unit (or the coordinator) declines a part that is not delivered, with a reason
    (e.g. the household is not eligible)."""
    part = CasePart.objects.select_for_update(of=("self",)).select_related("case", "unit").get(pk=part.pk)
    if not isinstance(actor, User) or not (is_coordinator(actor) or delivers_for(actor, part.unit)):
        raise PermissionDenied(_("Only the unit this part is handed to, or the coordinator, declines it."))
    _open(part.case)
    if part.state not in (PartState.REQUESTED, PartState.HANDED):
        raise ValidationError(
            _("This part is already %(state)s.") % {"state": part.get_state_display()}, code="illegal"
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the part is declined.")})
    if len(reason) > SERVICE_MAX:
        raise ValidationError(
            {"reason": _("The text may have at most %(n)d characters.") % {"n": SERVICE_MAX}}
        )
    part.state, part.decline_reason = PartState.DECLINED, reason.strip()
    part.save(update_fields=["state", "decline_reason"])
    record("assistance.part_declined", actor=actor, obj=part, detail={"reason": part.decline_reason})
    return part


@transaction.atomic
def record_eligibility(case: Case, *, actor: Actor, answers: dict[int, tuple[bool, str]]) -> int:
    """The coordinator records the answers to the eligibility checklists of the case's types
    (item id → (met, note)); answers replace earlier ones. Returns how many were recorded."""
    config = _config()
    user = _coordinator(actor, config)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _open(case)
    types = set(case.parts.values_list("type", flat=True))
    items = {item.pk: item for item in EligibilityItem.objects.filter(pk__in=list(answers), is_active=True)}
    for pk in answers:
        item = items.get(pk)
        if item is None or item.type not in types:
            raise ValidationError(_("A question does not belong to this case's types of assistance."))
    for _pk, (_met, note) in answers.items():
        if len(note) > SERVICE_MAX:
            raise ValidationError(_("A note may have at most %(n)d characters.") % {"n": SERVICE_MAX})
    now = timezone.now()
    for pk, (met, note) in answers.items():
        EligibilityAnswer.objects.update_or_create(
            case=case,
            item=items[pk],
            defaults={"met": met, "note": note.strip(), "answered_by": user, "answered_at": now},
        )
    record("assistance.eligibility", actor=user, obj=case, detail={"answers": len(answers)})
    return len(answers)


@transaction.atomic
def close_case(case: Case, *, actor: Actor) -> Case:
    """The coordinator closes a case whose parts are all delivered or declined."""
    config = _config()
    user = _coordinator(actor, config)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _open(case)
    waiting = case.parts.exclude(state__in=FINISHED_PART_STATES).count()
    if waiting:
        raise ValidationError(
            ngettext(
                "%(n)d part is not delivered or declined yet.",
                "%(n)d parts are not delivered or declined yet.",
                waiting,
            )
            % {"n": waiting},
            code="pending",
        )
    case.state, case.closed_at = CaseState.CLOSED, timezone.now()
    case.save(update_fields=["state", "closed_at"])
    record("assistance.case_closed", actor=user, obj=case)
    return case


def stale_cases(*, now: dt.datetime | None = None, config: Coordination | None = None) -> QuerySet[Case]:
    """Open cases with nothing delivered for ``stale_days``: the last delivery (or, with none, the
    opening) is older than that. Annotated with ``last_delivered``."""
    config = config or coordination()
    days = config.stale_days if config is not None else 30
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - dt.timedelta(days=days)
    cutoff_at = now - dt.timedelta(days=days)
    return (
        Case.objects.filter(state=CaseState.OPEN)
        .annotate(last_delivered=Max("parts__deliveries__delivered_on"))
        .filter(
            Q(last_delivered__isnull=True, opened_at__lt=cutoff_at)
            | Q(last_delivered__isnull=False, last_delivered__lt=cutoff)
        )
        .select_related("household__village", "township")
        .order_by("opened_at", "pk")
    )


def household_history(household: Household) -> QuerySet[CasePart]:
    """Every part of every case of the household, across departments (for the coordinator only)."""
    return (
        CasePart.objects.filter(case__household=household)
        .select_related("case", "unit")
        .prefetch_related("deliveries__delivered_by")
        .order_by("-case__opened_at", "type")
    )


def parts_waiting(types: Sequence[str] | None = None) -> QuerySet[CasePart]:
    """Parts of open cases still waiting to be handed out."""
    parts = CasePart.objects.filter(state=PartState.REQUESTED, case__state=CaseState.OPEN)
    if types:
        parts = parts.filter(type__in=list(types))
    return parts.select_related("case__household__village", "case__township").order_by("case__opened_at")
