"""The ledger's list queries: the order of the ledger page, and the sign-off register's query shared by
the register page and its Excel export."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, IntegerField, Max, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from minyi.errors import Invalid
from minyi.ledger.choices import IssueState
from minyi.ledger.filters import LedgerFilters
from minyi.ledger.models import Issue, SignOff
from minyi.org.choices import Role
from minyi.org.home import ReviewItem
from minyi.org.permissions import AnyUser, person_of


def needs_action_first(issues: QuerySet[Issue], today: date) -> QuerySet[Issue]:
    """The ledger page's order: what needs action comes first (open items past their deadline, then
    items waiting for a sign-off decision, then the other open items), signed-off items last; each
    group by deadline."""
    rank = Case(
        When(Q(state=IssueState.OPEN, deadline__lt=today), then=Value(0)),
        When(state__in=(IssueState.SUBMITTED, IssueState.UNIT_AGREED), then=Value(1)),
        When(state=IssueState.OPEN, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return issues.annotate(action_rank=rank).order_by("action_rank", "deadline", "id")


def _day_start(raw: str) -> datetime | None:
    """The local midnight of the date ``raw`` (YYYY-MM-DD), None when it is no date (2026-02-30) or its
    next day is beyond the calendar (the end of a range is taken as the next midnight)."""
    try:
        day = parse_date(raw)
        if day is not None:
            day + timedelta(days=1)  # OverflowError at 9999-12-31
    except (ValueError, OverflowError):
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone()) if day else None


def signed_off(user: AnyUser, params: Any) -> tuple[QuerySet[SignOff], LedgerFilters, dict[str, str]]:
    """Approved sign-offs of the items the ledger filters select, in a date range of the decision
    (Invalid when ``from`` or ``to`` is not a date)."""
    chosen = LedgerFilters.parse(params)
    items = chosen.apply(user)
    rows = SignOff.objects.filter(approved=True, issue__in=items)
    dates = {"from": params.get("from", ""), "to": params.get("to", "")}
    bounds = {name: _day_start(raw) if raw else None for name, raw in dates.items()}
    wrong = {
        name: _("%(value)s is not a date; write it as YYYY-MM-DD.") % {"value": raw[:20]}
        for name, raw in dates.items()
        if raw and bounds[name] is None
    }
    if wrong:
        raise Invalid(wrong, code="date")
    if (start := bounds["from"]) is not None:
        rows = rows.filter(decided_at__gte=start)
    if (end := bounds["to"]) is not None:
        rows = rows.filter(decided_at__lt=end + timedelta(days=1))
    return rows.order_by("-decided_at", "-id"), chosen, dates


def signoffs_to_agree(user: AnyUser) -> QuerySet[Issue]:
    """Items of the unit head's unit (or below) whose sign-off request waits for the head (check_agree)."""
    person = person_of(user)
    if person is None or not person.is_active or person.role != Role.UNIT_HEAD:
        return Issue.objects.none()
    return Issue.objects.filter(state=IssueState.SUBMITTED, lead_unit__path__startswith=person.unit.path)


def signoffs_to_decide(user: AnyUser) -> QuerySet[Issue]:
    """Items whose sign-off the supervising leader decides now (check_decide)."""
    if not user.is_authenticated:
        return Issue.objects.none()
    return Issue.objects.filter(state=IssueState.UNIT_AGREED, leader_id=user.pk)


def review_items(user: AnyUser, limit: int) -> list[ReviewItem]:
    """The sign-offs waiting for this user, for the review list (待审核)."""
    found = []
    for queryset, kind in (
        (signoffs_to_agree(user), _lazy("Sign-off to agree")),
        (signoffs_to_decide(user), _lazy("Sign-off to decide")),
    ):
        rows = queryset.select_related("lead_unit").annotate(since=Max("signoffs__submitted_at"))
        for issue in rows.order_by("since", "pk")[:limit]:
            found.append(
                ReviewItem(
                    kind=kind,
                    title=issue.title,
                    unit=issue.lead_unit.name,
                    since=issue.since,
                    url=reverse("ledger:detail", args=[issue.pk]),
                )
            )
    return found


def review_count(user: AnyUser) -> int:
    return signoffs_to_agree(user).count() + signoffs_to_decide(user).count()
