"""Who may see which symposium; registered into minyi.org.permissions at start-up.

A symposium belongs to its host unit. Whoever may view symposia sees those hosted by a unit in their
scope, and those held in a township or village of their scope (a township sees what a department
heard on its ground)."""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from minyi.org.permissions import (
    AnyUser,
    Everything,
    can,
    register_queryset_scope,
    register_unit_of,
    scope_of,
)
from minyi.symposia.models import Symposium


class SymposiumPerm(StrEnum):
    """Symposia's permissions."""

    ADD = "symposia.add_symposium"
    VIEW = "symposia.view_symposium"


def visible_symposia(user: AnyUser, queryset: QuerySet[Symposium]) -> QuerySet[Symposium]:
    """The symposia of ``queryset`` that ``user`` may see."""
    if not can(user, SymposiumPerm.VIEW):
        return queryset.none()
    scope = scope_of(user)
    if scope is None:
        return queryset.none()
    if isinstance(scope, Everything):
        return queryset
    return queryset.filter(Q(host__path__startswith=scope.path) | Q(township__path__startswith=scope.path))


def register() -> None:
    register_unit_of(Symposium, lambda symposium: symposium.host)
    register_queryset_scope(Symposium, visible_symposia)
