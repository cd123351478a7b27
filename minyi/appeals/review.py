"""What of the appeal loop waits for a decision on the review list (待审核, minyi.org.home): draft replies
for the unit head to approve, and extension requests (the dispatcher decides them; the unit head sees
those of the unit, waiting). Each kind is one query for its items and one COUNT."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minyi.appeals.access import AppealPerm
from minyi.appeals.choices import ACTIVE_ASSIGNMENT_STATES, ExtensionState, ReplyState, State
from minyi.appeals.models import Appeal, Extension, Reply
from minyi.org.home import ReviewItem
from minyi.org.permissions import AnyUser, can, person_of, visible
from minyi.privacy import mask_text


def _visible_appeals(user: AnyUser) -> QuerySet[Appeal]:
    return visible(user, Appeal.objects.all()).values("pk")  # type: ignore[return-value]


def replies_to_approve(user: AnyUser) -> QuerySet[Reply]:
    """Draft replies of the user's unit (or below) waiting for the unit head (check_approve_reply)."""
    person = person_of(user)
    if person is None or not can(user, AppealPerm.APPROVE_REPLY):
        return Reply.objects.none()
    return Reply.objects.filter(
        state=ReplyState.SUBMITTED,
        unit__path__startswith=person.unit.path,
        appeal__state=State.IN_PROGRESS,
        appeal__in=_visible_appeals(user),
    )


def reply_items(user: AnyUser, limit: int) -> list[ReviewItem]:
    rows = replies_to_approve(user).select_related("appeal", "unit").order_by("drafted_at", "pk")[:limit]
    return [
        ReviewItem(
            kind=_("Reply to approve"),
            title=f"{reply.appeal.number} {mask_text(reply.appeal.title)}",
            unit=reply.unit.name,
            since=reply.drafted_at,
            url=reverse("appeals:detail", args=[reply.appeal.number]),
        )
        for reply in rows
    ]


def extensions_waiting(user: AnyUser) -> QuerySet[Extension]:
    """Extension requests waiting for a decision: all of them for a dispatcher (who decides), those of
    the unit for its head (who follows them)."""
    queryset = Extension.objects.filter(
        state=ExtensionState.PENDING,
        assignment__state__in=ACTIVE_ASSIGNMENT_STATES,
        assignment__appeal__in=_visible_appeals(user),
    )
    if can(user, AppealPerm.DISPATCH):
        return queryset
    person = person_of(user)
    if person is None or not can(user, AppealPerm.APPROVE_REPLY):
        return Extension.objects.none()
    return queryset.filter(assignment__unit__path__startswith=person.unit.path)


def extension_items(user: AnyUser, limit: int) -> list[ReviewItem]:
    decides = can(user, AppealPerm.DISPATCH)
    rows = (
        extensions_waiting(user)
        .select_related("assignment__appeal", "assignment__unit")
        .order_by("requested_at", "pk")[:limit]
    )
    return [
        ReviewItem(
            kind=_("Extension request"),
            title=f"{ext.assignment.appeal.number} {mask_text(ext.assignment.appeal.title)}",
            unit=ext.assignment.unit.name,
            since=ext.requested_at,
            url=reverse("appeals:detail", args=[ext.assignment.appeal.number]),
            note=(
                _("%(days)d more working days") % {"days": ext.days}
                if decides
                else _("%(days)d more working days, waiting for the dispatcher") % {"days": ext.days}
            ),
        )
        for ext in rows
    ]
