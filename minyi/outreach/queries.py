"""Outreach's list queries, shared by its pages and their Excel exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Household, Unit
from minyi.org.permissions import EVERYTHING, AnyUser, scope_of
from minyi.outreach.choices import PlaceKind
from minyi.outreach.models import Pairing
from minyi.privacy import mask_name

RELATED = ("person__unit", "unit", "household__village")


def scoped_pairings(user: AnyUser) -> QuerySet[Pairing]:
    """Pairings whose place (the village or enterprise, or the household's village) is in the user's
    scope."""
    pairings = Pairing.objects.select_related(*RELATED)
    scope = scope_of(user)
    if scope is None:
        return pairings.none()
    if scope is EVERYTHING:
        return pairings
    path = scope.path  # type: ignore[union-attr]  # a Unit here
    return pairings.filter(Q(unit__path__startswith=path) | Q(household__village__path__startswith=path))


def filtered(pairings: QuerySet[Pairing], data: dict[str, Any]) -> QuerySet[Pairing]:
    """``pairings`` narrowed by the list's filter form's cleaned ``data`` (the list and its export)."""
    if data.get("person"):
        pairings = pairings.filter(person__name__icontains=data["person"].strip())
    place = data.get("place")
    if place == PlaceKind.HOUSEHOLD:
        pairings = pairings.filter(household__isnull=False)
    elif place == PlaceKind.VILLAGE:
        pairings = pairings.filter(unit__kind__in=RESIDENTIAL_KINDS)
    elif place == PlaceKind.ENTERPRISE:
        pairings = pairings.filter(unit__kind=UnitKind.ENTERPRISE)
    if data.get("state"):
        pairings = pairings.filter(state=data["state"])
    return pairings


#: Most households the visit form's search answers with: a short list to tap on a phone.
HOUSEHOLD_MATCHES = 8


def campaign_running(today: date) -> Campaign | None:
    """The campaign running on ``today`` (the latest started if several), or None."""
    return (
        Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on", "-pk")
        .first()
    )


def households_of_village(village: Unit, query: str) -> QuerySet[Household]:
    """The households of ``village`` whose head's name, door number (address) or code contains
    ``query``, by code, at most HOUSEHOLD_MATCHES (the caller has checked the village is in scope)."""
    query = query.strip()  # no NUL byte gets here: minyi/inputs.py refuses it for every request
    found = Household.objects.filter(village=village)
    if query:
        found = found.filter(
            Q(head_name__icontains=query) | Q(address__icontains=query) | Q(code__icontains=query)
        )
    return found.order_by("code")[:HOUSEHOLD_MATCHES]


def door_of(household: Household, village: Unit) -> str:
    """The door number of a household: its address without the village's name (e.g. 3组12号)."""
    return household.address.removeprefix(village.name).strip() or household.address


def household_choice_label(household: Household, village: Unit) -> str:
    """How the visit form lists a household: the head's name masked (a list is read over shoulders;
    the door number, which the visitor stands in front of, tells households apart) and its code."""
    return f"{mask_name(household.head_name)} · {door_of(household, village)} · {household.code}"
