"""Insight's state changes (docs/duplicates.md): a dispatcher's "not a duplicate" for a hinted pair.

Like every rule, each function takes the acting user as keyword-only ``actor``, runs in one
transaction, refuses with a typed error (minyi/errors.py) and writes the audit record. A dismissal
tells no one outside the office, so it queues no notification.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal
from minyi.appeals.rules import check_triage
from minyi.audit.rules import record
from minyi.errors import IllegalTransition, Invalid
from minyi.insight import duplicates
from minyi.insight.models import DuplicateDismissal, DuplicateHint

Actor = User | AnonymousUser


@transaction.atomic
def dismiss_hint(appeal: Appeal, *, earlier: Appeal, actor: Actor) -> DuplicateDismissal:
    """Say that ``appeal`` does not repeat ``earlier`` (a dispatcher, while ``appeal`` waits for
    dispatch): the pair is never hinted again, and the words it shared weigh less from now on."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    check_triage(actor, appeal)
    if earlier.pk == appeal.pk:
        raise Invalid(_("An appeal cannot be a duplicate of itself."), code="earlier")
    pair = {"appeal": appeal, "earlier": earlier}
    if DuplicateDismissal.objects.filter(**pair).exists():
        raise IllegalTransition(
            _("This pair was already marked as not a duplicate."), code="already_dismissed"
        )
    hint = DuplicateHint.objects.filter(**pair).first()
    if hint is not None:
        reason, score, words = hint.reason, hint.score, list(hint.why.get("words", []))
    else:
        # A hint of the appeal page's fresh search, not stored: decide again to learn what it was.
        verdict = duplicates.decide(duplicates.facts_of(appeal), duplicates.facts_of(earlier))
        if verdict is None:
            raise Invalid(_("These appeals are not hinted as duplicates."), code="not_hinted")
        reason, score, words = verdict.reason, verdict.score, list(verdict.words)
    dismissal = DuplicateDismissal.objects.create(
        **pair,
        reason=reason,
        score=score,
        shared_words=words,
        dismissed_by=actor if actor.is_authenticated else None,
    )
    DuplicateHint.objects.filter(appeal=appeal, earlier=earlier).delete()
    record(
        "insight.duplicate_dismissed",
        actor=actor,
        obj=appeal,
        detail={"earlier": earlier.number, "reason": reason, "score": score, "words": words},
    )
    return dismissal
