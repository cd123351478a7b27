"""The likely duplicates of an appeal, acted on from its page (docs/duplicates.md).

- ``merge_confirm`` (GET ``/appeals/<number>/duplicates/merge/?into=<earlier>``): before a merge, both
  appeals side by side, why they look alike, and the reply this citizen will get (the earlier appeal's);
  its button posts the merge action's own form (minyi.appeals.actions), so the merge has one definition.
- ``not_duplicate`` (POST ``/appeals/<number>/duplicates/not-duplicate/``, field ``earlier``): the
  dispatcher's "不是重复" (minyi.insight.rules.dismiss_hint).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minyi.appeals.access import holding_units, recusal
from minyi.appeals.choices import ReplyState
from minyi.appeals.models import Appeal
from minyi.appeals.views.staff import MERGE, _detail_response, _visible_appeal
from minyi.errors import NOT_ALLOWED, messages_of, status_of
from minyi.insight import duplicates
from minyi.insight.rules import dismiss_hint
from minyi.org.permissions import visible
from minyi.privacy import mask_text

#: How much of each appeal's text the confirmation shows (enough to judge, not the whole letter).
EXCERPT_CHARS = 300


def _earlier(request: HttpRequest, number: str) -> Appeal | None:
    number = number.strip()
    if not number.isdigit():
        return None
    return visible(request.user, Appeal.objects.filter(number=number).select_related("lead_unit")).first()


def _side(appeal: Appeal) -> dict[str, object]:
    """One appeal as the confirmation shows it: personal data masked, as on the lists."""
    body = mask_text(appeal.body)
    return {
        "appeal": appeal,
        "title": mask_text(appeal.title),
        "body": body[:EXCERPT_CHARS] + ("…" if len(body) > EXCERPT_CHARS else ""),
    }


@login_required
@require_GET
def merge_confirm(request: HttpRequest, number: str) -> HttpResponse:
    """Ask before merging ``number`` into the earlier appeal ``into``: both appeals, why they look like one,
    and the reply this citizen will get."""
    appeal = _visible_appeal(request, number)
    if not MERGE.available(request.user, appeal):
        raise PermissionDenied(NOT_ALLOWED)
    master = _earlier(request, request.GET.get("into", ""))
    if master is None or master.pk == appeal.pk:
        return _detail_response(
            request, appeal, errors=[_("No appeal you may see has this tracking number.")], status=400
        )
    # 回避: never offer to merge into an appeal held by a unit this one concerns (the merge refuses it).
    if recusal(holding_units(master), [appeal]) is not None:
        refusal = _("%(number)s cannot be merged into %(master)s (回避); handle it on its own.") % {
            "number": appeal.number,
            "master": master.number,
        }
        return _detail_response(request, appeal, errors=[refusal], status=409)
    verdict = duplicates.decide(duplicates.facts_of(appeal), duplicates.facts_of(master))
    reply = master.replies.filter(state=ReplyState.SENT).order_by("-sent_at", "-id").first()
    context = {
        "appeal": appeal,
        "this": _side(appeal),
        "earlier": _side(master),
        "why": verdict.describe() if verdict is not None else "",
        "reply": mask_text(reply.body) if reply is not None else "",
    }
    return render(request, "appeals/staff/merge_confirm.html", context)


@login_required
@require_POST
def not_duplicate(request: HttpRequest, number: str) -> HttpResponse:
    """The dispatcher's "not a duplicate" for the pair (this appeal, ``earlier``)."""
    appeal = _visible_appeal(request, number)
    earlier = _earlier(request, request.POST.get("earlier", ""))
    if earlier is None:
        return _detail_response(
            request, appeal, errors=[_("No appeal you may see has this tracking number.")], status=400
        )
    try:
        dismiss_hint(appeal, earlier=earlier, actor=request.user)
    except (ValidationError, PermissionDenied) as refusal:
        return _detail_response(request, appeal, errors=messages_of(refusal), status=status_of(refusal))
    messages.success(
        request,
        _("Marked as not a duplicate of %(number)s; this pair will not be suggested again.")
        % {"number": earlier.number},
    )
    return redirect("appeals:detail", appeal.number)
