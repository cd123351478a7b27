"""Who may see which weak branch and joint branch; registered into minyi.org.permissions at start-up.

A weak mark belongs to its branch, a joint branch to its township: who holds ``partybuilding.view`` sees
those in their scope (a township's unit head sees the township's, district-wide roles all)."""

from __future__ import annotations

from enum import StrEnum

from django.db.models import QuerySet

from minyi.org.permissions import AnyUser, can, register_queryset_scope, register_unit_of, scope_filter
from minyi.partybuilding.models import JointBranch, WeakMark


class PartyBuildingPerm(StrEnum):
    """Village party organisations' permissions."""

    MANAGE = "partybuilding.manage"
    VIEW = "partybuilding.view"


def visible_marks(user: AnyUser, queryset: QuerySet[WeakMark]) -> QuerySet[WeakMark]:
    """The weak marks of ``queryset`` that ``user`` may see."""
    if not (can(user, PartyBuildingPerm.VIEW) or can(user, PartyBuildingPerm.MANAGE)):
        return queryset.none()
    return scope_filter(user, queryset, "branch__path")


def visible_joint_branches(user: AnyUser, queryset: QuerySet[JointBranch]) -> QuerySet[JointBranch]:
    """The joint branches of ``queryset`` that ``user`` may see."""
    if not (can(user, PartyBuildingPerm.VIEW) or can(user, PartyBuildingPerm.MANAGE)):
        return queryset.none()
    return scope_filter(user, queryset, "township__path")


def register() -> None:
    register_unit_of(WeakMark, lambda mark: mark.branch)
    register_unit_of(JointBranch, lambda joint: joint.township)
    register_queryset_scope(WeakMark, visible_marks)
    register_queryset_scope(JointBranch, visible_joint_branches)
