"""``{% open_case_link appeal=… %}`` / ``{% open_case_link difficulty=… %}``: the "open an assistance
case" link other apps' pages include, shown only to those who may open a case."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from minyi.appeals.models import Appeal
from minyi.assistance.access import may_open_case
from minyi.outreach.models import Difficulty

register = template.Library()


def open_case_url(*, appeal: Appeal | None = None, difficulty: Difficulty | None = None) -> str:
    """The page that opens a case, filled in from the appeal or the visit's difficulty."""
    base = reverse("assistance:new")
    if appeal is not None:
        return f"{base}?appeal={appeal.number}"
    if difficulty is not None:
        return f"{base}?difficulty={difficulty.pk}"
    return base


@register.inclusion_tag("assistance/_open_case_link.html", takes_context=True)
def open_case_link(
    context: dict[str, Any], appeal: Appeal | None = None, difficulty: Difficulty | None = None
) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = user is not None and may_open_case(user)
    if difficulty is not None and difficulty.visit.household_id is None:
        allowed = False  # only a household can receive assistance
    return {
        "url": open_case_url(appeal=appeal, difficulty=difficulty) if allowed else "",
        "difficulty": difficulty,
    }
