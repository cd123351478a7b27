"""Bulk entry of study records kept on paper: a branch roll (党员花名册) and a session's sign-in sheet
(签到表). Each sheet is checked whole like the one-at-a-time rules (``enrol_member``,
``record_attendance``); one bad line refuses the sheet with its line number and saves nothing; a good
sheet is written with ``bulk_create`` in one transaction, with one audit record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.audit.rules import record
from minyi.org.choices import Role
from minyi.org.models import Person, Unit
from minyi.org.permissions import can
from minyi.org.rules import Actor
from minyi.study.access import StudyPerm
from minyi.study.choices import AttendanceMode
from minyi.study.models import Attendance, Branch, Membership, Session

BATCH = 2000
MAX_ERRORS = 20
WHEREABOUTS_MAX = 100


def _require(actor: Actor, permission: str, unit: Unit, refusal: str) -> None:
    """``actor`` holds ``permission`` for ``unit`` (None: the system, e.g. seeding)."""
    if actor is not None and not can(actor, permission, unit):
        raise PermissionDenied(refusal)


@dataclass(frozen=True)
class RollRow:
    """One line of a branch roll: the member, their home branch, the branch they study with now."""

    person: Person
    home_branch: Branch
    current_branch: Branch | None = None
    mobile: bool = False
    whereabouts: str = ""


def _refuse(errors: list[str]) -> None:
    if errors:
        raise ValidationError(errors[:MAX_ERRORS], code="rows")


@transaction.atomic
def import_roll(rows: Iterable[RollRow], *, actor: Actor, source: str = "") -> int:
    """Put every member of a roll on the branch rolls, or none: a person who is not a party member,
    is already on a roll, or appears twice refuses the roll. Returns how many were enrolled."""
    rows = list(rows)
    if not rows:
        raise ValidationError(_("The roll has no members."), code="empty")
    for branch in {row.home_branch.pk: row.home_branch for row in rows}.values():
        _require(
            actor,
            StudyPerm.ADD_MEMBERSHIP,
            branch.unit,
            _("You may not keep the branches and rolls of this unit."),
        )
    enrolled = set(
        Membership.objects.filter(person__in=[row.person.pk for row in rows]).values_list(
            "person_id", flat=True
        )
    )
    errors: list[str] = []
    seen: set[int] = set()
    for number, row in enumerate(rows, start=1):
        person = row.person
        problem = ""
        if person.role != Role.MEMBER:
            problem = _("Only a person with the role party member can be on a branch roll.")
        elif person.pk in enrolled:
            problem = _("%(name)s is already on a branch roll.") % {"name": person.name}
        elif person.pk in seen:
            problem = _("%(name)s appears twice on the roll.") % {"name": person.name}
        elif len(row.whereabouts) > WHEREABOUTS_MAX:
            problem = _("Where they work now may have at most %(n)d characters.") % {"n": WHEREABOUTS_MAX}
        seen.add(person.pk)
        if problem:
            errors.append(_("Line %(n)d: %(error)s") % {"n": number, "error": problem})
    _refuse(errors)
    Membership.objects.bulk_create(
        [
            Membership(
                person=row.person,
                home_branch=row.home_branch,
                current_branch=row.current_branch or row.home_branch,
                mobile=row.mobile,
                whereabouts=row.whereabouts.strip(),
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    record("study.roll_imported", actor=actor, detail={"members": len(rows), "source": source[:100]})
    return len(rows)


@transaction.atomic
def import_attendance(
    session: Session,
    members: Iterable[Membership],
    *,
    actor: Actor,
    mode: str = AttendanceMode.RECORDED,
) -> int:
    """Record a session's sign-in sheet (an organiser of the session's unit enters it), or none of it:
    a member not active on a roll, listed twice or already recorded at the session refuses the sheet.
    Returns how many attendances were recorded."""
    _require(actor, StudyPerm.ORGANISE, session.activity.unit, _("You may not organise study for this unit."))
    if mode not in (AttendanceMode.RECORDED, AttendanceMode.ONLINE):
        raise ValidationError(_("A sign-in sheet records attendance in person or online."), code="mode")
    members = list(members)
    if not members:
        raise ValidationError(_("The sign-in sheet has no members."), code="empty")
    already = set(
        Attendance.objects.filter(session=session, person__in=[m.person_id for m in members]).values_list(
            "person_id", flat=True
        )
    )
    errors: list[str] = []
    seen: set[int] = set()
    for number, membership in enumerate(members, start=1):
        problem = None
        if not membership.is_active:
            problem = gettext_lazy("%(name)s is no longer on a branch roll.")
        elif membership.person_id in already:
            problem = gettext_lazy("%(name)s is already recorded at this session.")
        elif membership.person_id in seen:
            problem = gettext_lazy("%(name)s appears twice on the sheet.")
        seen.add(membership.person_id)
        if problem is not None:
            error = str(problem) % {"name": membership.person.name}
            errors.append(_("Line %(n)d: %(error)s") % {"n": number, "error": error})
    _refuse(errors)
    recorder = actor if isinstance(actor, User) else None
    Attendance.objects.bulk_create(
        [
            Attendance(session=session, person_id=m.person_id, mode=mode, recorded_by=recorder)
            for m in members
        ],
        batch_size=BATCH,
    )
    record(
        "study.attendance_imported",
        actor=actor,
        obj=session,
        subject=session.activity.title,
        detail={"attendances": len(members), "mode": mode},
    )
    return len(members)
