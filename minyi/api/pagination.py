"""Cursor pagination for the API's large lists: stable under inserts, no OFFSET scans on a million rows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from minyi.api.errors import ApiError


class ApiCursorPagination(CursorPagination):
    """``?cursor=…`` from the ``next``/``previous`` links; ``?page_size=`` up to ``max_page_size``.

    Views set ``ordering`` to an indexed, unique-enough order (e.g. ``("-received_at", "-id")``)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: tuple[str, ...] = ("-id",)

    def decode_cursor(self, request: Request) -> Any:
        """A cursor that is not one of ours is a bad request (400), not a missing page (DRF says 404)."""
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ApiError(
                400, "invalid_cursor", _("The cursor is not valid; follow the next and previous links.")
            ) from exc
