"""Every change to study records, and the figures computed from them.

Each function that changes something takes a keyword-only ``actor``, checks its input, runs in one
transaction, writes an audit record and raises ``ValidationError`` with a translated message (and
changes nothing) when the input is wrong. Views, commands and the later offline sync call these.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.audit.rules import record
from minyi.dates import day_start, minute_text
from minyi.ledger.models import Campaign
from minyi.offline_batch import BatchProblem, BatchResult
from minyi.org import notices
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Person, Unit
from minyi.org.permissions import AnyUser, can, person_of
from minyi.org.rules import Actor
from minyi.study.access import StudyPerm
from minyi.study.choices import ActivityKind, AttendanceMode, BranchKind, MaterialKind
from minyi.study.models import Activity, Attendance, Branch, Material, Membership, Reminder, Session
from minyi.worker.notify import notify

#: Letters and digits of check-in codes: no 0/O or 1/I, which people misread on a phone.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: Default check-in window around a session's start, in minutes (settings may change them).
OPENS_BEFORE_MINUTES = 60
CLOSES_AFTER_MINUTES = 180
#: Days after a session's start in which a member may still mark it attended online.
ONLINE_DAYS = 7

REMINDER_TEXT = gettext_lazy(
    "Study reminder: you have not attended any study session between %(from)s and %(to)s. "
    "Please join your branch's next session, or attend online."
)


# --- helpers ---------------------------------------------------------------------------------------


def _minutes_setting(name: str, default: int) -> dt.timedelta:
    value = getattr(settings, name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of minutes, 0 or more (got {value!r})")
    return dt.timedelta(minutes=value)


def checkin_window(starts_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """When a session's code works: ``MINYI_STUDY_CHECKIN_OPENS_BEFORE`` minutes before the start
    until ``MINYI_STUDY_CHECKIN_CLOSES_AFTER`` minutes after it (defaults 60 and 180)."""
    before = _minutes_setting("MINYI_STUDY_CHECKIN_OPENS_BEFORE", OPENS_BEFORE_MINUTES)
    after = _minutes_setting("MINYI_STUDY_CHECKIN_CLOSES_AFTER", CLOSES_AFTER_MINUTES)
    return starts_at - before, starts_at + after


def new_code() -> str:
    """A random check-in code no session uses yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Session.objects.filter(code=code).exists():
            return code


def normalise_code(raw: str) -> str:
    """The code as stored (upper case, no spaces), or a ValidationError when it cannot be one."""
    code = "".join(str(raw).split()).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise ValidationError(_("A check-in code has 6 letters or digits."), code="malformed")
    return code


def _membership(user: AnyUser) -> Membership:
    person = person_of(user)
    membership = None
    if person is not None and person.role == Role.MEMBER:
        membership = Membership.objects.filter(person=person, is_active=True).first()
    if membership is None:
        raise ValidationError(_("Only party members on a branch roll can check in."), code="not_member")
    return membership


def _require_organiser(actor: Actor, unit: Unit) -> None:
    if actor is None:
        return  # the system (commands, seeding)
    if not can(actor, StudyPerm.ORGANISE, unit):
        raise PermissionDenied(_("You may not organise study for this unit."))


# --- branches and members --------------------------------------------------------------------------


def _require_roll_keeper(actor: Actor, permission: str, unit: Unit) -> None:
    """Branches and rolls are kept by those with ``permission`` for ``unit`` (None: the system)."""
    if actor is not None and not can(actor, permission, unit):
        raise PermissionDenied(_("You may not keep the branches and rolls of this unit."))


def _check_branch(*, kind: str, liaison: Person, responsible: Person, party_unit: Unit | None) -> None:
    if kind not in BranchKind.values:
        raise ValidationError(_("Unknown kind of branch."), code="kind")
    if liaison.role not in (Role.CADRE, Role.LEADER):
        raise ValidationError(_("The liaison must be a cadre or a leader."), code="liaison")
    if responsible.role != Role.MEMBER:
        raise ValidationError(_("The responsible person must be a party member."), code="responsible")
    if party_unit is not None and party_unit.kind != UnitKind.PARTY_BRANCH:
        raise ValidationError(_("Only a unit of kind party branch can be tied to a branch."), code="unit")


def create_branch(
    *,
    code: str,
    name: str,
    kind: str,
    unit: Unit,
    liaison: Person,
    responsible: Person,
    party_unit: Unit | None = None,
    actor: Actor,
) -> Branch:
    """A new party branch with its liaison cadre and responsible member."""
    _require_roll_keeper(actor, StudyPerm.ADD_BRANCH, unit)
    _check_branch(kind=kind, liaison=liaison, responsible=responsible, party_unit=party_unit)
    branch = Branch(
        code=code, name=name, kind=kind, unit=unit, liaison=liaison, responsible=responsible,
        party_unit=party_unit,
    )  # fmt: skip
    branch.full_clean()
    with transaction.atomic():
        branch.save()
        record("study.branch.create", actor=actor, obj=branch, detail={"kind": kind})
    return branch


def update_branch(
    branch: Branch,
    *,
    name: str,
    kind: str,
    unit: Unit,
    liaison: Person,
    responsible: Person,
    actor: Actor,
) -> Branch:
    """Change a branch's name, kind, unit, liaison cadre or responsible member (its code stays)."""
    _require_roll_keeper(actor, StudyPerm.CHANGE_BRANCH, branch.unit)
    _require_roll_keeper(actor, StudyPerm.CHANGE_BRANCH, unit)
    _check_branch(kind=kind, liaison=liaison, responsible=responsible, party_unit=None)
    with transaction.atomic():
        branch = Branch.objects.select_for_update().get(pk=branch.pk)
        before = {"kind": branch.kind, "unit": branch.unit_id, "liaison": branch.liaison_id,
                  "responsible": branch.responsible_id}  # fmt: skip
        branch.name, branch.kind, branch.unit = name.strip(), kind, unit
        branch.liaison, branch.responsible = liaison, responsible
        branch.full_clean()
        branch.save(update_fields=["name", "kind", "unit", "liaison", "responsible"])
        record("study.branch.update", actor=actor, obj=branch, detail={"before": before})
    return branch


def enrol_member(
    person: Person,
    *,
    home_branch: Branch,
    current_branch: Branch | None = None,
    mobile: bool = False,
    whereabouts: str = "",
    actor: Actor,
) -> Membership:
    """Put a party member on a branch roll (one roll row per member)."""
    _require_roll_keeper(actor, StudyPerm.ADD_MEMBERSHIP, home_branch.unit)
    if person.role != Role.MEMBER:
        raise ValidationError(_("Only a person with the role party member can be on a branch roll."))
    if Membership.objects.filter(person=person).exists():
        raise ValidationError(_("%(name)s is already on a branch roll.") % {"name": person.name})
    with transaction.atomic():
        membership = Membership.objects.create(
            person=person,
            home_branch=home_branch,
            current_branch=current_branch or home_branch,
            mobile=mobile,
            whereabouts=whereabouts[:100],
        )
        record("study.member.enrol", actor=actor, obj=membership, subject=person.name)
    return membership


def move_member(
    membership: Membership, *, current_branch: Branch, mobile: bool, whereabouts: str = "", actor: Actor
) -> Membership:
    """The member now studies with ``current_branch`` (e.g. a floating branch at sea)."""
    _require_roll_keeper(actor, StudyPerm.CHANGE_MEMBERSHIP, membership.current_branch.unit)
    _require_roll_keeper(actor, StudyPerm.CHANGE_MEMBERSHIP, current_branch.unit)
    if not current_branch.is_active:
        raise ValidationError(_("%(branch)s is no longer active.") % {"branch": current_branch.name})
    with transaction.atomic():
        membership.current_branch = current_branch
        membership.mobile = mobile
        membership.whereabouts = whereabouts[:100]
        membership.save(update_fields=["current_branch", "mobile", "whereabouts"])
        record(
            "study.member.move",
            actor=actor,
            obj=membership,
            subject=membership.person.name,
            detail={"branch": current_branch.code, "mobile": mobile},
        )
    return membership


# --- activities and sessions -----------------------------------------------------------------------


def create_activity(
    *,
    kind: str,
    title: str,
    unit: Unit,
    campaign: Campaign | None = None,
    venue_kind: str = "",
    owners: Iterable[Person] = (),
    actor: Actor,
) -> Activity:
    """A new study activity organised by ``unit``; venues only for lecture tours."""
    _require_organiser(actor, unit)
    if kind not in ActivityKind.values:
        raise ValidationError(_("Unknown kind of activity."), code="kind")
    if not title.strip():
        raise ValidationError(_("Give the activity a title."), code="title")
    if venue_kind and kind != ActivityKind.LECTURE_TOUR:
        raise ValidationError(_("Only a lecture tour has venues."), code="venue")
    owners = list(owners)
    if owners and kind != ActivityKind.RESEARCH:
        raise ValidationError(_("Only a research topic has owners."), code="owners")
    activity = Activity(
        kind=kind, title=title.strip(), unit=unit, campaign=campaign, venue_kind=venue_kind,
        created_by=actor if isinstance(actor, User) else None,
    )  # fmt: skip
    activity.full_clean()
    with transaction.atomic():
        activity.save()
        activity.owners.set(owners)
        record("study.activity.create", actor=actor, obj=activity, detail={"kind": kind})
    return activity


def record_result(activity: Activity, *, result: str, actor: Actor) -> Activity:
    """The result of a research topic (课题)."""
    _require_organiser(actor, activity.unit)
    if activity.kind != ActivityKind.RESEARCH:
        raise ValidationError(_("Only a research topic has a result."), code="kind")
    with transaction.atomic():
        activity.result = result.strip()
        activity.save(update_fields=["result"])
        record("study.activity.result", actor=actor, obj=activity)
    return activity


def add_session(
    activity: Activity,
    *,
    starts_at: dt.datetime,
    topic: str,
    place: str = "",
    ship: str = "",
    speaker: str = "",
    branches: Iterable[Branch] = (),
    actor: Actor,
) -> Session:
    """A session of ``activity`` with a fresh check-in code and its window."""
    _require_organiser(actor, activity.unit)
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime")
    if not topic.strip():
        raise ValidationError(_("Give the session a topic."), code="topic")
    if not place.strip() and not ship.strip():
        raise ValidationError(_("Say where the session is held: a place or a ship."), code="place")
    opens, closes = checkin_window(starts_at)
    with transaction.atomic():
        session = Session.objects.create(
            activity=activity, starts_at=starts_at, topic=topic.strip(), place=place.strip(),
            ship=ship.strip(), speaker=speaker.strip(), code=new_code(), code_opens_at=opens,
            code_closes_at=closes,
        )  # fmt: skip
        session.branches.set(list(branches))
        record("study.session.add", actor=actor, obj=session, subject=activity.title)
    return session


# --- attendance ------------------------------------------------------------------------------------


def _attend(
    session: Session, person: Person, *, mode: str, actor: Actor, uid: uuid.UUID | None
) -> Attendance:
    """Write one attendance; a second one of the member at the session is refused."""
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                uid=uid or uuid.uuid4(),
                session=session,
                person=person,
                mode=mode,
                recorded_by=actor if isinstance(actor, User) else None,
            )
            record(
                "study.attendance", actor=actor, obj=attendance, subject=person.name, detail={"mode": mode}
            )
    except IntegrityError as error:
        if Attendance.objects.filter(session=session, person=person).exists():
            raise ValidationError(
                _("%(name)s is already recorded at this session.") % {"name": person.name}, code="duplicate"
            ) from error
        raise
    return attendance


def check_in(
    *, code: str, actor: AnyUser, session: Session | None = None, now: dt.datetime | None = None
) -> Attendance:
    """The member checks in with the session's code; ``session``, when given, is the session whose page
    they are on (a code of another session is refused there)."""
    now = now or timezone.now()
    membership = _membership(actor)
    normal = normalise_code(code)
    found = Session.objects.filter(code=normal).first()
    if found is None:
        raise ValidationError(
            _("No session has this check-in code. Check the code and try again."), code="unknown"
        )
    if session is not None and found.pk != session.pk:
        raise ValidationError(_("This code belongs to another session."), code="other_session")
    if now < found.code_opens_at:
        raise ValidationError(
            _("Check-in for this session opens at %(time)s.") % {"time": minute_text(found.code_opens_at)},
            code="not_open",
        )
    if now > found.code_closes_at:
        raise ValidationError(_("This check-in code has expired."), code="expired")
    if Attendance.objects.filter(session=found, person=membership.person).exists():
        raise ValidationError(_("You have already checked in to this session."), code="duplicate")
    return _attend(found, membership.person, mode=AttendanceMode.CHECK_IN, actor=actor, uid=None)


def invited(session: Session, membership: Membership) -> bool:
    """Whether the member's branch is invited (a session with no branches listed is open to all)."""
    branch_ids = set(session.branches.values_list("pk", flat=True))
    return not branch_ids or bool(branch_ids & {membership.home_branch_id, membership.current_branch_id})


def attend_online(session: Session, *, actor: AnyUser, now: dt.datetime | None = None) -> Attendance:
    """The member says they followed the session online (from the code window's opening until
    ``ONLINE_DAYS`` after the start)."""
    now = now or timezone.now()
    membership = _membership(actor)
    if not invited(session, membership):
        raise ValidationError(_("Your branch is not invited to this session."), code="not_invited")
    if now < session.code_opens_at:
        raise ValidationError(_("This session has not begun yet."), code="not_open")
    if now > session.starts_at + dt.timedelta(days=ONLINE_DAYS):
        raise ValidationError(
            _("Online attendance can be marked only within %(days)d days of the session.")
            % {"days": ONLINE_DAYS},
            code="expired",
        )
    if Attendance.objects.filter(session=session, person=membership.person).exists():
        raise ValidationError(_("You have already checked in to this session."), code="duplicate")
    return _attend(session, membership.person, mode=AttendanceMode.ONLINE, actor=actor, uid=None)


def may_record_for(user: AnyUser, session: Session, membership: Membership) -> bool:
    """The responsible member of the member's home or current branch, or an organiser of the session's
    unit, may record the member's attendance."""
    person = person_of(user)
    if person is not None and person.pk in (
        membership.current_branch.responsible_id,
        membership.home_branch.responsible_id,
    ):
        return True
    return can(user, StudyPerm.ORGANISE, session.activity.unit)


def record_attendance(
    session: Session, membership: Membership, *, actor: AnyUser, uid: uuid.UUID | None = None
) -> Attendance:
    """Record that a member attended, on their behalf (the branch's responsible member or an organiser)."""
    if not may_record_for(actor, session, membership):
        raise PermissionDenied(_("You may record attendance only for members of your branch."))
    if Attendance.objects.filter(session=session, person=membership.person).exists():
        raise ValidationError(
            _("%(name)s is already recorded at this session.") % {"name": membership.person.name},
            code="duplicate",
        )
    return _attend(session, membership.person, mode=AttendanceMode.RECORDED, actor=actor, uid=uid)


def record_own_attendance(
    session: Session, membership: Membership, *, code: object, actor: AnyUser, uid: uuid.UUID | None = None
) -> Attendance:
    """A member records their own attendance, made offline, with the code of the session they saw there
    (on the poster or from the speaker); it is kept as a check-in.

    The code's window (``code_closes_at``) is NOT checked here: the record is made at sea and may reach
    us weeks later, so only the code itself proves the member was at that session."""
    if person_of(actor) != membership.person:
        raise PermissionDenied(_("You may record attendance only for members of your branch."))
    if code is None or not str(code).strip():
        raise ValidationError(
            _("Type the code of this session to record your own attendance."), code="no_code"
        )
    normal = normalise_code(str(code))
    if normal != session.code:
        if Session.objects.filter(code=normal).exists():
            raise ValidationError(_("This code belongs to another session."), code="other_session")
        raise ValidationError(
            _("No session has this check-in code. Check the code and try again."), code="unknown"
        )
    if Attendance.objects.filter(session=session, person=membership.person).exists():
        raise ValidationError(_("You have already checked in to this session."), code="duplicate")
    return _attend(session, membership.person, mode=AttendanceMode.CHECK_IN, actor=actor, uid=uid)


def _is_self_record(actor: AnyUser, raw: Mapping[str, Any], session: Session, membership: Membership) -> bool:
    """A record of the actor's own attendance that goes by the session's code: one with a code, or one
    the actor could not record for another member."""
    if person_of(actor) != membership.person:
        return False
    return bool(str(raw.get("code") or "").strip()) or not may_record_for(actor, session, membership)


def _batch_fields(raw: object) -> tuple[uuid.UUID, int, int]:
    """The uid, session id and member (person) id of one batch record, or a ValidationError."""
    if not isinstance(raw, Mapping):
        raise ValidationError(_("The record is not a set of fields."))
    try:
        uid = uuid.UUID(str(raw.get("uid", "")))
    except ValueError as error:
        raise ValidationError(_("The record has no valid id (uid).")) from error
    numbers = []
    for name in ("session", "member"):
        value = raw.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValidationError(_("The record lacks a valid %(field)s number.") % {"field": name})
        numbers.append(value)
    return uid, numbers[0], numbers[1]


def record_attendance_batch(records: Sequence[object], *, actor: AnyUser) -> BatchResult:
    """Keep the valid attendance records of a batch (e.g. captured offline and synced later), each in
    its own savepoint. A record whose uid is already stored with the same session and member is counted
    once (``already``); with other content it is a conflict, reported and not merged. Every other bad
    record is reported by its index. A member's record of their own attendance carries the session's
    ``code`` (see ``record_own_attendance``); records for others need the right to record for them."""
    result = BatchResult()
    if not isinstance(records, Sequence) or isinstance(records, str | bytes):
        result.errors.append(BatchProblem(0, "", _("The batch must be a list of records.")))
        return result
    for index, raw in enumerate(records):
        uid_text = str(raw.get("uid", "")) if isinstance(raw, Mapping) else ""
        try:
            uid, session_id, person_id = _batch_fields(raw)
        except ValidationError as error:
            result.errors.append(BatchProblem(index, uid_text, error.messages[0]))
            continue
        existing = Attendance.objects.filter(uid=uid).first()
        if existing is not None:
            if existing.session_id == session_id and existing.person_id == person_id:
                result.already.append(str(uid))
            else:
                result.conflicts.append(
                    BatchProblem(
                        index, str(uid), _("Another record with this id was stored with other content.")
                    )
                )
            continue
        session = Session.objects.select_related("activity__unit").filter(pk=session_id).first()
        membership = (
            Membership.objects.select_related("person", "home_branch", "current_branch")
            .filter(person_id=person_id, is_active=True)
            .first()
        )
        if session is None:
            result.errors.append(BatchProblem(index, str(uid), _("No such session.")))
            continue
        if membership is None:
            result.errors.append(BatchProblem(index, str(uid), _("No such member on a branch roll.")))
            continue
        assert isinstance(raw, Mapping)
        own = _is_self_record(actor, raw, session, membership)
        if own:
            try:
                # The code is checked before "already there": a wrong code is always reported.
                record_own_attendance(session, membership, code=raw.get("code"), actor=actor, uid=uid)
            except ValidationError as error:
                if error.code != "duplicate":
                    result.errors.append(BatchProblem(index, str(uid), error.messages[0]))
                    continue
                result.already.append(str(uid))
                continue
            result.recorded.append(str(uid))
            continue
        if Attendance.objects.filter(session=session, person_id=person_id).exists():
            # The member's attendance reached us another way (code, another phone): counted once.
            result.already.append(str(uid))
            continue
        try:
            record_attendance(session, membership, actor=actor, uid=uid)
        except (ValidationError, PermissionDenied) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            result.errors.append(BatchProblem(index, str(uid), message))
            continue
        result.recorded.append(str(uid))
    return result


# --- materials -------------------------------------------------------------------------------------


def hand_out(
    *,
    kind: str,
    title: str,
    count: int,
    handed_on: dt.date,
    branch: Branch | None = None,
    membership: Membership | None = None,
    actor: Actor,
) -> Material:
    """Record study material handed to a branch or to one member."""
    if kind not in MaterialKind.values:
        raise ValidationError(_("Unknown kind of material."), code="kind")
    if (branch is None) == (membership is None):
        raise ValidationError(_("Hand the material either to a branch or to one member."), code="recipient")
    if count <= 0:
        raise ValidationError(_("The number handed out must be at least 1."), code="count")
    if not title.strip():
        raise ValidationError(_("Say what was handed out."), code="title")
    unit = branch.unit if branch is not None else membership.current_branch.unit  # type: ignore[union-attr]
    _require_organiser(actor, unit)
    with transaction.atomic():
        material = Material.objects.create(
            kind=kind, title=title.strip(), count=count, handed_on=handed_on, branch=branch,
            person=membership.person if membership is not None else None,
            recorded_by=actor if isinstance(actor, User) else None,
        )  # fmt: skip
        record("study.material", actor=actor, obj=material, detail={"kind": kind, "count": count})
    return material


# --- figures ---------------------------------------------------------------------------------------


@dataclass
class Period:
    """What the figures count: the sessions of a campaign's activities (all when None) starting within
    [date_from, date_to] (local dates, both inclusive, open when None)."""

    campaign: Campaign | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def __post_init__(self) -> None:
        #: Dates given, not taken from the campaign: only then do activities need a session in them.
        self.explicit_dates = self.date_from is not None or self.date_to is not None
        if self.campaign is not None:
            self.date_from = self.date_from or self.campaign.starts_on
            self.date_to = self.date_to or self.campaign.ends_on
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationError(_("The period ends before it starts."), code="period")

    def sessions(self) -> QuerySet[Session]:
        sessions = Session.objects.all()
        if self.campaign is not None:
            sessions = sessions.filter(activity__campaign=self.campaign)
        if self.date_from is not None:
            sessions = sessions.filter(starts_at__gte=day_start(self.date_from))
        if self.date_to is not None:
            sessions = sessions.filter(starts_at__lt=day_start(self.date_to + dt.timedelta(days=1)))
        return sessions


def members_in(unit: Unit | None) -> QuerySet[Membership]:
    """Active members whose current branch works under ``unit`` (all when None)."""
    members = Membership.objects.filter(is_active=True)
    if unit is not None:
        members = members.filter(current_branch__unit__path__startswith=unit.path)
    return members


def attended_in(period: Period) -> Exists:
    """True for a membership row whose member attended a session of the period (an indexed lookup by
    member per row)."""
    return Exists(Attendance.objects.filter(person=OuterRef("person"), session__in=period.sessions()))


def with_reached(members: QuerySet[Membership], period: Period) -> QuerySet[Membership]:
    """``members`` annotated with ``reached``: attended a session of the period."""
    return members.annotate(reached=attended_in(period))


def left_behind(members: QuerySet[Membership], period: Period) -> QuerySet[Membership]:
    """Members with no attendance in the period (不掉队), mobile members first, then by branch."""
    return (
        members.filter(~attended_in(period))
        .select_related("person", "current_branch", "home_branch")
        .order_by("-mobile", "current_branch__code", "person__name", "pk")
    )


def send_reminders(members: QuerySet[Membership], period: Period, *, actor: Actor) -> int:
    """Queue one reminder per member left behind in the period (in the app for members with a login,
    and by SMS through the outbox); a member already reminded for this period is skipped. Returns how
    many reminders were sent now."""
    if period.date_from is None or period.date_to is None:
        raise ValidationError(_("Reminders need a period with a start and an end."), code="period")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):  # notices speak the site's first language
        text = str(REMINDER_TEXT) % {
            "from": f"{period.date_from:%Y-%m-%d}",
            "to": f"{period.date_to:%Y-%m-%d}",
        }
    link = reverse("study:check_in")
    with transaction.atomic():
        for membership in left_behind(members, period):
            person = membership.person
            reminder, created = Reminder.objects.get_or_create(
                person=person,
                period_from=period.date_from,
                period_to=period.date_to,
                defaults={"sent_by": actor if isinstance(actor, User) else None},
            )
            if not created:
                continue
            if person.user_id is not None:
                notices.tell([person], text, link=link)
            elif person.phone:
                notify(
                    phone=person.phone, subject=text, text=text, dedupe_key=f"study-reminder:{reminder.pk}"
                )
            sent += 1
        if sent:
            record(
                "study.reminders",
                actor=actor,
                detail={"sent": sent, "from": period.date_from.isoformat(), "to": period.date_to.isoformat()},
            )
    return sent


def summary(period: Period, unit: Unit | None = None) -> dict[str, Any]:
    """The study figures of a period (and unit subtree): activities by kind (of the campaign; those
    with a session in the period when dates are given), sessions, attendances, members and mobile
    members reached / total, members left behind, and materials handed out by kind (pieces)."""
    sessions = period.sessions()
    activities = Activity.objects.all()
    if period.campaign is not None:
        activities = activities.filter(campaign=period.campaign)
    if unit is not None:
        activities = activities.filter(unit__path__startswith=unit.path)
        sessions = sessions.filter(activity__unit__path__startswith=unit.path)
    if period.explicit_dates:
        activities = activities.filter(pk__in=sessions.values("activity_id"))
    by_kind = dict(activities.values_list("kind").annotate(n=Count("pk")).order_by())
    reached = attended_in(period)
    figures = members_in(unit).aggregate(
        total=Count("pk"),
        reached=Count("pk", filter=reached),
        mobile_total=Count("pk", filter=Q(mobile=True)),
        mobile_reached=Count("pk", filter=Q(mobile=True) & reached),
    )
    materials = Material.objects.all()
    if period.date_from is not None:
        materials = materials.filter(handed_on__gte=period.date_from)
    if period.date_to is not None:
        materials = materials.filter(handed_on__lte=period.date_to)
    if unit is not None:
        materials = materials.filter(
            Q(branch__unit__path__startswith=unit.path)
            | Q(person__membership__current_branch__unit__path__startswith=unit.path)
        )
    pieces = dict(materials.values_list("kind").annotate(n=Sum("count")).order_by())
    return {
        "campaign": period.campaign.code if period.campaign else None,
        "from": period.date_from.isoformat() if period.date_from else None,
        "to": period.date_to.isoformat() if period.date_to else None,
        "activities": {kind: by_kind.get(kind, 0) for kind in ActivityKind.values},
        "sessions": sessions.count(),
        "attendances": Attendance.objects.filter(session__in=sessions).count(),
        "members": {"reached": figures["reached"], "total": figures["total"]},
        "mobile_members": {"reached": figures["mobile_reached"], "total": figures["mobile_total"]},
        "left_behind": figures["total"] - figures["reached"],
        "materials": {kind: pieces.get(kind) or 0 for kind in MaterialKind.values},
    }
