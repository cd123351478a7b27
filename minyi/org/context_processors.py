"""Template context about the signed-in staff member (their person record and role) and the menu every
staff page keeps (minyi.org.home.desk_menu)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from minyi.org.home import desk_menu
from minyi.org.models import StaffNotice
from minyi.org.permissions import person_of


def staff(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person and their unread notices (one COUNT on an indexed column per page), and the
    desk menu, worked out only when a page shows it (its counts are a query each)."""
    user = getattr(request, "user", None)
    person = person_of(user) if user is not None else None
    unread = (
        StaffNotice.objects.filter(user_id=person.user_id or 0, read_at__isnull=True).count() if person else 0
    )
    menu = SimpleLazyObject(lambda: desk_menu(user)) if user is not None and user.is_authenticated else None
    return {"staff_person": person, "unread_notices": unread, "desk": menu}
