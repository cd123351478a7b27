"""Who may see and touch which appeal; registered into minyi.org.permissions at start-up.

- District-wide roles (dispatchers, operators, leaders, auditors) see every appeal; unit staff see
  the appeals assigned (lead or co-handling, now or before) to a unit in their subtree.
- 回避: an appeal about a unit's officials is never visible to anyone whose own unit is that unit or
  lies below it — whatever their role.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from minyi.appeals.models import Appeal, Assignment, Reply
from minyi.org.choices import DISTRICT_WIDE_ROLES
from minyi.org.permissions import (
    AnyUser,
    Everything,
    person_of,
    register_queryset_scope,
    register_rule,
    scope_of,
)


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
    return appeal.assignments.filter(unit__path__startswith=scope.path).exists()


def _assignment_rule(user: AnyUser, action: str, assignment: Assignment) -> bool:
    return _appeal_rule(user, action, assignment.appeal)


def _reply_rule(user: AnyUser, action: str, reply: Reply) -> bool:
    return _appeal_rule(user, action, reply.appeal)


def register() -> None:
    register_rule(Appeal, _appeal_rule)
    register_rule(Assignment, _assignment_rule)
    register_rule(Reply, _reply_rule)
    register_queryset_scope(Appeal, visible_appeals)
