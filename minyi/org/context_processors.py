"""Template context about the signed-in staff member (their person record and role)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from minyi.org.models import StaffNotice
from minyi.org.permissions import person_of


def staff(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person and their unread notices (one COUNT on an indexed column per page)."""
    user = getattr(request, "user", None)
    person = person_of(user) if user is not None else None
    unread = (
        StaffNotice.objects.filter(user_id=person.user_id or 0, read_at__isnull=True).count() if person else 0
    )
    return {"staff_person": person, "unread_notices": unread}
