"""Who may see which supervision notice; registered into minyi.org.permissions at start-up.

A notice belongs to the unit that must answer it: district-wide roles see all of them, unit staff the
notices to units in their subtree. A notice about an appeal is never shown to someone the appeal
itself is hidden from (回避), whatever their role.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from minyi.appeals.access import recused
from minyi.appeals.models import Appeal
from minyi.org.permissions import (
    AnyUser,
    register_queryset_scope,
    register_rule,
    register_unit_of,
    scope_filter,
    visible,
)
from minyi.supervision.models import Notice


class SupervisionPerm(StrEnum):
    """Supervision notices' permissions."""

    VIEW = "supervision.view_notice"
    ADD = "supervision.add_notice"


def visible_notices(user: AnyUser, queryset: QuerySet[Notice]) -> QuerySet[Notice]:
    """The notices of ``queryset`` that ``user`` may see."""
    queryset = scope_filter(user, queryset, "unit__path")
    hidden = Appeal.objects.filter(concerns_unit__isnull=False)
    # Only appeals about some unit's officials can be hidden by 回避: a small set to subtract.
    shown = visible(user, hidden).values("pk")
    return queryset.filter(
        Q(appeal__isnull=True) | Q(appeal__concerns_unit__isnull=True) | Q(appeal__in=shown)
    )


def _notice_rule(user: AnyUser, action: str, notice: Notice) -> bool:
    appeal = notice.appeal
    return appeal is None or not recused(user, appeal)


def register() -> None:
    register_unit_of(Notice, lambda notice: notice.unit)
    register_rule(Notice, _notice_rule)
    register_queryset_scope(Notice, visible_notices)
