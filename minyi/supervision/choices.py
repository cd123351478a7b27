"""Levels of a supervision notice (督办单) and the answer statuses derived from its dates."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    DUE_SOON = "due_soon", _("Reminder")
    YELLOW = "yellow", _("Yellow-card notice")
    RED = "red", _("Red-card notice")
    MANUAL = "manual", _("Leader's notice")


#: Levels the SLA sweep issues, in the order it escalates.
SWEEP_LEVELS = (Level.DUE_SOON, Level.YELLOW, Level.RED)


class AnswerStatus(models.TextChoices):
    """Derived from answer_by and answered_at at read time, never stored."""

    WAITING = "waiting", _("Waiting for the answer")
    OVERDUE = "overdue", _("Not answered by the answer date")
    ON_TIME = "on_time", _("Answered on time")
    LATE = "late", _("Answered late")
