"""Who may see and touch which appeal; registered into minyi.org.permissions at start-up.

- District-wide roles (dispatchers, operators, leaders, auditors) see every appeal; unit staff see
  the appeals assigned (lead or co-handling, now or before) to a unit in their subtree.
- 回避: an appeal about a unit's officials is never visible to anyone whose own unit is that unit or
  lies below it — whatever their role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet

from minyi.appeals.choices import ReplyState
from minyi.appeals.models import Appeal, Assignment, Reply
from minyi.audit.rules import record_personal_view
from minyi.org.choices import DISTRICT_WIDE_ROLES
from minyi.org.permissions import (
    AnyUser,
    Everything,
    OrgPerm,
    can,
    person_of,
    register_queryset_scope,
    register_rule,
    scope_of,
)
from minyi.privacy import mask_address, mask_email, mask_name, mask_phone, mask_text


class AppealPerm(StrEnum):
    """The appeal loop's permissions (role groups carry them: minyi/roles.py)."""

    VIEW = "appeals.view_appeal"
    RECORD = "appeals.record_appeal"
    DISPATCH = "appeals.dispatch_appeal"
    HANDLE = "appeals.handle_appeal"
    APPROVE_REPLY = "appeals.approve_reply"
    FOLLOW_UP = "appeals.follow_up_appeal"
    VIEW_CATEGORY = "appeals.view_category"
    ADD_CATEGORY = "appeals.add_category"
    CHANGE_CATEGORY = "appeals.change_category"
    VIEW_SLA_RULE = "appeals.view_slarule"
    ADD_SLA_RULE = "appeals.add_slarule"
    CHANGE_SLA_RULE = "appeals.change_slarule"


def _own_unit_path(user: AnyUser) -> str | None:
    person = person_of(user)
    return person.unit.path if person is not None else None


def _district_wide(user: AnyUser) -> bool:
    person = person_of(user)
    return user.is_superuser or (person is not None and person.role in DISTRICT_WIDE_ROLES)


def recused(user: AnyUser, appeal: Appeal) -> bool:
    """True when the appeal concerns the officials of the user's own unit or a unit above it."""
    own = _own_unit_path(user)
    if own is None or appeal.concerns_unit is None:
        return False
    return own.startswith(appeal.concerns_unit.path)


def visible_appeals(user: AnyUser, queryset: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """The appeals of ``queryset`` that ``user`` may see."""
    scope = scope_of(user)
    if scope is None:
        return queryset.none()
    own = _own_unit_path(user)
    if own is not None:
        # concerns_unit.path is a prefix of own path  ⇔  recused; exclude those rows.
        queryset = queryset.exclude(
            Q(concerns_unit__isnull=False) & Q(concerns_unit__path__in=_prefixes(own))
        )
    if isinstance(scope, Everything) or _district_wide(user):
        return queryset
    assigned = Assignment.objects.filter(appeal=OuterRef("pk"), unit__path__startswith=scope.path)
    return queryset.filter(Exists(assigned))


def _prefixes(path: str) -> list[str]:
    """ "/D/T1/V1/" → ["/D/", "/D/T1/", "/D/T1/V1/"]: the paths of a unit and its ancestors."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _appeal_rule(user: AnyUser, action: str, appeal: Appeal) -> bool:
    if recused(user, appeal):
        return False
    if _district_wide(user):
        return True
    scope = scope_of(user)
    if scope is None:
        return False
    if isinstance(scope, Everything):
        return True
    return _assigned_within(appeal, scope.path)


def _assigned_within(appeal: Appeal, path: str) -> bool:
    """Whether the appeal is (or was) assigned to a unit at or below ``path``: asked once per version of
    the appeal object (a page asks for each of its actions; only dispatch adds assignments, and it
    raises the version, so a refreshed object asks again)."""
    memo: dict[tuple[int, str], bool] = appeal.__dict__.setdefault("_assigned_within", {})
    key = (appeal.version, path)
    if key not in memo:
        memo[key] = appeal.assignments.filter(unit__path__startswith=path).exists()
    return memo[key]


def _assignment_rule(user: AnyUser, action: str, assignment: Assignment) -> bool:
    return _appeal_rule(user, action, assignment.appeal)


def _reply_rule(user: AnyUser, action: str, reply: Reply) -> bool:
    return _appeal_rule(user, action, reply.appeal)


def register() -> None:
    register_rule(Appeal, _appeal_rule)
    register_rule(Assignment, _assignment_rule)
    register_rule(Reply, _reply_rule)
    register_queryset_scope(Appeal, visible_appeals)


@dataclass(frozen=True)
class CitizenDetails:
    """The citizen's details and the appeal text as ``user`` may read them."""

    personal: dict[str, str]  # name, phone, email, address
    body: str
    revealed: bool


def citizen_details(user: AnyUser, appeal: Appeal, *, reveal: bool = True) -> CitizenDetails:
    """Personal data in full (and the reading audited) for a user allowed to see it, masked otherwise;
    the staff page and the API show an appeal through this one function."""
    revealed = reveal and can(user, OrgPerm.VIEW_PERSONAL_DATA, appeal)
    personal = {
        "name": appeal.citizen_name,
        "phone": appeal.citizen_phone,
        "email": appeal.citizen_email,
        "address": appeal.address,
    }
    body = appeal.body
    if revealed:
        fields = [name for name, value in personal.items() if value]
        if mask_text(body) != body:
            fields.append("body")
        if fields:
            record_personal_view(
                actor=user,
                obj=appeal,
                subject=mask_name(appeal.citizen_name) or str(appeal.number),
                fields=fields,
            )
        return CitizenDetails(personal, body, True)
    masked = {
        "name": mask_name(appeal.citizen_name),
        "phone": mask_phone(appeal.citizen_phone),
        "email": mask_email(appeal.citizen_email),
        "address": mask_address(appeal.address),
    }
    return CitizenDetails(masked, mask_text(body), False)


def reply_seen_by(user: AnyUser, reply: Reply) -> bool:
    """Drafts are internal: the drafting unit (and the units above it) and dispatchers see them."""
    if reply.state == ReplyState.SENT or user.has_perm(AppealPerm.DISPATCH):
        return True
    person = person_of(user)
    return person is not None and reply.unit.is_within(person.unit)
