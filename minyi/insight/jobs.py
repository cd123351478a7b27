"""Background jobs of insight (discovered by minyi.worker at start-up)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from minyi.appeals.models import Appeal
from minyi.insight import board, duplicates, registry, routing
from minyi.insight.models import HotspotRun
from minyi.worker.rules import PermanentFailure, handler
from minyi.worker.schedule import periodic


@handler(board.HOTSPOT_JOB)
def compute_hotspots(payload: dict[str, Any]) -> None:
    """Compute a requested hotspot board. A failure is written on the run (the board shows it) and the
    job is not retried: the same appeals would fail the same way, and the user can ask again."""
    run_id = payload.get("run")
    run = HotspotRun.objects.filter(pk=run_id).first() if isinstance(run_id, int) else None
    if run is None:
        raise PermanentFailure(f"no hotspot run {run_id!r}")
    try:
        board.compute(run)
    except Exception as error:
        raise PermanentFailure(f"hotspot run {run.pk} failed: {error}") from error


@handler(board.NIGHTLY_JOB)
def refresh_hotspots(payload: dict[str, Any]) -> None:
    """Every night: the boards of the last 30 days and of the running campaign, so that the board and
    the dashboard show hotspots without anyone asking. A failure is written on its run; not retried."""
    try:
        board.refresh()
    except Exception as error:
        raise PermanentFailure(f"nightly hotspot refresh failed: {error}") from error


periodic(board.NIGHTLY_JOB)


# --- smart dispatch ------------------------------------------------------------------------------------

TRIAGE_JOB = "insight.triage"
TRAIN_JOB = "insight.train"


@handler(TRIAGE_JOB)
def triage_new_appeals(payload: dict[str, Any]) -> None:
    """Every minute: suggest categories for the new appeals, auto-dispatch the sure ones, and note their
    likely duplicates (each appeal once: a stored suggestion marks it done)."""
    triage_many(routing.pending())


def triage_many(appeals: Iterable[Appeal]) -> None:
    """Each appeal in its own transaction; the district's newest appeals are read once for the batch."""
    appeals = list(appeals)
    recent = duplicates.recent_pool() if appeals else None
    for appeal in appeals:
        with transaction.atomic():
            duplicates.record_hints(appeal, recent)
            routing.triage(appeal)


@handler(TRAIN_JOB)
def train_from_labels(payload: dict[str, Any]) -> None:
    """Train a new version from the stored labels (an admin asked for it) and make it the active one."""
    actor = get_user_model().objects.filter(pk=int(payload.get("actor") or 0)).first()
    try:
        registry.train(actor=actor, sources="dispatchers' labels")
    except ValidationError as error:
        raise PermanentFailure(" ".join(error.messages)) from error


periodic(TRIAGE_JOB)
