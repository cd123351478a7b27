"""The appeal loop (docs/design.md, "The appeal loop"): one function per state change.

Each function takes the acting user as keyword-only ``actor``, runs in one transaction, checks that
the transition is legal and that the actor may make it, saves with ``update_fields`` and a bumped
``version`` (so a stale form fails instead of overwriting), writes the timeline event and the audit
record, and queues the citizen's notification in the same transaction (the outbox).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.appeals import echo
from minyi.appeals.access import AppealPerm, holding_units, recusal, unit_recused
from minyi.appeals.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    TRIAGE_STATES,
    WORKING_STATES,
    AssignmentRole,
    AssignmentState,
    DueStatus,
    EventKind,
    ExtensionState,
    FollowupBy,
    Kind,
    RejectReason,
    ReplyState,
    Satisfaction,
    State,
    Urgency,
    WaitingFor,
)
from minyi.appeals.models import (
    Appeal,
    AppealEvent,
    Assignment,
    Attachment,
    Category,
    Extension,
    Followup,
    IdempotencyRecord,
    Pause,
    Reply,
    SlaRule,
)
from minyi.appeals.uploads import MAX_FILES, checked_upload
from minyi.audit.rules import record
from minyi.dates import day_text, local_day, minute_text
from minyi.errors import IllegalTransition, Invalid, Refused, VersionConflict
from minyi.inputs import strip_bidi_controls
from minyi.org import notices
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Person, Unit
from minyi.org.permissions import acts_for, can, person_of
from minyi.workdays.rules import MovedDeadline, WorkCalendar, add_working_days, working_days_between
from minyi.worker.notify import notify

Actor = User | AnonymousUser | None

TITLE_MAX = 100
BODY_MAX = 4000
QUERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone
QUERY_CODE_LENGTH = 8
#: Fallback deadlines (working days) when the admin has no rule for an urgency.
DEFAULT_HANDLE_DAYS = {Urgency.URGENT: 1, Urgency.ORDINARY: 5, Urgency.COMPLEX: 10}


# What citizens are told, by SMS or e-mail (rendered in the site's first language). None carries the
# query code: it is shown once at intake and never sent (an SMS can be read by whoever holds the phone).
MSG_RECEIVED = gettext_lazy(
    "Your appeal %(number)s has been received and will be handed to the unit responsible. "
    "Follow it on the tracking page with this number and your query code."
)
MSG_DISPATCHED = gettext_lazy(
    "Your appeal %(number)s has been handed to %(unit)s, to be handled by %(date)s."
)
MSG_EXTENDED = gettext_lazy("Your appeal %(number)s needs more time; it will be handled by %(date)s.")
MSG_NEED_INFORMATION = gettext_lazy(
    "To handle your appeal %(number)s we need more information: %(reason)s. "
    "Please add it on the tracking page with your number and query code."
)
MSG_REPLIED = gettext_lazy("Your appeal %(number)s has been answered: %(reply)s")
MSG_PROGRESS = gettext_lazy("Progress on your appeal %(number)s: %(note)s")
MSG_REOPENED = gettext_lazy("Your appeal %(number)s will be handled again.")
MSG_REJECTED = gettext_lazy("Your appeal %(number)s cannot be accepted: %(note)s")
# What staff are told (in the app, and by SMS/e-mail at once or in the daily digest).
STAFF_NEW_ASSIGNMENT = gettext_lazy("New appeal for your unit: %(number)s %(title)s (due %(date)s)")
STAFF_RETURNED = gettext_lazy("Appeal %(number)s %(title)s was returned by %(unit)s")
STAFF_EXTENSION = gettext_lazy("%(unit)s asks %(days)s more working days for appeal %(number)s %(title)s")
STAFF_REPLY_TO_APPROVE = gettext_lazy("A reply to appeal %(number)s %(title)s waits for your approval")
STAFF_SPLIT_OFF = gettext_lazy(
    "Appeal %(number)s %(title)s concerns officials of %(unit)s: it was taken out of its merge and "
    "waits for dispatch (回避)"
)
STAFF_REOPENED = gettext_lazy("Appeal %(number)s %(title)s was reopened: the citizen is not satisfied")


#: The loop's name for bad input (callers catch it); illegal transitions and conflicts are kinds of it.
AppealError = Invalid


class StaleAppeal(VersionConflict):
    default_message = gettext_lazy(
        "Someone else changed this appeal while you were working on it. Reload it and try again."
    )


@dataclass(frozen=True)
class Submission:
    """A stored appeal and its query code (shown once, never stored in clear)."""

    appeal: Appeal
    query_code: str


# --- query codes -----------------------------------------------------------------------------


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def hash_query_code(code: str, salt: str | None = None) -> str:
    """ "salt$sha256(salt:code)" — a database leak alone does not reveal codes."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{code.strip().upper()}".encode()).hexdigest()
    return f"{salt}${digest}"


def query_code_matches(appeal: Appeal | None, code: str) -> bool:
    """Compare in constant time; an unknown number costs the same as a wrong code."""
    stored = appeal.query_code_hash if appeal is not None else "0000000000000000$" + "0" * 64
    salt, _digest = stored.split("$", 1)
    return hmac.compare_digest(hash_query_code(code, salt), stored) and appeal is not None


def find_for_citizen(number: str, code: str) -> Appeal | None:
    """The appeal with this tracking number, if the query code is right."""
    appeal = Appeal.objects.filter(number=number.strip()).first()
    return appeal if query_code_matches(appeal, code) else None


# --- helpers ---------------------------------------------------------------------------------


def _require(actor: Actor, action: str, obj: Any) -> User:
    """The acting staff member, if they may do ``action`` to ``obj``; Refused otherwise."""
    if not isinstance(actor, User) or not can(actor, action, obj):
        raise Refused(_("You may not do this to this appeal."))
    return actor


def _lock(appeal: Appeal, expected_version: int | None) -> Appeal:
    """Re-read the appeal under a row lock and refuse a stale form."""
    fresh = Appeal.objects.select_for_update(of=("self",)).select_related("concerns_unit").get(pk=appeal.pk)
    StaleAppeal.check(expected_version, fresh.version)
    return fresh


def _require_state(appeal: Appeal, states: Iterable[str]) -> None:
    if appeal.state not in states:
        raise IllegalTransition(
            _("This cannot be done while the appeal is “%(state)s”.") % {"state": appeal.get_state_display()}
        )


def _save(appeal: Appeal, *fields: str) -> None:
    appeal.version += 1
    appeal.save(update_fields=[*fields, "version"])


def _event(
    appeal: Appeal, kind: str, actor: Actor, *, unit: Unit | None = None, note: str = "", **data: Any
) -> AppealEvent:
    user = actor if actor is not None and actor.is_authenticated else None
    event = AppealEvent.objects.create(appeal=appeal, kind=kind, actor=user, unit=unit, note=note, data=data)
    record(f"appeals.{kind}", actor=actor, obj=appeal, detail={"note": note[:200], **data} if note else data)
    return event


def _tell_citizen(appeal: Appeal, message: Promise, *, key: str, wechat: bool = True, **params: Any) -> None:
    """Queue an SMS / e-mail / WeChat message to the citizen (if they left a number, an address or
    wrote through WeChat) in this transaction, written in the site's first language whatever language
    the staff member works in. The key's first part (``replied`` of ``replied:12``) is the kind of
    message, whose SMS template a gateway sends with ``params`` (minyi/worker/sms.py)."""
    if not (appeal.citizen_phone or appeal.citizen_email or appeal.citizen_wechat):
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message) % {"number": appeal.number, **params}
        subject = _("Your appeal %(number)s") % {"number": appeal.number}
        if appeal.citizen_wechat and wechat:
            # Imported here: the WeChat channel builds on this module (it submits and binds appeals).
            from minyi.appeals.wechat import queue_message

            queue_message(
                appeal.citizen_wechat,
                text,
                dedupe_key=f"appeal:{appeal.pk}:{key}",
                kind=key.split(":", 1)[0],
                number=appeal.number or "",
            )
    notify(
        phone=appeal.citizen_phone or None,
        email=appeal.citizen_email or None,
        subject=subject,
        text=text,
        dedupe_key=f"appeal:{appeal.pk}:{key}",
        template=key.split(":", 1)[0],
        params={"number": appeal.number, **params},
    )


def staff_link(appeal: Appeal) -> str:
    """Where staff open the appeal (the detail page of the staff site)."""
    return f"/appeals/{appeal.number}/"


def _tell_staff(people: Iterable[Person], message: Promise, appeal: Appeal, **params: Any) -> None:
    """Leave each person a notice about the appeal (and SMS/e-mail it, as they chose)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message) % {"number": appeal.number, "title": _short(appeal.title, 40), **params}
    notices.tell(people, text, link=staff_link(appeal))


def _dispatchers() -> list[Person]:
    return list(
        Person.objects.filter(role=Role.DISPATCHER, is_active=True, user__isnull=False).select_related("user")
    )


def _citizens_of(appeal: Appeal) -> list[Appeal]:
    """The appeal and every appeal merged into it: one reply reaches them all."""
    return [appeal, *Appeal.objects.filter(master=appeal, state=State.MERGED)]


# --- intake ----------------------------------------------------------------------------------


def check_place(township: Unit | None, village: Unit | None) -> None:
    """The village must be a village/community of the chosen township, inside the district."""
    if township is not None and township.kind != UnitKind.TOWNSHIP:
        raise AppealError({"township": _("Choose a township or street of the district.")})
    outside = township is not None and village is not None and village.parent_id != township.pk
    if village is not None and (village.kind not in RESIDENTIAL_KINDS or outside):
        raise AppealError({"village": _("This village or community is not in the chosen township.")})


def check_text(title: str, body: str) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Write a short title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title may have at most %(n)d characters.") % {"n": TITLE_MAX}
    if not body.strip():
        errors["body"] = _("Write what happened or what you suggest.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("The text may have at most %(n)d characters.") % {"n": BODY_MAX}
    if errors:
        raise AppealError(errors)


@transaction.atomic
def submit(
    *,
    channel: str,
    kind: str,
    title: str,
    body: str,
    actor: Actor = None,
    urgency: str = Urgency.ORDINARY,
    township: Unit | None = None,
    village: Unit | None = None,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    citizen_name: str = "",
    citizen_phone: str = "",
    citizen_email: str = "",
    citizen_wechat: str = "",
    concerns_unit: Unit | None = None,
    category: Category | None = None,
    received_at: datetime | None = None,
    files: Sequence[UploadedFile] = (),
    external_ref: str = "",
    idempotency: tuple[str, str, str] | None = None,
) -> Submission:
    """Store a new appeal from any channel; the number and query code exist once this commits.

    ``idempotency`` is the API client's (client, key, body hash), stored in the same transaction: a
    second submission with the same client and key raises IntegrityError and stores nothing.
    """
    # Direction overrides could disguise the text on the echo wall and on staff pages (docs/security.md).
    title, body = strip_bidi_controls(title), strip_bidi_controls(body)
    check_text(title, body)
    if township is None and village is not None:
        township = village.parent
    check_place(township, village)
    checked = [checked_upload(f) for f in files]  # content checks before anything is written
    code = new_query_code()
    appeal = Appeal.objects.create(
        channel=channel,
        kind=kind,
        urgency=urgency,
        title=title.strip(),
        body=body.strip(),
        township=township,
        village=village,
        address=address.strip(),
        latitude=latitude,
        longitude=longitude,
        citizen_name=citizen_name.strip(),
        citizen_phone=citizen_phone.strip(),
        citizen_email=citizen_email.strip(),
        citizen_wechat=citizen_wechat,
        concerns_unit=concerns_unit,
        category=category,
        received_at=received_at or timezone.now(),
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
        external_ref=external_ref,
        query_code_hash=hash_query_code(code),
    )
    appeal.number = f"{local_day(appeal.received_at):%Y%m%d}{appeal.pk:08d}"
    Appeal.objects.filter(pk=appeal.pk).update(number=appeal.number)
    for upload in checked:
        Attachment.objects.create(appeal=appeal, **upload)
    if idempotency is not None:
        client, key, body_hash = idempotency
        IdempotencyRecord.objects.create(client=client, key=key, body_hash=body_hash, appeal=appeal)
    _event(appeal, EventKind.RECEIVED, actor, channel=channel)
    # The receipt, whatever the channel (docs/design.md, "The appeal loop"): the citizen who left a
    # phone or an address learns the number now, not only at dispatch.
    # A WeChat push is answered at once with the number, in the push's own reply: no second message.
    _tell_citizen(appeal, MSG_RECEIVED, key="received", wechat=False)
    return Submission(appeal=appeal, query_code=code)


@transaction.atomic
def add_attachment(appeal: Appeal, *, upload: UploadedFile, actor: Actor = None) -> Attachment | None:
    """A photo or PDF that reaches an appeal after it was stored (e.g. a WeChat photo fetched by the
    worker), checked by its content; the same file twice is kept once (returns None)."""
    appeal = _lock(appeal, None)
    fields = checked_upload(upload)
    if appeal.attachments.filter(sha256=fields["sha256"]).exists():
        return None
    attachment = Attachment.objects.create(appeal=appeal, **fields)
    record("appeals.attachment_added", actor=actor, obj=appeal, detail={"attachment": attachment.pk})
    return attachment


@transaction.atomic
def bind_wechat(appeal: Appeal, *, openid: str) -> Appeal:
    """The citizen proved with the query code that the appeal is theirs: its news now also reaches
    their WeChat account (minyi/appeals/wechat.py). Rebinding to another account replaces it."""
    appeal = _lock(appeal, None)
    if appeal.citizen_wechat != openid:
        appeal.citizen_wechat = openid
        _save(appeal, "citizen_wechat")
        _event(appeal, EventKind.WECHAT_BOUND, None)
    return appeal


# --- deadlines -------------------------------------------------------------------------------


def _recounted(
    old: WorkCalendar, new: WorkCalendar, start: datetime, deadline: datetime
) -> tuple[datetime, bool]:
    """The deadline that is as many working days after ``start`` by ``new`` as ``deadline`` was by
    ``old`` (so the dispatch's days, extensions and pauses all keep their count), and whether it is
    still provisional."""
    days = old.working_days_between(start, deadline)
    if days < 0:
        return deadline, False
    moved = new.add_working_days(start, days)
    return moved.at, moved.provisional


def recount_deadlines(old: WorkCalendar, new: WorkCalendar, apply: bool) -> list[MovedDeadline]:
    """The running provisional deadlines (appeals held by a unit, and their assignments) that the
    calendar ``new`` moves; with ``apply``, saved (a deadline the dispatcher typed is never
    provisional, so never moved). Registered with the holiday calendar (minyi/workdays/rules.py)."""
    moved: list[MovedDeadline] = []
    running = Appeal.objects.filter(
        state__in=WORKING_STATES, deadline__isnull=False, deadline_provisional=True
    ).order_by("deadline", "pk")
    appeals = list(running.select_for_update(of=("self",)) if apply else running)
    assignments: dict[int, list[Assignment]] = {}
    for assignment in Assignment.objects.filter(
        appeal_id__in=[appeal.pk for appeal in appeals], state__in=ACTIVE_ASSIGNMENT_STATES
    ).order_by("dispatched_at", "pk"):
        assignments.setdefault(assignment.appeal_id, []).append(assignment)
    for appeal in appeals:
        held = assignments.get(appeal.pk, [])
        lead = next((a for a in held if a.unit_id == appeal.lead_unit_id), held[0] if held else None)
        if lead is None or appeal.deadline is None:
            continue
        after, provisional = _recounted(old, new, lead.dispatched_at, appeal.deadline)
        if after == appeal.deadline and provisional == appeal.deadline_provisional:
            continue
        if after != appeal.deadline:
            moved.append(
                MovedDeadline(
                    label=f"{appeal.number} {_short(appeal.title, 40)}",
                    link=staff_link(appeal),
                    before=appeal.deadline,
                    after=after,
                    provisional=provisional,
                )
            )
        if not apply:
            continue
        before = appeal.deadline
        for assignment in held:
            if assignment.deadline_provisional:
                assignment.deadline, assignment.deadline_provisional = _recounted(
                    old, new, assignment.dispatched_at, assignment.deadline
                )
                assignment.save(update_fields=["deadline", "deadline_provisional"])
        appeal.deadline, appeal.deadline_provisional = after, provisional
        _save(appeal, "deadline", "deadline_provisional")
        if after != before:
            _event(
                appeal,
                EventKind.DEADLINE_RECOUNTED,
                None,
                before=before.isoformat(),
                deadline=after.isoformat(),
                provisional=provisional,
            )
    return moved


def sla_for(appeal: Appeal) -> SlaRule:
    """The most specific admin rule for the appeal's urgency, kind and channel (or the default)."""
    rules = SlaRule.objects.filter(
        Q(urgency=appeal.urgency), Q(kind=appeal.kind) | Q(kind=""), Q(channel=appeal.channel) | Q(channel="")
    )
    best = max(rules, key=lambda r: (bool(r.kind), bool(r.channel)), default=None)
    return best or SlaRule(urgency=appeal.urgency, handle_days=DEFAULT_HANDLE_DAYS[Urgency(appeal.urgency)])


def due_status(appeal: Appeal, now: datetime | None = None) -> DueStatus:
    """On track, due soon, overdue or paused — derived from the deadline, never stored."""
    if appeal.state not in WORKING_STATES or appeal.deadline is None:
        return DueStatus.NONE
    if appeal.paused_at is not None:
        return DueStatus.PAUSED
    now = now or timezone.now()
    if appeal.deadline < now:
        return DueStatus.OVERDUE
    if appeal.deadline <= add_working_days(now, 1).at:
        return DueStatus.DUE_SOON
    return DueStatus.ON_TRACK


def due_filter(status: str, now: datetime | None = None) -> Q:
    """A queryset filter for a due status, for lists of thousands of appeals."""
    now = now or timezone.now()
    running = Q(state__in=WORKING_STATES, paused_at__isnull=True, deadline__isnull=False)
    if status == DueStatus.OVERDUE:
        return running & Q(deadline__lt=now)
    if status == DueStatus.DUE_SOON:
        return running & Q(deadline__gte=now, deadline__lte=add_working_days(now, 1).at)
    if status == DueStatus.ON_TRACK:
        return running & Q(deadline__gt=add_working_days(now, 1).at)
    if status == DueStatus.PAUSED:
        return Q(state__in=WORKING_STATES, paused_at__isnull=False)
    raise ValueError(status)


# --- the loop --------------------------------------------------------------------------------
#
# Each transition has its guard, ``check_…(actor, target)``: who may take it (role, unit) and in which
# state, raising the refusal. The rule locks its rows (an assignment, extension or reply before the
# appeal, always in that order, so that two transitions never deadlock), then calls the guard on the
# fresh rows, then checks the input. The staff page and the API call the same guard without the lock
# to offer only what the rule would accept (minyi.appeals.actions).


def _require_unit(actor: Actor, unit: Unit) -> None:
    """Only staff of the assigned unit (or above it) act for it."""
    if not acts_for(actor, unit):
        raise Refused(_("Only staff of %(unit)s may do this.") % {"unit": unit.name})


def _require_held(actor: Actor, appeal: Appeal, *, lead_only: bool) -> None:
    """Only staff of a unit holding an open assignment of the appeal (the lead one, if ``lead_only``)
    work on it: a unit that gave it back, or whose part is done, no longer does."""
    held = [a for a in _held(appeal) if a.role == AssignmentRole.LEAD or not lead_only]
    if not held:
        _require_state(appeal, WORKING_STATES)
        raise IllegalTransition(_("The appeal has no lead unit."))
    if lead_only:
        _require_unit(actor, held[0].unit)
    elif not any(acts_for(actor, a.unit) for a in held):
        raise Refused(_("Your unit holds no open assignment of this appeal."))


def _held(appeal: Appeal) -> list[Assignment]:
    """The appeal's open assignments, read once per version of the appeal object: the page asks each
    action's guard in turn; every rule that opens or ends an assignment raises the version, and a rule
    asks on the row it has just locked (a fresh object)."""
    memo: dict[int, list[Assignment]] = appeal.__dict__.setdefault("_held", {})
    if appeal.version not in memo:
        memo[appeal.version] = list(
            appeal.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).select_related("unit")
        )
    return memo[appeal.version]


def check_triage(actor: Actor, appeal: Appeal) -> User:
    """Dispatch, correct, merge or reject: a dispatcher, while the appeal waits for dispatch."""
    staff = _require(actor, AppealPerm.DISPATCH, appeal)
    _require_state(appeal, TRIAGE_STATES)
    return staff


@transaction.atomic
def dispatch(
    appeal: Appeal,
    *,
    lead: Unit,
    actor: Actor,
    co_units: Sequence[Unit] = (),
    instructions: str = "",
    deadline: datetime | None = None,
    expected_version: int | None = None,
    category: Category | None = None,
) -> Appeal:
    """Hand a new, returned or reopened appeal to a lead unit and co-units, with deadlines; ``category``,
    when given, is the category the dispatcher confirmed or corrected on the way (a label for insight)."""
    appeal = _lock(appeal, expected_version)
    staff = check_triage(actor, appeal)
    units = [lead, *[u for u in co_units if u.pk != lead.pk]]
    if (found := recusal(units, [appeal])) is not None:
        if found.about.pk == appeal.pk:
            message = _(
                "This appeal concerns officials of %(unit)s; it cannot be handed to %(target)s (回避)."
            )
        else:
            message = _(
                "Appeal %(number)s, merged into this one, concerns officials of %(unit)s; this appeal cannot "
                "be handed to %(target)s (回避). Undo that merge first."
            )
        raise AppealError(
            message % {"unit": found.concerned.name, "target": found.unit.name, "number": found.about.number},
            code="recusal",
        )
    now = timezone.now()
    rule = sla_for(appeal)
    computed = add_working_days(now, rule.handle_days)
    if deadline is not None:
        if deadline <= now:
            raise AppealError(_("The deadline must be in the future."), code="past_deadline")
        due_at, provisional = deadline, False
    else:
        due_at, provisional = computed.at, computed.provisional
    return_by = add_working_days(now, rule.return_days).at
    for unit in units:
        Assignment.objects.create(
            appeal=appeal,
            unit=unit,
            role=AssignmentRole.LEAD if unit.pk == lead.pk else AssignmentRole.CO,
            instructions=instructions,
            dispatched_by=staff,
            dispatched_at=now,
            return_by=return_by,
            deadline=due_at,
            deadline_provisional=provisional,
        )
    appeal.state, appeal.lead_unit, appeal.deadline = State.DISPATCHED, lead, due_at
    appeal.deadline_provisional, appeal.paused_at = provisional, None
    changed = ["state", "lead_unit", "deadline", "deadline_provisional", "paused_at"]
    if category is not None and category.pk != appeal.category_id:
        appeal.category = category
        changed.append("category")
    _save(appeal, *changed)
    _event(
        appeal,
        EventKind.DISPATCHED,
        actor,
        unit=lead,
        note=instructions,
        category=appeal.category.code if appeal.category is not None else None,
        co_units=[u.code for u in units[1:]],
        deadline=due_at.isoformat(),
        provisional=provisional,
    )
    _tell_staff(
        notices.staff_of(units, [Role.HANDLER, Role.UNIT_HEAD]),
        STAFF_NEW_ASSIGNMENT,
        appeal,
        date=day_text(due_at),
    )
    _tell_citizen(
        appeal,
        MSG_DISPATCHED,
        key=f"dispatched:{appeal.version}",
        unit=lead.name,
        date=day_text(due_at),
    )
    return appeal


def _lock_assignment(assignment: Assignment) -> Assignment:
    """The assignment under a row lock, then its appeal (the guards read the fresh appeal too)."""
    fresh = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("unit", "appeal")
        .get(pk=assignment.pk)
    )
    fresh.appeal = _lock(fresh.appeal, None)
    return fresh


def _require_assignment_staff(actor: Actor, assignment: Assignment) -> User:
    staff = _require(actor, AppealPerm.HANDLE, assignment)
    _require_unit(actor, assignment.unit)
    return staff


def check_accept(actor: Actor, assignment: Assignment) -> User:
    """Staff of the assigned unit accept an assignment that waits for them."""
    staff = _require_assignment_staff(actor, assignment)
    if assignment.state != AssignmentState.PENDING:
        raise IllegalTransition(_("This assignment has already been accepted or closed."))
    return staff


@transaction.atomic
def accept(assignment: Assignment, *, actor: Actor) -> Assignment:
    """The unit takes the appeal on; for the lead unit the appeal moves to in progress."""
    assignment = _lock_assignment(assignment)
    check_accept(actor, assignment)
    appeal = assignment.appeal
    assignment.state, assignment.accepted_at = AssignmentState.ACCEPTED, timezone.now()
    assignment.save(update_fields=["state", "accepted_at"])
    if assignment.role == AssignmentRole.LEAD and appeal.state == State.DISPATCHED:
        appeal.state = State.IN_PROGRESS
        _save(appeal, "state")
    _event(appeal, EventKind.ACCEPTED, actor, unit=assignment.unit, role=assignment.role)
    return assignment


def check_return(actor: Actor, assignment: Assignment) -> User:
    """Staff of the lead unit return its open assignment, within the return limit."""
    staff = _require_assignment_staff(actor, assignment)
    if assignment.role != AssignmentRole.LEAD or assignment.state not in ACTIVE_ASSIGNMENT_STATES:
        raise IllegalTransition(_("Only the lead unit's open assignment can be returned."))
    if timezone.now() > assignment.return_by:
        raise AppealError(
            _("The time to return this appeal ended on %(date)s; ask the dispatcher instead.")
            % {"date": minute_text(assignment.return_by)},
            code="too_late",
        )
    return staff


@transaction.atomic
def return_to_dispatcher(assignment: Assignment, *, actor: Actor, reason: str) -> Appeal:
    """A lead unit sends a misrouted appeal back, with the reason, within the return limit."""
    assignment = _lock_assignment(assignment)
    check_return(actor, assignment)
    if not reason.strip():
        raise AppealError(_("Say why the appeal is returned."), code="reason")
    appeal, now = assignment.appeal, timezone.now()
    assignment.state, assignment.returned_at, assignment.return_reason = AssignmentState.RETURNED, now, reason
    assignment.save(update_fields=["state", "returned_at", "return_reason"])
    appeal.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).update(
        state=AssignmentState.WITHDRAWN, finished_at=now
    )
    appeal.state, appeal.lead_unit, appeal.deadline, appeal.paused_at = State.RECEIVED, None, None, None
    _save(appeal, "state", "lead_unit", "deadline", "paused_at")
    _event(appeal, EventKind.RETURNED, actor, unit=assignment.unit, note=reason)
    _tell_staff(_dispatchers(), STAFF_RETURNED, appeal, unit=assignment.unit.name)
    return appeal


def check_request_extension(actor: Actor, assignment: Assignment) -> User:
    """Staff of the lead unit, once it has accepted, ask for more time (one request at a time)."""
    staff = _require_assignment_staff(actor, assignment)
    if assignment.role != AssignmentRole.LEAD or assignment.state != AssignmentState.ACCEPTED:
        raise IllegalTransition(_("Only the lead unit, once it has accepted, may ask for more time."))
    if assignment.extensions.filter(state=ExtensionState.PENDING).exists():
        raise IllegalTransition(_("An extension request is already waiting for a decision."))
    return staff


@transaction.atomic
def request_extension(assignment: Assignment, *, actor: Actor, days: int, reason: str) -> Extension:
    """The lead unit asks for more working days; the dispatcher decides."""
    assignment = _lock_assignment(assignment)
    staff = check_request_extension(actor, assignment)
    if not reason.strip():
        raise AppealError(_("Say why more time is needed."), code="reason")
    rule = sla_for(assignment.appeal)
    granted = sum(e.days for e in assignment.extensions.filter(state=ExtensionState.APPROVED))
    if days < 1 or granted + days > rule.max_extension_days:
        raise AppealError(
            _("An extension may add 1 to %(n)d working days in all.")
            % {"n": rule.max_extension_days - granted},
            code="days",
        )
    extension = Extension.objects.create(assignment=assignment, days=days, reason=reason, requested_by=staff)
    _event(
        assignment.appeal, EventKind.EXTENSION_REQUESTED, actor, unit=assignment.unit, note=reason, days=days
    )
    _tell_staff(_dispatchers(), STAFF_EXTENSION, assignment.appeal, unit=assignment.unit.name, days=days)
    return extension


def check_decide_extension(actor: Actor, extension: Extension) -> User:
    """A dispatcher decides an extension request that waits for a decision."""
    staff = _require(actor, AppealPerm.DISPATCH, extension.assignment.appeal)
    if extension.state != ExtensionState.PENDING:
        raise IllegalTransition(_("This request has already been decided."))
    if extension.assignment.state not in ACTIVE_ASSIGNMENT_STATES:
        raise IllegalTransition(_("The unit that asked no longer holds this appeal."))
    return staff


@transaction.atomic
def decide_extension(extension: Extension, *, actor: Actor, approve: bool, note: str = "") -> Extension:
    """Approve (the deadline moves by the extra working days) or deny an extension request."""
    extension = (
        Extension.objects.select_for_update(of=("self",))
        .select_related("assignment__appeal")
        .get(pk=extension.pk)
    )
    appeal = extension.assignment.appeal = _lock(extension.assignment.appeal, None)
    staff = check_decide_extension(actor, extension)
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.DENIED
    extension.decided_by, extension.decided_at, extension.decision_note = staff, timezone.now(), note
    extension.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if approve:
        assignment = extension.assignment
        moved = add_working_days(assignment.deadline, extension.days)
        assignment.deadline = moved.at
        assignment.deadline_provisional = assignment.deadline_provisional or moved.provisional
        assignment.save(update_fields=["deadline", "deadline_provisional"])
        appeal.deadline, appeal.deadline_provisional = assignment.deadline, assignment.deadline_provisional
        _save(appeal, "deadline", "deadline_provisional")
        _event(
            appeal,
            EventKind.EXTENSION_APPROVED,
            actor,
            note=note,
            days=extension.days,
            deadline=moved.at.isoformat(),
        )
        _tell_citizen(
            appeal,
            MSG_EXTENDED,
            key=f"extended:{extension.pk}",
            date=day_text(moved.at),
        )
    else:
        _event(appeal, EventKind.EXTENSION_DENIED, actor, note=note, days=extension.days)
    return extension


def check_report_progress(actor: Actor, appeal: Appeal) -> User:
    """Staff of a unit holding an open assignment note progress while the appeal is worked on."""
    staff = _require(actor, AppealPerm.HANDLE, appeal)
    _require_held(actor, appeal, lead_only=False)
    _require_state(appeal, WORKING_STATES)
    return staff


@transaction.atomic
def report_progress(
    appeal: Appeal, *, actor: Actor, note: str, public: bool = False, files: Sequence[UploadedFile] = ()
) -> AppealEvent:
    """A note on the work done so far, with photos (or PDFs) as evidence. Internal unless ``public``:
    a public note is shown to the citizen on the tracking page (its photos stay with the staff) and
    sent to them."""
    appeal = _lock(appeal, None)
    check_report_progress(actor, appeal)
    if not note.strip():
        raise AppealError(_("Write what was done."), code="note")
    if len(files) > MAX_FILES:
        raise AppealError({"uploads": _("Send at most %(n)d files.") % {"n": MAX_FILES}})
    try:  # content checks before anything is written
        checked = [checked_upload(f) for f in files]
    except ValidationError as error:
        raise AppealError({"uploads": error.message_dict.get("files", error.messages)}) from error
    unit = _unit_of_actor(actor)
    event = _event(appeal, EventKind.PROGRESS, actor, unit=unit, note=note, public=public, files=len(checked))
    for upload in checked:
        Attachment.objects.create(appeal=appeal, event=event, **upload)
    if public:
        _tell_citizen(appeal, MSG_PROGRESS, key=f"progress:{event.pk}", note=_short(note))
    return event


def _unit_of_actor(actor: Actor) -> Unit | None:
    person = person_of(actor) if actor is not None else None
    return person.unit if person is not None else None


def check_pause(actor: Actor, appeal: Appeal) -> User:
    """Staff of the lead unit stop the clock of an appeal being worked on, if it runs."""
    staff = _require(actor, AppealPerm.HANDLE, appeal)
    _require_held(actor, appeal, lead_only=True)
    _require_state(appeal, WORKING_STATES)
    if appeal.paused_at is not None:
        raise IllegalTransition(_("The clock is already paused."))
    return staff


@transaction.atomic
def pause_clock(appeal: Appeal, *, actor: Actor, waiting_for: str, reason: str) -> Pause:
    """Stop the deadline clock while waiting for the citizen or a third party."""
    appeal = _lock(appeal, None)
    staff = check_pause(actor, appeal)
    if not reason.strip():
        raise AppealError(_("Say what information is awaited."), code="reason")
    pause = Pause.objects.create(appeal=appeal, waiting_for=waiting_for, reason=reason, started_by=staff)
    appeal.paused_at = pause.started_at
    _save(appeal, "paused_at")
    _event(appeal, EventKind.PAUSED, actor, note=reason, waiting_for=waiting_for)
    if waiting_for == WaitingFor.CITIZEN:
        _tell_citizen(appeal, MSG_NEED_INFORMATION, key=f"paused:{pause.pk}", reason=reason)
    return pause


def check_resume(actor: Actor, appeal: Appeal) -> None:
    """Staff of the lead unit restart a paused clock (``actor`` None: the system, e.g. when the citizen
    sent what was awaited)."""
    if actor is not None:
        _require(actor, AppealPerm.HANDLE, appeal)
        _require_held(actor, appeal, lead_only=True)
    _open_pause(appeal)


@transaction.atomic
def resume_clock(appeal: Appeal, *, actor: Actor, note: str = "") -> Appeal:
    """Restart the clock; the deadline moves by the working days the pause lasted."""
    appeal = _lock(appeal, None)
    check_resume(actor, appeal)
    return _resume(appeal, actor, note)


def _open_pause(appeal: Appeal) -> Pause:
    pause = appeal.pauses.filter(ended_at__isnull=True).first() if appeal.paused_at is not None else None
    if pause is None:
        raise IllegalTransition(_("The clock is not paused."))
    return pause


def _resume(appeal: Appeal, actor: Actor, note: str) -> Appeal:
    pause = _open_pause(appeal)
    now = timezone.now()
    lost = working_days_between(pause.started_at, now)
    pause.ended_at = now
    pause.ended_by = actor if actor is not None and actor.is_authenticated else None
    pause.save(update_fields=["ended_at", "ended_by"])
    if appeal.deadline is not None and lost > 0:
        moved = add_working_days(appeal.deadline, lost)
        appeal.deadline = moved.at
        appeal.deadline_provisional = appeal.deadline_provisional or moved.provisional
        appeal.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).update(deadline=moved.at)
    appeal.paused_at = None
    _save(appeal, "paused_at", "deadline", "deadline_provisional")
    _event(appeal, EventKind.RESUMED, actor, note=note, working_days_paused=lost)
    return appeal


@transaction.atomic
def add_citizen_information(appeal: Appeal, *, text: str) -> Appeal:
    """The citizen adds information on the tracking page; a clock waiting for them restarts."""
    appeal = _lock(appeal, None)
    if not text.strip() or len(text) > BODY_MAX:
        raise AppealError(
            _("Write the information (at most %(n)d characters).") % {"n": BODY_MAX}, code="text"
        )
    _event(
        appeal, EventKind.PROGRESS, None, note=_("Information from the citizen: %(text)s") % {"text": text}
    )
    waiting = appeal.pauses.filter(ended_at__isnull=True, waiting_for=WaitingFor.CITIZEN).exists()
    if waiting and appeal.paused_at is not None:
        appeal = _resume(appeal, None, _("The citizen sent the information."))
    return appeal


def check_draft_reply(actor: Actor, appeal: Appeal) -> User:
    """Staff of the lead unit draft the reply of an appeal in progress, one draft at a time."""
    staff = _require(actor, AppealPerm.HANDLE, appeal)
    _require_held(actor, appeal, lead_only=True)
    _require_state(appeal, (State.IN_PROGRESS,))
    # A draft left by a unit that gave the appeal back waits for nobody: only the lead unit's counts.
    if appeal.replies.filter(state=ReplyState.SUBMITTED, unit=_lead_held(appeal)).exists():
        raise IllegalTransition(_("A reply is already waiting for approval."))
    return staff


@transaction.atomic
def draft_reply(appeal: Appeal, *, actor: Actor, body: str, publish: bool = False) -> Reply:
    """The lead unit's handler submits a reply for the unit head's approval."""
    appeal = _lock(appeal, None)
    staff = check_draft_reply(actor, appeal)
    if not body.strip():
        raise AppealError(_("Write the reply."), code="body")
    if len(body) > BODY_MAX:
        raise AppealError(_("The text may have at most %(n)d characters.") % {"n": BODY_MAX}, code="body")
    lead = appeal.assignments.select_related("unit").get(  # the guard found it
        role=AssignmentRole.LEAD, state__in=ACTIVE_ASSIGNMENT_STATES
    )
    reply = Reply.objects.create(
        appeal=appeal,
        unit=lead.unit,
        body=body.strip(),
        publish=publish,
        drafted_by=staff,
        state=ReplyState.SUBMITTED,
    )
    _event(appeal, EventKind.REPLY_DRAFTED, actor, unit=lead.unit)
    _tell_staff(notices.staff_of([lead.unit], [Role.UNIT_HEAD]), STAFF_REPLY_TO_APPROVE, appeal)
    return reply


def sent_back_draft(appeal: Appeal) -> Reply | None:
    """The lead unit's latest draft if its unit head sent it back: the redraft starts from its text, with
    the head's note beside it (None when there is no such draft or a newer one exists)."""
    lead = _lead_held(appeal)
    if lead is None:
        return None
    latest = (
        appeal.replies.filter(unit=lead)
        .select_related("decided_by__person")
        .order_by("-drafted_at", "-id")
        .first()
    )
    return latest if latest is not None and latest.state == ReplyState.SENT_BACK else None


def _lock_reply(reply: Reply) -> Reply:
    return Reply.objects.select_for_update(of=("self",)).select_related("unit", "appeal").get(pk=reply.pk)


def check_send_back_reply(actor: Actor, reply: Reply) -> User:
    """The head of the replying unit decides a draft that waits for approval."""
    staff = _require(actor, AppealPerm.APPROVE_REPLY, reply)
    _require_unit(actor, reply.unit)
    if reply.state != ReplyState.SUBMITTED:
        raise IllegalTransition(_("This reply is not waiting for approval."))
    lead = _lead_held(reply.appeal)
    if lead is None or lead.pk != reply.unit_id:
        raise IllegalTransition(
            _("%(unit)s no longer holds this appeal as lead unit; its draft reply can no longer be decided.")
            % {"unit": reply.unit.name}
        )
    return staff


def _lead_held(appeal: Appeal) -> Unit | None:
    """The unit holding the appeal's open lead assignment, if any."""
    return next((a.unit for a in _held(appeal) if a.role == AssignmentRole.LEAD), None)


@transaction.atomic
def send_back_reply(reply: Reply, *, actor: Actor, note: str) -> Reply:
    """The unit head returns a draft for rework, saying what is missing."""
    reply = _lock_reply(reply)
    staff = check_send_back_reply(actor, reply)
    if not note.strip():
        raise AppealError(_("Say what the reply lacks."), code="note")
    reply.state, reply.decided_by, reply.decided_at, reply.decision_note = (
        ReplyState.SENT_BACK,
        staff,
        timezone.now(),
        note,
    )
    reply.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    _event(reply.appeal, EventKind.REPLY_SENT_BACK, actor, unit=reply.unit, note=note)
    return reply


def check_approve_reply(actor: Actor, reply: Reply) -> User:
    """As sending back, and only while the appeal is in progress (the reply answers it)."""
    staff = check_send_back_reply(actor, reply)
    _require_state(reply.appeal, (State.IN_PROGRESS,))
    return staff


@transaction.atomic
def approve_reply(reply: Reply, *, actor: Actor, body: str | None = None) -> Reply:
    """The unit head approves; the reply goes to the citizen (and every merged citizen)."""
    reply = _lock_reply(reply)
    appeal = reply.appeal = _lock(reply.appeal, None)
    staff = check_approve_reply(actor, reply)
    now = timezone.now()
    if body is not None and body.strip():
        reply.body = body.strip()
    reply.state, reply.decided_by, reply.decided_at, reply.sent_at = ReplyState.SENT, staff, now, now
    reply.save(update_fields=["body", "state", "decided_by", "decided_at", "sent_at"])
    _send(appeal, reply, actor, now)
    return reply


def _send(appeal: Appeal, reply: Reply, actor: Actor, now: datetime, **data: Any) -> None:
    """The appeal is answered by ``reply``: assignments done, state replied, every citizen told."""
    appeal.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).update(
        state=AssignmentState.DONE, finished_at=now
    )
    appeal.state, appeal.replied_at, appeal.paused_at = State.REPLIED, now, None
    _save(appeal, "state", "replied_at", "paused_at")
    _event(appeal, EventKind.REPLIED, actor, unit=reply.unit, reply=reply.pk, **data)
    echo.publish_for_reply(reply)  # on the echo wall if it was chosen for it (masked)
    for citizen_appeal in _citizens_of(appeal):
        if citizen_appeal.pk != appeal.pk and unit_recused(reply.unit, citizen_appeal):
            _split_off(citizen_appeal, actor, reply.unit)
            continue
        _tell_citizen(citizen_appeal, MSG_REPLIED, key=f"replied:{reply.pk}", reply=_short(reply.body))


def _split_off(merged: Appeal, actor: Actor, unit: Unit) -> None:
    """A merged appeal about ``unit``'s officials never gets that unit's reply (回避; a merge made before
    the merge rule refused it): it goes back to the dispatcher's inbox to be handled on its own."""
    master = merged.master
    merged.state, merged.master, merged.reject_reason = State.RECEIVED, None, ""
    _save(merged, "state", "master", "reject_reason")
    note = _("Not answered by %(unit)s, whose officials it concerns (回避): back in the inbox.") % {
        "unit": unit.name
    }
    _event(merged, EventKind.UNMERGED, actor, note=note, master=master.number if master else None)
    _tell_staff(_dispatchers(), STAFF_SPLIT_OFF, merged, unit=unit.name)


@transaction.atomic
def answer_by_rectification(
    appeal: Appeal, *, actor: Actor, unit: Unit, body: str, issue_id: int
) -> Reply | None:
    """A signed-off rectification item answers a linked appeal that is still open (any open state);
    answered, closed or rejected appeals are left as they are (None)."""
    appeal = _lock(appeal, None)
    staff = _require(actor, AppealPerm.VIEW, appeal)
    if appeal.state not in OPEN_STATES:
        return None
    return _answer_at_once(appeal, staff, unit, body, issue=issue_id)


@transaction.atomic
def answer_on_the_spot(appeal: Appeal, *, actor: Actor, unit: Unit, body: str, difficulty_id: int) -> Reply:
    """A difficulty the visitor solved there and then (当场解决): the appeal it has just become is
    answered at once by the visitor's unit with how it was handled, and the follow-up (回访) then runs as
    for any answer. Only the person who recorded the appeal may, and only while it is just received."""
    appeal = _lock(appeal, None)
    if not isinstance(actor, User) or appeal.recorded_by_id != actor.pk:
        raise Refused(_("Only the one who recorded the appeal answers it on the spot."))
    _require_state(appeal, (State.RECEIVED,))
    return _answer_at_once(appeal, actor, unit, body, on_the_spot=difficulty_id)


def check_answer_during_call(actor: Actor, appeal: Appeal) -> User:
    """The operator who took the call answers a consultation there and then, while it is just received."""
    # The state and the kind first: asked for every appeal page, they need no query.
    _require_state(appeal, (State.RECEIVED,))
    if appeal.kind != Kind.CONSULTATION:
        raise IllegalTransition(_("Only a consultation can be answered during the call."))
    staff = _require(actor, AppealPerm.RECORD, appeal)
    if appeal.recorded_by_id != staff.pk:
        raise Refused(_("Only the one who took the call answers it during the call."))
    if _unit_of_actor(staff) is None:
        raise Refused(_("Your login belongs to no unit; the answer must name the unit that gave it."))
    return staff


@transaction.atomic
def answer_during_call(
    appeal: Appeal, *, actor: Actor, body: str, publish: bool = False, expected_version: int | None = None
) -> Reply:
    """直接办结: a consultation answered during the call is answered at once by the operator's unit (no
    dispatch, no approval), the answer goes to the citizen (and on the echo wall if chosen), and the
    follow-up (回访) runs as for any answer."""
    appeal = _lock(appeal, expected_version)
    staff = check_answer_during_call(actor, appeal)
    unit = _unit_of_actor(staff)
    assert unit is not None  # the guard refused a login without a unit
    return _answer_at_once(appeal, staff, unit, body, publish=publish, answered_during_call=True)


def _answer_at_once(
    appeal: Appeal, staff: User, unit: Unit, body: str, *, publish: bool = False, **data: Any
) -> Reply:
    """Send ``body`` as the appeal's answer now, with no draft and no approval step."""
    if not body.strip():
        raise AppealError(_("Write the reply."), code="body")
    if len(body) > BODY_MAX:
        raise AppealError(_("The text may have at most %(n)d characters.") % {"n": BODY_MAX}, code="body")
    now = timezone.now()
    reply = Reply.objects.create(
        appeal=appeal, unit=unit, body=body.strip(), publish=publish, drafted_by=staff, decided_by=staff,
        decided_at=now, sent_at=now, state=ReplyState.SENT,
    )  # fmt: skip
    _send(appeal, reply, staff, now, **data)
    return reply


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_follow_up(actor: Actor, appeal: Appeal, by: str = FollowupBy.CALL) -> None:
    """A replied appeal is followed up: by a call, only staff who may make follow-up calls record it."""
    if by == FollowupBy.CALL:
        _require(actor, AppealPerm.FOLLOW_UP, appeal)
    _require_state(appeal, (State.REPLIED,))


@transaction.atomic
def follow_up(appeal: Appeal, *, result: str, by: str, actor: Actor = None, comment: str = "") -> Followup:
    """The satisfaction check: satisfied or basically satisfied closes; unsatisfied reopens (重办)."""
    appeal = _lock(appeal, None)
    check_follow_up(actor, appeal, by)
    if result not in Satisfaction.values:
        raise AppealError(_("Choose satisfied, basically satisfied or unsatisfied."), code="result")
    user = actor if actor is not None and actor.is_authenticated else None
    followup = Followup.objects.create(appeal=appeal, result=result, by=by, comment=comment, recorded_by=user)
    _event(appeal, EventKind.FOLLOWED_UP, actor, note=comment, result=result, by=by)
    if result == Satisfaction.UNSATISFIED:
        appeal.state, appeal.lead_unit, appeal.deadline = State.REOPENED, None, None
        _save(appeal, "state", "lead_unit", "deadline")
        _event(appeal, EventKind.REOPENED, actor, note=comment)
        _tell_staff(_dispatchers(), STAFF_REOPENED, appeal)
        _tell_citizen(appeal, MSG_REOPENED, key=f"reopened:{followup.pk}")
    else:
        appeal.state, appeal.closed_at = State.CLOSED, timezone.now()
        _save(appeal, "state", "closed_at")
        _event(appeal, EventKind.CLOSED, actor)
    return followup


def check_close(actor: Actor, appeal: Appeal) -> User:
    """A dispatcher closes a replied appeal."""
    staff = _require(actor, AppealPerm.DISPATCH, appeal)
    _require_state(appeal, (State.REPLIED,))
    return staff


@transaction.atomic
def close(appeal: Appeal, *, actor: Actor, note: str, expected_version: int | None = None) -> Appeal:
    """Close a replied appeal without a follow-up (e.g. the citizen cannot be reached)."""
    appeal = _lock(appeal, expected_version)
    check_close(actor, appeal)
    if not note.strip():
        raise AppealError(_("Say why it is closed without a follow-up."), code="note")
    appeal.state, appeal.closed_at = State.CLOSED, timezone.now()
    _save(appeal, "state", "closed_at")
    _event(appeal, EventKind.CLOSED, actor, note=note)
    return appeal


@transaction.atomic
def reject(
    appeal: Appeal, *, actor: Actor, reason: str, note: str, expected_version: int | None = None
) -> Appeal:
    """Refuse an appeal (out of scope, abusive); duplicates are merged instead."""
    appeal = _lock(appeal, expected_version)
    check_triage(actor, appeal)
    if reason not in (RejectReason.OUT_OF_SCOPE, RejectReason.ABUSIVE):
        raise AppealError(_("A duplicate is merged into the earlier appeal, not rejected."), code="reason")
    if not note.strip():
        raise AppealError(_("Write the reason the citizen will read."), code="note")
    appeal.state, appeal.reject_reason, appeal.closed_at = State.REJECTED, reason, timezone.now()
    _save(appeal, "state", "reject_reason", "closed_at")
    _event(appeal, EventKind.REJECTED, actor, note=note, reason=reason)
    _tell_citizen(appeal, MSG_REJECTED, key="rejected", note=note)
    return appeal


@transaction.atomic
def merge(appeal: Appeal, *, into: Appeal, actor: Actor, expected_version: int | None = None) -> Appeal:
    """Merge a duplicate into a master appeal; the master's reply will reach this citizen too."""
    appeal = _lock(appeal, expected_version)
    check_triage(actor, appeal)
    _require(actor, AppealPerm.DISPATCH, into)
    if into.pk == appeal.pk or into.state in (State.MERGED, State.REJECTED):
        raise AppealError(_("Choose another open appeal to merge into."), code="master")
    # The master's reply reaches this citizen: no unit holding the master may be one it concerns.
    if (found := recusal(holding_units(into), [appeal])) is not None:
        raise AppealError(
            _(
                "Appeal %(number)s concerns officials of %(unit)s, and %(target)s holds %(master)s: it "
                "cannot be merged into it (回避). Handle it on its own."
            )
            % {
                "number": found.about.number,
                "unit": found.concerned.name,
                "target": found.unit.name,
                "master": into.number,
            },
            code="recusal",
        )
    appeal.state, appeal.master, appeal.reject_reason = State.MERGED, into, RejectReason.DUPLICATE
    _save(appeal, "state", "master", "reject_reason")
    _event(appeal, EventKind.MERGED, actor, master=into.number)
    _event(into, EventKind.MERGED, actor, merged=appeal.number)
    return appeal


def check_unmerge(actor: Actor, appeal: Appeal) -> User:
    """A dispatcher undoes the merge of a merged appeal."""
    staff = _require(actor, AppealPerm.DISPATCH, appeal)
    _require_state(appeal, (State.MERGED,))
    return staff


@transaction.atomic
def unmerge(appeal: Appeal, *, actor: Actor) -> Appeal:
    """Undo a wrong merge: the appeal goes back to the dispatcher's inbox."""
    appeal = _lock(appeal, None)
    check_unmerge(actor, appeal)
    master = appeal.master
    appeal.state, appeal.master, appeal.reject_reason = State.RECEIVED, None, ""
    _save(appeal, "state", "master", "reject_reason")
    _event(appeal, EventKind.UNMERGED, actor, master=master.number if master else None)
    return appeal


@transaction.atomic
def correct(appeal: Appeal, *, actor: Actor, expected_version: int, **changes: Any) -> Appeal:
    """Correct details (category, urgency, kind, title, place) while the appeal waits for dispatch, with
    an optimistic-lock check; only what differs is saved, and nothing differing is refused."""
    allowed = {"category", "urgency", "kind", "title", "body", "township", "village", "address"}
    if unknown := set(changes) - allowed:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    appeal = _lock(appeal, expected_version)
    check_triage(actor, appeal)
    changes = {field: value for field, value in changes.items() if getattr(appeal, field) != value}
    if not changes:
        raise AppealError(_("Nothing was changed."), code="unchanged")
    for field, value in changes.items():
        setattr(appeal, field, value)
    check_text(appeal.title, appeal.body)
    check_place(appeal.township, appeal.village)
    _save(appeal, *changes)
    _event(appeal, EventKind.UPDATED, actor, fields=sorted(changes))
    return appeal
