"""Small template helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template

from minyi.inputs import strip_bidi_controls

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int) -> str:
    """The current URL's query with ``page`` replaced, so paging keeps the filters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def no_bidi(text: Any) -> str:
    """Public text without bidirectional control characters (text stored before intake stripped them)."""
    return strip_bidi_controls(str(text)) if text is not None else ""
