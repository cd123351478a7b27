"""Cursor pagination for the API's large lists: stable under inserts, no OFFSET scans on a million rows."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """``?cursor=…`` from the ``next``/``previous`` links; ``?page_size=`` up to ``max_page_size``.

    Views set ``ordering`` to an indexed, unique-enough order (e.g. ``("-received_at", "-id")``)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-id",)
