"""Assistance's list queries, shared by its pages and their Excel exports."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from minyi.assistance.choices import PENDING_PART_STATES, CaseState, PartState
from minyi.assistance.models import Case, CasePart
from minyi.org.permissions import visible


def desk_cases(show: str, code: str) -> QuerySet[Case]:
    """The desk's list of cases: in state ``show`` (every state for any other value) and of the
    household ``code`` when given. For those who see all cases only (the desk and its export)."""
    cases = Case.objects.select_related("household__village", "township").prefetch_related("parts")
    if show in CaseState.values:
        cases = cases.filter(state=show)
    if code:
        cases = cases.filter(household__code=code)
    return cases


def unit_parts(user: Any, *, pending: bool) -> QuerySet[CasePart]:
    """The parts handed to ``user``'s unit (the coordinator: every part handed out), those still to
    deliver only when ``pending``, in the order they were handed out (the list and its export)."""
    parts = visible(user, CasePart.objects.exclude(state=PartState.REQUESTED)).select_related(
        "case__household__village", "case__township", "unit"
    )
    if pending:
        parts = parts.filter(state__in=PENDING_PART_STATES)
    return parts.order_by("handed_at", "pk")
