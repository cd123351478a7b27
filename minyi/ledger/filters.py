"""Filters of the ledger (page, Excel export, summary line): one parse of the GET parameters, one
scoped queryset, so the page, its export and its summary always describe the same items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from minyi.ledger.choices import OPEN_ISSUE_STATES, IssueSource, IssueState, Track
from minyi.ledger.models import Campaign, Issue
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.permissions import scope_filter


@dataclass
class LedgerFilters:
    """The chosen filters; unknown or malformed values are ignored (the page shows everything)."""

    campaign: Campaign | None = None
    track: str = ""
    state: str = ""
    source: str = ""
    overdue: bool = False
    unit: Unit | None = None
    leader: User | None = None

    @classmethod
    def parse(cls, params: QueryDict) -> LedgerFilters:
        code = params.get("campaign") or ""
        unit_code = params.get("unit") or ""
        leader_id = params.get("leader") or ""
        return cls(
            campaign=Campaign.objects.filter(code=code).first() if code else None,
            track=value if (value := params.get("track", "")) in Track.values else "",
            state=value if (value := params.get("state", "")) in IssueState.values else "",
            source=value if (value := params.get("source", "")) in IssueSource.values else "",
            overdue=bool(params.get("overdue")),
            unit=Unit.objects.filter(code=unit_code).first() if unit_code else None,
            leader=(
                User.objects.filter(pk=int(leader_id), person__role=Role.LEADER).first()
                if leader_id.isdigit()
                else None
            ),
        )

    def apply(self, user: User | AnonymousUser, today: date | None = None) -> QuerySet[Issue]:
        """The items in the user's scope that match (by planned track, so converted items count
        where they were planned, as in the summary line)."""
        issues = scope_filter(user, Issue.objects.all(), "lead_unit__path")
        if self.campaign is not None:
            issues = issues.filter(campaign=self.campaign)
        if self.track:
            issues = issues.filter(original_track=self.track)
        if self.state:
            issues = issues.filter(state=self.state)
        if self.source:
            issues = issues.filter(source=self.source)
        if self.overdue:
            today = today or timezone.localdate()
            issues = issues.filter(state__in=OPEN_ISSUE_STATES, deadline__lt=today)
        if self.unit is not None:
            issues = issues.filter(lead_unit__path__startswith=self.unit.path)
        if self.leader is not None:
            issues = issues.filter(leader=self.leader)
        return issues

    def query(self) -> dict[str, str]:
        """The filters as GET parameters (for links to the export and between pages)."""
        values = {
            "campaign": self.campaign.code if self.campaign else "",
            "track": self.track,
            "state": self.state,
            "source": self.source,
            "overdue": "1" if self.overdue else "",
            "unit": self.unit.code if self.unit else "",
            "leader": str(self.leader.pk) if self.leader else "",
        }
        return {k: v for k, v in values.items() if v}
