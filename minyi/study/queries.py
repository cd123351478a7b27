"""Study's list queries, shared by its pages and their Excel exports."""

from __future__ import annotations

from django.db.models import QuerySet

from minyi.org.permissions import AnyUser, scope_filter
from minyi.study.models import Activity, Branch


def scoped_activities(user: AnyUser) -> QuerySet[Activity]:
    """The study activities of ``user``'s scope (the list, its pages and its export)."""
    return scope_filter(user, Activity.objects.select_related("unit", "campaign"), "unit__path")


def branches_of(user: AnyUser) -> QuerySet[Branch]:
    """The party branches in ``user``'s scope (the branch pages and the branch list's export)."""
    return scope_filter(user, Branch.objects.select_related("unit"), "unit__path")
