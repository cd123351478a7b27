"""Who may see which visit; registered into minyi.org.permissions at start-up.

A visit belongs to the village or enterprise visited. Whoever may see coverage sees the visits in
their scope; a visitor always sees their own visits (a cadre's list is theirs, not their township's).
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from minyi.org.permissions import (
    AnyUser,
    Everything,
    can,
    person_of,
    register_queryset_scope,
    register_unit_of,
    scope_of,
)
from minyi.outreach.models import Visit


class OutreachPerm(StrEnum):
    """Outreach's permissions: visits, coverage and pairings."""

    ADD_VISIT = "outreach.add_visit"
    VIEW_COVERAGE = "outreach.view_coverage"
    ADD_PAIRING = "outreach.add_pairing"
    CHANGE_PAIRING = "outreach.change_pairing"
    CHANGE_CHECKLIST = "outreach.change_campaignchecklist"


def visible_visits(user: AnyUser, queryset: QuerySet[Visit]) -> QuerySet[Visit]:
    """The visits of ``queryset`` that ``user`` may see."""
    person = person_of(user)
    own = Q(visitor=person) if person is not None else Q(pk__in=[])
    if not can(user, OutreachPerm.VIEW_COVERAGE):
        return queryset.filter(own) if person is not None else queryset.none()
    scope = scope_of(user)
    if scope is None:
        return queryset.none()
    if isinstance(scope, Everything):
        return queryset
    return queryset.filter(
        own | Q(village__path__startswith=scope.path) | Q(enterprise__path__startswith=scope.path)
    )


def may_list(user: AnyUser) -> bool:
    """Whether ``user`` may open the pairing list (and its export)."""
    return can(user, OutreachPerm.VIEW_COVERAGE) or can(user, OutreachPerm.ADD_PAIRING)


def register() -> None:
    register_unit_of(Visit, lambda visit: visit.place_unit)
    register_queryset_scope(Visit, visible_visits)
