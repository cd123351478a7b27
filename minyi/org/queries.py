"""The organisation's list queries, shared by its pages and their Excel exports."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from minyi.org.models import Household, Person
from minyi.org.permissions import AnyUser, scope_filter


def people_matching(user: AnyUser, query: str) -> QuerySet[Person]:
    """Active people in ``user``'s scope matching the search ``query`` (name, phone, title or unit), in
    the people list's order; the list and its export share it."""
    queryset = scope_filter(user, Person.objects.filter(is_active=True), "unit__path")
    if query:
        queryset = queryset.filter(
            Q(name__icontains=query)
            | Q(phone__contains=query)
            | Q(title__icontains=query)
            | Q(unit__name__icontains=query)
        )
    return queryset.select_related("unit").order_by("unit__path", "name", "id")


def households_matching(user: AnyUser, query: str) -> QuerySet[Household]:
    """Households in ``user``'s scope matching the search ``query`` (head, address, code or village), by
    code; the list and its export share it."""
    queryset = scope_filter(user, Household.objects.all(), "village__path")
    if query:
        queryset = queryset.filter(
            Q(head_name__icontains=query)
            | Q(address__icontains=query)
            | Q(code__icontains=query)
            | Q(village__name__icontains=query)
        )
    return queryset.select_related("village").order_by("code")
