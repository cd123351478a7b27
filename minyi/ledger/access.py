"""Who may see which rectification item: the item page and the API ask it."""

from __future__ import annotations

from enum import StrEnum

from minyi.ledger.models import Issue
from minyi.org.permissions import AnyUser, in_scope


class LedgerPerm(StrEnum):
    """The ledger's permissions: reading items and making them."""

    VIEW = "ledger.view_issue"
    ADD = "ledger.add_issue"


def may_view(user: AnyUser, issue: Issue) -> bool:
    """Whoever's scope holds the lead unit or a co-handling unit, and the supervising leader."""
    if not user.has_perm(LedgerPerm.VIEW):
        return False
    if user.pk == issue.leader_id or in_scope(user, issue.lead_unit):
        return True
    return any(in_scope(user, unit) for unit in issue.co_units.all())
