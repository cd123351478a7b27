"""A person's own part of the district: the places they are paired with (a paired household counts as
its village) and the rectification items they supervise, with those items' lead units. A leader's
dashboard opens on it (minyi.reports.dashboard) and the appeal list filters by it ("my_part"), so a
number and the list behind it agree."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from minyi.appeals.models import Appeal
from minyi.ledger.models import Issue
from minyi.org.permissions import person_of
from minyi.outreach.choices import PairingState
from minyi.outreach.models import Pairing


@dataclass(frozen=True)
class Mine:
    """A leader's own part of the district: the items they supervise (``Issue.leader``), the villages
    and enterprises they are paired with (a paired household counts as its village), and the lead
    units of those items."""

    user_id: int
    villages: frozenset[int]
    units: frozenset[int]


def mine_of(user: User | AnonymousUser) -> Mine:
    """The leader's items, villages and units (two small queries)."""
    person = person_of(user)
    places: set[int] = set()
    if person is not None:
        for unit_id, village_id in Pairing.objects.filter(
            person=person, state=PairingState.ACTIVE
        ).values_list("unit_id", "household__village_id"):
            places.add(unit_id or village_id)
    units = Issue.objects.filter(leader_id=user.pk).order_by().values_list("lead_unit_id", flat=True)
    return Mine(user_id=user.pk or 0, villages=frozenset(places), units=frozenset(units))


def mine_appeals(mine: Mine) -> QuerySet[Appeal]:
    """The appeals of a leader's villages and those linked to their items."""
    linked = Issue.appeals.through.objects.filter(issue__leader_id=mine.user_id).values("appeal_id")
    return Appeal.objects.filter(Q(village__in=mine.villages) | Q(pk__in=linked))
