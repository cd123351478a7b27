"""Who may see and touch which appeal; registered into minyi.org.permissions at start-up.

- District-wide roles (dispatchers, operators, leaders, auditors) see every appeal; unit staff see
  the appeals assigned (lead or co-handling, now or before) to a unit in their subtree.
- 回避: an appeal about a unit's officials is never visible to anyone whose own unit is that unit or
  lies below it — whatever their role (``recused``, ``visible_appeals``); and no such unit ever holds it,
  nor an appeal it is merged into, nor a rectification item it is linked to (``recused_unit``: the one
  rule that dispatch, co-units, merge, ledger links and the reply path ask; docs/security.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet

from minyi.appeals.choices import ACTIVE_ASSIGNMENT_STATES, ReplyState, State
from minyi.appeals.models import Appeal, Assignment, Reply
from minyi.audit.rules import record_personal_view
from minyi.org.choices import DISTRICT_WIDE_ROLES
from minyi.org.models import Unit
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


@dataclass(frozen=True)
class Recusal:
    """Why ``unit`` may not hold an appeal: ``about`` (the appeal itself or one merged into it)
    concerns the officials of ``concerned``, and ``unit`` is that unit or lies below it."""

    unit: Unit
    appeal: Appeal
    about: Appeal
    concerned: Unit


def _concerned(appeal: Appeal) -> list[tuple[Appeal, Unit]]:
    """(appeal, unit whose officials it concerns) for ``appeal`` and every appeal merged into it: one
    reply answers the whole group, so whoever holds the appeal answers each of them."""
    pairs = [(appeal, appeal.concerns_unit)] if appeal.concerns_unit is not None else []
    if appeal.pk is not None:
        merged = Appeal.objects.filter(master=appeal, state=State.MERGED, concerns_unit__isnull=False)
        pairs.extend((m, m.concerns_unit) for m in merged.select_related("concerns_unit") if m.concerns_unit)
    return pairs


def concerned_units(appeal: Appeal) -> list[Unit]:
    """The units whose officials ``appeal`` or an appeal merged into it concern (none of them, nor any
    unit below them, may hold it)."""
    return [unit for _about, unit in _concerned(appeal)]


def recusal(units: Iterable[Unit], appeals: Iterable[Appeal]) -> Recusal | None:
    """回避 for units, the one rule: a unit may neither be shown nor hold an appeal (as lead or co-unit,
    through an appeal merged into one it holds, or through a linked rectification item) when it is, or
    lies below, a unit whose officials the appeal or an appeal merged into it concerns. The first such
    (unit, appeal) among ``units`` × ``appeals``, None when every unit may hold every appeal."""
    units = list(units)
    for appeal in appeals:
        for about, concerned in _concerned(appeal):
            for unit in units:
                if unit.is_within(concerned):
                    return Recusal(unit=unit, appeal=appeal, about=about, concerned=concerned)
    return None


def unit_recused(unit: Unit, appeal: Appeal) -> bool:
    """Whether ``unit`` may not hold ``appeal`` (``recusal``)."""
    return recusal([unit], [appeal]) is not None


def holding_units(appeal: Appeal) -> list[Unit]:
    """The units holding ``appeal`` now: those of its open assignments, and the lead and co-units of the
    rectification items linked to it that are not signed off yet (their sign-off answers it)."""
    held = Assignment.objects.filter(appeal=appeal, state__in=ACTIVE_ASSIGNMENT_STATES)
    ids = set(held.values_list("unit_id", flat=True))
    for lead_id, co_id in appeal.issues.filter(signed_off_at__isnull=True).values_list(
        "lead_unit_id", "co_units"
    ):
        ids.update(pk for pk in (lead_id, co_id) if pk is not None)
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


def visible_appeals(user: AnyUser, queryset: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """The appeals of ``queryset`` that ``user`` may see."""
    scope = scope_of(user)
    if scope is None:
        return queryset.none()
    own = _own_unit_path(user)
    if own is not None:
        queryset = queryset.exclude(_about_own(own))
    if isinstance(scope, Everything) or _district_wide(user):
        return queryset
    assigned = Assignment.objects.filter(appeal=OuterRef("pk"), unit__path__startswith=scope.path)
    return queryset.filter(Exists(assigned))


def _about_own(own: str) -> Q:
    # concerns_unit.path is a prefix of the own unit's path  ⇔  recused.
    return Q(concerns_unit__isnull=False) & Q(concerns_unit__path__in=_prefixes(own))


def recused_appeals(user: AnyUser, queryset: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """The appeals of ``queryset`` that ``user`` is recused from (``recused``), as one query."""
    own = _own_unit_path(user)
    return queryset.filter(_about_own(own)) if own is not None else queryset.none()


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


def openable(user: AnyUser, appeals: Iterable[Appeal]) -> set[int]:
    """The ids of ``appeals`` whose staff page ``user`` may open (the page's own test: the view
    permission, the list scope and the rule), so that another page links only those (docs/design.md,
    "No link its reader may not open")."""
    wanted = list(appeals)
    if not wanted or not can(user, AppealPerm.VIEW):
        return set()
    seen = set(
        visible_appeals(user, Appeal.objects.filter(pk__in=[a.pk for a in wanted])).values_list(
            "pk", flat=True
        )
    )
    return {a.pk for a in wanted if a.pk in seen and can(user, AppealPerm.VIEW, a)}


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
