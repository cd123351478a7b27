"""The classifier registry: model files under var/models/, one active, training from the deployment's labels.

A model file is written once and never changed; its row (``ClassifierVersion``) carries the metadata
an admin needs to choose (when, from how many labels, cross-validated figures). Activating an older
version is the rollback. Each process keeps the active model in memory and notices a change of the
active row on its next suggestion (one indexed query).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.appeals.models import Appeal, Category
from minyi.appeals.rules import Actor
from minyi.insight.access import InsightPerm
from minyi.insight.models import ClassifierVersion, Label
from minyi.insight.text import set_cache_dir
from minyi.org.permissions import require

if TYPE_CHECKING:
    # The classifier imports scikit-learn and scipy (about half a second): only the processes that train
    # or suggest load it, on first use, not every process that starts Django (docs/design.md).
    from minyi.insight.classifier import AppealClassifier, Design

#: Appeals without a label whose words (not labels) help while the deployment has few labels.
UNLABELLED_MAX = 5000
#: A level-1 category gets a second model for its level-2 categories once at least two of them have
#: this many labels each (the deployment's own deeper labels; the level-1 model needs none of them).
DEEPER_MIN_LABELS = 10


#: The ``sources`` of the demo's model (minyi.demo.insight): its labels are the demo's dispatches.
DEMO_SOURCES = "demo dispatches"


def learnt_only_from_demo(version: ClassifierVersion) -> bool:
    """Whether a version learnt only from the demo's dispatches (the classifier page warns)."""
    return version.sources.startswith(DEMO_SOURCES)


def models_dir() -> Path:
    return Path(settings.VAR_DIR) / "models"


def register(
    model: AppealClassifier, *, sources: str, activate: bool = True, actor: Actor = None
) -> ClassifierVersion:
    """Write a trained model to its file and record it; make it the active one when ``activate``."""
    from minyi.insight import classifier

    # The version names the second and the data; the same data trained twice in a second gets a suffix.
    base, suffix = model.metadata["version"], 1
    while ClassifierVersion.objects.filter(version=model.metadata["version"]).exists():
        suffix += 1
        model.metadata["version"] = f"{base}-{suffix}"
    path = models_dir() / classifier.default_model_name(model)
    model.save(path)
    metadata = _plain(model.metadata)
    version = ClassifierVersion.objects.create(
        version=metadata["version"],
        file=path.name,
        design=model.design.name,
        trained_at=datetime.fromisoformat(metadata["created_at"]),
        training_rows=int(metadata.get("training_rows") or 0),
        sources=sources[:200],
        metadata=metadata,
    )
    if activate:
        return activate_version(version, actor=actor, check=False)
    return version


@transaction.atomic
def activate_version(version: ClassifierVersion, *, actor: Actor, check: bool = True) -> ClassifierVersion:
    """Make ``version`` the model that suggests categories (also the rollback to an earlier one)."""
    if check:
        require(actor or AnonymousUser(), InsightPerm.MANAGE_CLASSIFIER)
    if not (models_dir() / version.file).is_file():
        raise ValidationError(
            _("The model file %(file)s is missing; train a new model instead.") % {"file": version.file},
            code="missing_file",
        )
    ClassifierVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    version.is_active, version.activated_at = True, timezone.now()
    version.activated_by = actor if actor is not None and actor.is_authenticated else None
    version.save(update_fields=["is_active", "activated_at", "activated_by"])
    return version


class _Loaded:
    """The model this process has read, by version and file (files are never rewritten)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[tuple[int, str], AppealClassifier] = {}

    def get(self, version: ClassifierVersion) -> AppealClassifier:
        key = (version.pk, version.file)
        model = self._models.get(key)
        if model is None:
            with self._lock:
                model = self._models.get(key)
                if model is None:
                    from minyi.insight import classifier

                    set_cache_dir(Path(settings.VAR_DIR) / "cache")
                    model = classifier.load(models_dir() / version.file)
                    # Only the active one is kept: an earlier version is read again if reactivated.
                    self._models = {key: model}
        return model


_LOADED = _Loaded()


def active() -> tuple[ClassifierVersion, AppealClassifier] | None:
    """The active model and its row, or None when no model was trained (or its file is unreadable)."""
    version = ClassifierVersion.objects.filter(is_active=True).first()
    if version is None:
        return None
    from minyi.insight import classifier

    try:
        return version, _LOADED.get(version)
    except (OSError, classifier.ModelFileError):
        return None


# --- training from the deployment's own data -----------------------------------------------------------


def label_of(category: Category | None, tops: dict[int, Category] | None = None) -> str:
    """What the model learns for a category: its level-1 name (the tree's level 1 is what the issue's
    classifier predicts; deeper levels follow from the dispatcher's choice)."""
    if category is None:
        return ""
    node = category
    lookup = tops if tops is not None else {}
    while node.parent_id is not None:
        parent = lookup.get(node.parent_id) or Category.objects.get(pk=node.parent_id)
        node = parent
    return node.name


def tree_rows() -> list[tuple[str, str, str]]:
    """The deployment's category tree as (level1, level2, level3) rows: its names seed the model (a
    level-2 category without children stands for itself at level 3)."""
    active = Category.objects.filter(is_active=True)
    parents = set(active.values_list("parent_id", flat=True))
    paths = category_paths()
    rows = []
    for pk in active.values_list("pk", flat=True):
        names = paths[pk].split("/")
        if len(names) == 3:
            rows.append((names[0], names[1], names[2]))
        elif len(names) == 2 and pk not in parents:
            rows.append((names[0], names[1], names[1]))
    return rows


def label_rows() -> list[tuple[str, str, str]]:
    """(title, body, label) of every stored label."""
    return [(title, body, label) for title, body, label, _category in _labels()]


def _labels() -> list[tuple[str, str, str, int]]:
    rows = Label.objects.order_by("appeal_id").values_list(
        "appeal__title", "appeal__body", "label", "category_id"
    )
    return list(rows.iterator())


def category_paths() -> dict[int, str]:
    """Category id → its path of names ("城乡建设/市政设施"), for every category at once."""
    nodes = {c.pk: c for c in Category.objects.only("pk", "name", "parent_id")}
    paths: dict[int, str] = {}
    for pk, node in nodes.items():
        names, seen = [node.name], {pk}
        parent = nodes.get(node.parent_id) if node.parent_id else None
        while parent is not None and parent.pk not in seen:
            names.insert(0, parent.name)
            seen.add(parent.pk)
            parent = nodes.get(parent.parent_id) if parent.parent_id else None
        paths[pk] = "/".join(names)
    return paths


def deeper_models(taxonomy: Sequence[tuple[str, str, str]], design: Design) -> dict[str, AppealClassifier]:
    """Level-1 name → a model of its level-2 categories ("城乡建设/市政设施"), where the stored labels
    reach level 2 often enough (``DEEPER_MIN_LABELS`` for each of two or more level-2 categories)."""
    from minyi.insight import classifier

    paths = category_paths()
    by_top: dict[str, list[tuple[str, str, str]]] = {}
    for title, body, _label, category_id in _labels():
        names = paths.get(category_id, "").split("/")
        if len(names) >= 2:
            by_top.setdefault(names[0], []).append((title, body, "/".join(names[:2])))
    models = {}
    for top, rows in by_top.items():
        counts: dict[str, int] = {}
        for _title, _body, path in rows:
            counts[path] = counts.get(path, 0) + 1
        kept = {path for path, n in counts.items() if n >= DEEPER_MIN_LABELS}
        if len(kept) >= 2:
            subtree = [row for row in taxonomy if row[0] == top]
            models[top] = classifier.train(
                [row for row in rows if row[2] in kept], taxonomy=subtree, design=design
            )
    return models


def unlabelled_texts(limit: int = UNLABELLED_MAX) -> list[tuple[str, str]]:
    """The newest appeals' texts that carry no label (their words only)."""
    labelled = Label.objects.values("appeal_id")
    rows = Appeal.objects.exclude(pk__in=labelled).order_by("-received_at").values_list("title", "body")
    return list(rows[:limit])


def train(
    *,
    csv_rows: Sequence[tuple[str, str, str]] = (),
    use_labels: bool = True,
    extra_unlabelled: Iterable[tuple[str, str]] = (),
    taxonomy: Sequence[tuple[str, str, str]] | None = None,
    activate: bool = True,
    actor: Actor = None,
    sources: str = "",
    design: Design | None = None,
) -> ClassifierVersion:
    """Train on CSV rows and/or the stored labels, register the model, and (by default) activate it
    (with ``design``, by default the classifier's DEFAULT_DESIGN)."""
    from minyi.insight import classifier

    design = design or classifier.DEFAULT_DESIGN
    rows = list(csv_rows)
    label_count = 0
    if use_labels:
        stored = label_rows()
        label_count = len(stored)
        rows += stored
    if len({label for _, _, label in rows}) < 2:
        raise ValidationError(
            _("Training needs labelled appeals of at least two categories; there are %(n)d labels.")
            % {"n": len(rows)},
            code="too_few_labels",
        )
    unlabelled = [*extra_unlabelled, *unlabelled_texts()]
    taxonomy = tree_rows() if taxonomy is None else taxonomy
    model = classifier.train(rows, unlabelled=unlabelled, taxonomy=taxonomy, design=design)
    if use_labels:
        model.children = deeper_models(taxonomy, design)
        model.metadata["deeper"] = {
            top: {
                "classes": child.classes,
                "training_rows": child.metadata.get("training_rows"),
                "cv": child.metadata.get("cv"),
            }
            for top, child in model.children.items()
        }
    described = ", ".join(
        part
        for part in (
            sources,
            f"{label_count} labels" if use_labels else "",
        )
        if part
    )
    return register(model, sources=described, activate=activate, actor=actor)


def _plain(value: Any) -> Any:
    """Metadata as JSON can hold it (numpy numbers become Python numbers)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value
