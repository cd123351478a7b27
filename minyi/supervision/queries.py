"""Read-side helpers: the notice list's query (shared by the page and its Excel export), and the notices
other apps show (e.g. on an appeal's or an item's detail page)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from minyi.appeals.models import Appeal
from minyi.ledger.models import Issue
from minyi.org.permissions import AnyUser, visible
from minyi.supervision.forms import NoticeFilterForm
from minyi.supervision.models import Notice

RELATED = ("unit", "appeal", "issue", "issued_by__person", "answered_by__person")


def notices_for(target: Appeal | Issue, user: User | AnonymousUser | None = None) -> QuerySet[Notice]:
    """The notices about an appeal or an item, newest first (only those ``user`` may see, if given).
    Render them with ``{% include "supervision/_notices.html" with notices=... %}``."""
    field = "appeal" if isinstance(target, Appeal) else "issue"
    notices = Notice.objects.filter(**{field: target}).select_related(
        "unit", "issued_by__person", "answered_by__person"
    )
    return visible(user, notices) if user is not None else notices


def listed_notices(user: AnyUser, form: NoticeFilterForm) -> tuple[QuerySet[Notice], dict[str, str]]:
    """The notices ``user`` may see with the (bound) filter ``form`` applied when valid, newest first
    (the model's order), and the chosen filters as a query; the list page and its export share it."""
    notices = Notice.objects.all()
    chosen: dict[str, str] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["level"]:
            notices = notices.filter(level=data["level"])
            chosen["level"] = data["level"]
        if data["unanswered"]:
            notices = notices.unanswered()
            chosen["unanswered"] = "on"
        if data["late"]:
            notices = notices.late()
            chosen["late"] = "on"
    return visible(user, notices).select_related(*RELATED), chosen
