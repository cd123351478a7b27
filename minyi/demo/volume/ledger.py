"""Generated ledger volume for benchmarks: tens of thousands of rectification items in every state,
with their sign-offs, creation events and linked appeals, loaded with COPY (minyi.bulk).

Rows are what the ledger's rules would have written, without running them one by one."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from minyi.appeals.models import Appeal
from minyi.bulk import copy_rows, next_id, reset_sequence
from minyi.ledger.choices import EventKind, IssueSource, IssueState, Track
from minyi.ledger.models import Campaign, Issue, IssueEvent, SignOff
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Person, Unit

ISSUE_FIELDS = [
    "id", "campaign_id", "title", "description", "track", "original_track", "state", "lead_unit_id",
    "leader_id", "deadline", "source", "finding_ref", "tags", "converted_reason", "signed_off_at",
    "created_at", "version", "quantity_label", "quantity_total", "quantity_done", "quantity_unit",
]  # fmt: skip
SIGNOFF_FIELDS = [
    "issue_id", "evidence", "submitted_by_id", "submitted_at", "agreed_by_id", "agreed_at", "decided_by_id",
    "decided_at", "approved", "reason",
]  # fmt: skip
EVENT_FIELDS = ["issue_id", "kind", "at", "actor_id", "note", "data"]
TITLES = ["道路破损", "路灯不亮", "占道经营", "河道淤塞", "垃圾清运不及时", "办事时限过长", "村务公开不及时",
          "饮水安全", "校车接送", "噪音扰民"]  # fmt: skip
TRACK_SHARES = [(Track.FIX_NOW, 0.45), (Track.FIX_IN_CAMPAIGN, 0.45), (Track.LONG_TERM, 0.10)]


def _local(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=timezone.get_current_timezone())


def generate(count: int, *, seed: int = 4, appeals_per_issue: int = 3) -> dict[str, int]:
    """Load ``count`` items over ten yearly campaigns, led by departments and townships."""
    rng = random.Random(seed)
    today = timezone.localdate()
    units = list(
        Unit.objects.filter(kind__in=(UnitKind.DEPARTMENT, UnitKind.TOWNSHIP)).values_list("pk", flat=True)
    )
    leaders = list(
        Person.objects.filter(role=Role.LEADER, user__isnull=False).values_list("user_id", flat=True)
    )
    actor = User.objects.filter(person__role=Role.UNIT_HEAD).values_list("pk", flat=True).first()
    campaigns = [
        Campaign.objects.get_or_create(
            code=f"BENCH{year}", defaults={"name": f"{year}年整改", "starts_on": date(year, 1, 1),
                                           "ends_on": date(year, 12, 31)},
        )[0]
        for year in range(today.year - 9, today.year + 1)
    ]  # fmt: skip
    first = next_id(Issue)
    appeal_ids = list(Appeal.objects.order_by("?").values_list("pk", flat=True)[: count * appeals_per_issue])
    plan: list[tuple[int, str, str, date, bool]] = []  # id, original track, state, deadline, converted

    def issues() -> Iterator[tuple[Any, ...]]:
        for offset in range(count):
            pk = first + offset
            campaign = campaigns[offset % len(campaigns)]
            roll, total, track = rng.random(), 0.0, Track.LONG_TERM
            for value, share in TRACK_SHARES:
                total += share
                if roll < total:
                    track = value
                    break
            deadline = campaign.starts_on + timedelta(days=rng.randrange(30, 365))
            late = deadline < today
            state = (
                IssueState.SIGNED_OFF
                if (late and rng.random() < 0.85) or rng.random() < 0.3
                else IssueState.OPEN
            )
            converted = track == Track.FIX_IN_CAMPAIGN and state == IssueState.OPEN and rng.random() < 0.2
            plan.append((pk, track, state, deadline, converted))
            created = _local(campaign.starts_on + timedelta(days=rng.randrange(0, 25)))
            yield (
                pk, campaign.pk, f"{rng.choice(TITLES)}（第{pk}号）", "",
                Track.LONG_TERM if converted else track, track, state, rng.choice(units),
                rng.choice(leaders), deadline,
                IssueSource.APPEALS, "", "", "需要跨年度实施" if converted else "",
                _local(deadline) if state == IssueState.SIGNED_OFF else None, created, 1,
                "", None, Decimal(0), "",  # no measured quantity, as the rules write by default
            )  # fmt: skip

    with transaction.atomic():
        loaded = copy_rows(Issue, ISSUE_FIELDS, issues())
        reset_sequence(Issue)
        done = [(pk, deadline) for pk, _t, state, deadline, _c in plan if state == IssueState.SIGNED_OFF]
        signoffs = copy_rows(
            SignOff,
            SIGNOFF_FIELDS,
            (
                (pk, "已整改完毕，附现场照片", actor, _local(day) - timedelta(days=3), actor,
                 _local(day) - timedelta(days=2), rng.choice(leaders), _local(day), True, "")
                for pk, day in done
            ),
        )  # fmt: skip
        events = copy_rows(
            IssueEvent,
            EVENT_FIELDS,
            ((pk, EventKind.CREATED, _local(d), actor, "", "{}") for pk, _t, _s, d, _c in plan),
        )
        through = Issue.appeals.through
        links = copy_rows(
            through,
            ["issue_id", "appeal_id"],
            (
                (first + i // appeals_per_issue, appeal)
                for i, appeal in enumerate(appeal_ids)
                if i // appeals_per_issue < count
            ),
        )
    return {"issues": loaded, "signoffs": signoffs, "events": events, "appeal_links": links}
