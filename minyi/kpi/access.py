"""Who sees the unit KPIs and the records behind a figure (the rules themselves: minyi.org.permissions).

The ranking is for roles with ``KpiPerm.VIEW_RANKING``; the records behind one of its numbers are shown
only as far as the reader may see them: appeals through ``visible`` (scopes and 回避), rectification
items through their lead unit's subtree, as the ledger shows them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from minyi.appeals.models import Appeal
from minyi.kpi.forms import KpiQuery
from minyi.kpi.rules import records, source_of
from minyi.org.models import Unit
from minyi.org.permissions import AnyUser, scope_filter, visible


class KpiPerm(StrEnum):
    """Reading the unit ranking."""

    VIEW_RANKING = "kpi.view_ranking"


def visible_records(user: AnyUser, metric: str, part: str, unit: Unit, query: KpiQuery) -> QuerySet[Any]:
    """The counted rows the user may see: appeals through ``visible`` (回避, scopes), ledger items
    through the ledger's scope (the lead unit's subtree)."""
    rows = records(metric, part, unit, query.period)
    source = source_of(metric, part)
    if source.appeal_field is None:
        return scope_filter(user, rows, "lead_unit__path")
    if source.appeal_field == "pk":
        return visible(user, rows)
    return rows.filter(appeal__in=visible(user, Appeal.objects.all()).values("pk")).select_related("appeal")
