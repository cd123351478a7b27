"""``{% activity_exemplars activity as ex %}``: the role models of a study activity for its page, and
whether the user may link or unlink them (so the study app's view needs no change)."""

from __future__ import annotations

from typing import Any

from django import template

from minyi.exemplars.models import Exemplar
from minyi.org.permissions import can
from minyi.study.access import StudyPerm
from minyi.study.models import Activity

register = template.Library()


@register.simple_tag(takes_context=True)
def activity_exemplars(context: template.Context, activity: Activity) -> dict[str, Any]:
    """``linked``: the role models the activity learns from; ``may_link``: the user organises study
    for its unit; ``choices``: the role models not linked yet (only for those who may link)."""
    linked = list(Exemplar.objects.filter(activity_links__activity=activity).order_by("name", "pk"))
    request = context.get("request")
    may_link = request is not None and can(request.user, StudyPerm.ORGANISE, activity.unit)
    choices = (
        Exemplar.objects.exclude(pk__in=[e.pk for e in linked]).order_by("name", "pk") if may_link else []
    )
    return {"linked": linked, "may_link": may_link, "choices": choices}
