"""Smart dispatch: the active model's suggestions for an appeal, auto-dispatch above the admin's threshold,
and the labels dispatchers' choices leave behind.

- ``triage(appeal)`` runs once per new appeal (worker job ``insight.triage``): it stores the model's top 3
  (``Suggestion``) and, when the first is at least as sure as the threshold, dispatches the appeal to the
  unit its category maps to, as the "automatic dispatch" login (a dispatcher of the district).
- ``advice(appeal)`` is what the dispatch screen shows: each suggestion with its category, unit and
  confidence, and the words that weighed most.
- When a person dispatches an appeal (``AppealEvent`` of kind dispatched, see signals.py),
  ``record_label`` stores the category they confirmed or corrected: the next ``insight train`` learns it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q

from minyi.appeals import rules as appeal_rules
from minyi.appeals.categories import usual_units
from minyi.appeals.choices import State
from minyi.appeals.models import Appeal, Category
from minyi.insight.models import ClassifierVersion, InsightSettings, Label, Suggestion
from minyi.insight.registry import active, category_paths, label_of
from minyi.org.choices import Role
from minyi.org.models import Person, Unit
from minyi.org.rules import sync_role_group

log = logging.getLogger(__name__)

#: The login that auto-dispatches (a district dispatcher without a usable password).
AUTO_DISPATCHER = "auto-dispatch"
#: Its name as people read it in the appeal's timeline.
AUTO_DISPATCHER_NAME = "智能分派"
#: Suggestions stored per appeal; the dispatch screen shows them all.
TOP = 3
WHY_WORDS = 6
#: New appeals suggested per job run; the job runs every minute.
BATCH = 500


@dataclass(frozen=True)
class Choice:
    """One suggestion as the dispatch screen shows it."""

    label: str
    confidence: float
    category: Category | None
    unit: Unit | None

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass(frozen=True)
class Advice:
    choices: list[Choice]
    why: list[str]
    model: ClassifierVersion | None
    auto_dispatched: bool


def _by_label() -> dict[str, Category]:
    """Model label → category: level-1 names, and the paths of deeper ones ("城乡建设/市政设施")."""
    categories = {c.pk: c for c in Category.objects.all()}
    return {path: categories[pk] for pk, path in category_paths().items()}


def _top_of(label: str) -> str:
    return label.split("/", 1)[0]


def suggest(appeal: Appeal) -> Suggestion | None:
    """The stored suggestion for ``appeal``, made now by the active model if there is none yet (or only
    the empty one triage leaves when no model was active)."""
    found = Suggestion.objects.filter(appeal=appeal).select_related("model").first()
    if found is not None and found.top:
        return found
    loaded = active()
    if loaded is None:
        return None
    version, model = loaded
    prediction = model.predict_top(appeal.title, appeal.body, k=TOP, why=WHY_WORDS)
    top = [(label, float(p)) for label, p in prediction.top]
    child = getattr(model, "children", {}).get(top[0][0])  # files written before had no children
    if child is not None:
        # The first suggestion, one level deeper: P(level 2) = P(level 1) × P(level 2 | level 1).
        deeper = child.predict_top(appeal.title, appeal.body, k=1, why=0)
        top[0] = (deeper.label, top[0][1] * float(deeper.confidence))
    suggestion, _created = Suggestion.objects.update_or_create(
        appeal=appeal,
        defaults={
            "model": version,
            "top": [[label, round(p, 4)] for label, p in top],
            "why": [[word, round(float(w), 4)] for word, w in prediction.why],
            "confidence": round(top[0][1], 4),
        },
    )
    return suggestion


def advice(appeal: Appeal) -> Advice | None:
    """The suggestions for the dispatch screen, each mapped to its category and usual unit."""
    suggestion = suggest(appeal)
    if suggestion is None:
        return None
    by_label, units = _by_label(), usual_units()
    choices = []
    for label, confidence in suggestion.top:
        category = by_label.get(label)
        unit = units.get(category.pk) if category is not None else None
        choices.append(Choice(label, float(confidence), category, unit))
    return Advice(
        choices=choices,
        why=[word for word, _weight in suggestion.why],
        model=suggestion.model,
        auto_dispatched=suggestion.auto_dispatched,
    )


def auto_dispatcher() -> User:
    """The login that auto-dispatches: a dispatcher of the district (created on first use)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=AUTO_DISPATCHER).select_related("person").first()
    if user is not None and getattr(user, "person", None) is not None:
        return user
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise ValidationError("no unit tree: load the organisation first")
    with transaction.atomic():
        if user is None:
            user = user_model(username=AUTO_DISPATCHER, first_name=AUTO_DISPATCHER_NAME)
            user.set_unusable_password()
            user.save()
        person = Person.objects.create(name=AUTO_DISPATCHER_NAME, unit=root, role=Role.DISPATCHER, user=user)
        sync_role_group(person)
    return user_model.objects.select_related("person").get(pk=user.pk)


def triage(appeal: Appeal) -> Suggestion | None:
    """Suggest categories for a new appeal and dispatch it when the model is sure enough."""
    suggestion = suggest(appeal)
    if suggestion is None:
        # No model yet: an empty row still marks the appeal as triaged (duplicates noted), so the job
        # moves on; a model activated later fills it when the dispatch screen opens.
        Suggestion.objects.get_or_create(appeal=appeal, defaults={"top": [], "why": [], "confidence": 0.0})
        return None
    if suggestion.auto_dispatched:
        return suggestion
    threshold = InsightSettings.load().auto_dispatch_threshold
    if threshold is None or suggestion.confidence < threshold or appeal.state != State.RECEIVED:
        return suggestion
    label = suggestion.top[0][0]
    category = _by_label().get(label)
    if category is None:
        return suggestion
    # The operator's or citizen's own category, when it agrees, is more precise than level 1.
    own = appeal.category if appeal.category_id is not None else None
    if own is not None and label_of(own) != _top_of(label):
        return suggestion  # the person who recorded it thought otherwise: a human decides
    units = usual_units()
    unit = units.get((own or category).pk)
    if unit is None:
        return suggestion
    try:
        appeal_rules.dispatch(
            appeal,
            lead=unit,
            actor=auto_dispatcher(),
            category=own or category,
            instructions=f"{AUTO_DISPATCHER_NAME}：{label} {round(suggestion.confidence * 100)}%",
            expected_version=appeal.version,
        )
    except (ValidationError, PermissionDenied) as error:  # recusal, a stale version: a human decides
        log.info("auto-dispatch of %s left to a person: %s", appeal.number, error)
        return suggestion
    Suggestion.objects.filter(pk=suggestion.pk).update(auto_dispatched=True)
    suggestion.auto_dispatched = True
    return suggestion


def pending(limit: int = BATCH) -> list[Appeal]:
    """New appeals (received, not yet suggested), oldest first."""
    done = Suggestion.objects.values("appeal_id")
    return list(
        Appeal.objects.filter(state=State.RECEIVED)
        .exclude(pk__in=done)
        .select_related("category")
        .order_by("received_at", "pk")[:limit]
    )


def record_label(appeal: Appeal, actor: User) -> Label | None:
    """Store the category a person dispatched ``appeal`` with (confirmed, corrected or unsuggested)."""
    if appeal.category_id is None or actor.username == AUTO_DISPATCHER:
        return None
    label = label_of(Category.objects.get(pk=appeal.category_id))
    suggestion = Suggestion.objects.filter(appeal=appeal).first()
    if suggestion is None or not suggestion.top:
        source, predicted, confidence, model = Label.Source.UNSUGGESTED, "", None, None
    else:
        predicted, confidence = _top_of(suggestion.top[0][0]), suggestion.confidence
        source = Label.Source.CONFIRMED if predicted == label else Label.Source.CORRECTED
        model = suggestion.model
    row, _created = Label.objects.update_or_create(
        appeal=appeal,
        defaults={
            "category_id": appeal.category_id,
            "label": label,
            "predicted": predicted,
            "confidence": confidence,
            "model": model,
            "source": source,
            "by": actor,
        },
    )
    return row


@dataclass(frozen=True)
class LiveAccuracy:
    """How often dispatchers agreed with a model's first suggestion."""

    confirmed: int
    corrected: int

    @property
    def judged(self) -> int:
        return self.confirmed + self.corrected

    @property
    def accuracy(self) -> float | None:
        return self.confirmed / self.judged if self.judged else None


def live_accuracy(version: ClassifierVersion) -> LiveAccuracy:
    counts = Label.objects.filter(model=version).aggregate(
        confirmed=Count("pk", filter=Q(source=Label.Source.CONFIRMED)),
        corrected=Count("pk", filter=Q(source=Label.Source.CORRECTED)),
    )
    return LiveAccuracy(counts["confirmed"], counts["corrected"])
