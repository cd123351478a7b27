"""Figures of social assistance (``manage.py assistance summary`` and the coordinator's page): cases
and parts by type and by township, delivered / pending / declined, and the median days from the
request (the case opened) to the first delivery."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from minyi.assistance.choices import PENDING_PART_STATES, AssistanceType, CaseState, PartState
from minyi.assistance.models import Case, CasePart
from minyi.ledger.models import Campaign


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def summary(campaign: Campaign | None = None) -> dict[str, Any]:
    """The figures of all cases, or of one campaign's cases."""
    cases = Case.objects.all()
    parts = CasePart.objects.all()
    if campaign is not None:
        cases = cases.filter(campaign=campaign)
        parts = parts.filter(case__campaign=campaign)
    counts = cases.aggregate(
        cases=Count("pk"),
        open=Count("pk", filter=Q(state=CaseState.OPEN)),
        closed=Count("pk", filter=Q(state=CaseState.CLOSED)),
    )
    pending_q = Q(state__in=PENDING_PART_STATES)
    by_type: dict[str, dict[str, Any]] = {
        t.value: {"label": str(t.label), "parts": 0, "delivered": 0, "pending": 0, "declined": 0}
        for t in AssistanceType
    }
    for row in parts.values("type").annotate(
        n=Count("pk"),
        delivered=Count("pk", filter=Q(state=PartState.DELIVERED)),
        pending=Count("pk", filter=pending_q),
        declined=Count("pk", filter=Q(state=PartState.DECLINED)),
    ):
        by_type[row["type"]].update(
            parts=row["n"], delivered=row["delivered"], pending=row["pending"], declined=row["declined"]
        )
    days_by_type: dict[str, list[int]] = defaultdict(list)
    all_days: list[int] = []
    delivered = parts.filter(state=PartState.DELIVERED, delivered_on__isnull=False)
    for type_, delivered_on, opened_at in delivered.values_list("type", "delivered_on", "case__opened_at"):
        if delivered_on is None:  # excluded by the filter; the type checker cannot know
            continue
        days = (delivered_on - timezone.localdate(opened_at)).days
        days_by_type[type_].append(days)
        all_days.append(days)
    for type_, row in by_type.items():
        row["median_days"] = _median(days_by_type[type_])
    townships: dict[int | None, dict[str, Any]] = {}
    for row in cases.values("township", "township__code", "township__name").annotate(n=Count("pk")):
        townships[row["township"]] = {
            "code": row["township__code"] or "",
            "name": row["township__name"] or "",
            "cases": row["n"],
            "parts": 0,
            "delivered": 0,
            "pending": 0,
            "declined": 0,
        }
    for row in parts.values("case__township").annotate(
        n=Count("pk"),
        delivered=Count("pk", filter=Q(state=PartState.DELIVERED)),
        pending=Count("pk", filter=pending_q),
        declined=Count("pk", filter=Q(state=PartState.DECLINED)),
    ):
        townships[row["case__township"]].update(
            parts=row["n"], delivered=row["delivered"], pending=row["pending"], declined=row["declined"]
        )
    totals = {
        key: sum(row[key] for row in by_type.values())
        for key in ("parts", "delivered", "pending", "declined")
    }
    return {
        "campaign": campaign.code if campaign is not None else None,
        **counts,
        **totals,
        "median_days": _median(all_days),
        "by_type": by_type,
        "by_township": sorted(townships.values(), key=lambda row: row["code"]),
    }
