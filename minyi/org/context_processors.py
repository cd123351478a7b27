"""Template context about the signed-in staff member (their person record and role)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from minyi.org.permissions import person_of


def staff(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"staff_person": person_of(user) if user is not None else None}
