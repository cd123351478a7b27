"""States of a background job, and the groups of states the worker's rules use."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed (will retry)")
    DEAD = "dead", _("Dead (gave up)")


#: States a worker may claim from once ``run_after`` has passed.
DUE_STATES = frozenset({JobState.PENDING, JobState.FAILED})

#: States a job never leaves by itself.
TERMINAL_STATES = frozenset({JobState.DONE, JobState.DEAD})

#: States a person may send back to the queue ("retry now").
RETRYABLE_STATES = frozenset({JobState.FAILED, JobState.DEAD})


class DeliveryOutcome(models.TextChoices):
    """How the last hand-over of a message to its gateway ended (blank: started, not finished)."""

    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
