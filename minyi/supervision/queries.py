"""Read-side helpers other apps use to show notices (e.g. on an appeal's or an item's detail page)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from minyi.appeals.models import Appeal
from minyi.ledger.models import Issue
from minyi.org.permissions import visible
from minyi.supervision.models import Notice


def notices_for(target: Appeal | Issue, user: User | AnonymousUser | None = None) -> QuerySet[Notice]:
    """The notices about an appeal or an item, newest first (only those ``user`` may see, if given).
    Render them with ``{% include "supervision/_notices.html" with notices=... %}``."""
    field = "appeal" if isinstance(target, Appeal) else "issue"
    notices = Notice.objects.filter(**{field: target}).select_related(
        "unit", "issued_by__person", "answered_by__person"
    )
    return visible(user, notices) if user is not None else notices
