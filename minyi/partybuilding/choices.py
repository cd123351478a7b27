"""Choices of village party organisation work: a member's place in a joint branch, a task's area."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    """Why a village branch belongs to a joint general branch: it leads, or it is being helped."""

    ADVANCED = "advanced", _("Advanced branch")
    WEAK = "weak", _("Weak branch")


class TaskArea(models.TextChoices):
    """What a rectification task of a joint branch works on (整顿任务)."""

    TEAM = "team", _("Team building")
    ECONOMY = "economy", _("Village economy")
    ENVIRONMENT = "environment", _("Village environment")
    SERVICES = "services", _("Services for the people")
    RULES = "rules", _("Rules and systems")
    OTHER = "other", _("Other")


#: The ledger tag every joint-branch task carries, so the ledger can be filtered to them.
TASK_TAG = "联村党总支"
