"""Outreach's list queries, shared by its pages and their Excel exports."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.permissions import EVERYTHING, AnyUser, scope_of
from minyi.outreach.choices import PlaceKind
from minyi.outreach.models import Pairing

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
