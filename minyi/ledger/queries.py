"""The sign-off register's query, shared by the register page and its Excel export."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from minyi.ledger.filters import LedgerFilters
from minyi.ledger.models import SignOff
from minyi.org.permissions import AnyUser


def _day_start(raw: str | None) -> datetime | None:
    day = parse_date(raw or "") if raw else None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone()) if day else None


def signed_off(user: AnyUser, params: Any) -> tuple[QuerySet[SignOff], LedgerFilters, dict[str, str]]:
    """Approved sign-offs of the items the ledger filters select, in a date range of the decision."""
    chosen = LedgerFilters.parse(params)
    items = chosen.apply(user)
    rows = SignOff.objects.filter(approved=True, issue__in=items)
    dates = {"from": params.get("from", ""), "to": params.get("to", "")}
    if (start := _day_start(dates["from"])) is not None:
        rows = rows.filter(decided_at__gte=start)
    if (end := _day_start(dates["to"])) is not None:
        rows = rows.filter(decided_at__lt=end + timedelta(days=1))
    return rows.order_by("-decided_at", "-id"), chosen, dates
