"""Paging big lists without counting them: reading one row more than a page shows whether a next
page exists, so a list over a million rows never runs COUNT(*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass
class Window:
    """One page of a list: its number, whether another follows, and its size."""

    number: int
    has_next: bool
    size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(raw: str | None, *, last: int) -> int:
    """The page asked for, between 1 and ``last`` (deep pages are refused: narrow the filters)."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), last)


def window(
    queryset: QuerySet[Any], raw_page: str | None, *, size: int, last: int
) -> tuple[list[Any], Window]:
    """The rows of the requested page and its Window, in one query."""
    number = page_number(raw_page, last=last)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return rows[:size], Window(number=number, has_next=len(rows) > size, size=size)
