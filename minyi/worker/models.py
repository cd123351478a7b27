"""The outbox: one row per piece of background work, written in the transaction of the change."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.worker.choices import DeliveryOutcome, JobState


class Job(models.Model):
    """A unit of background work (e.g. one SMS): the handler ``kind`` runs with ``payload`` until it
    succeeds, retrying with backoff; the row stays as the record of what was sent and what failed."""

    kind = models.CharField(_("kind"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=JobState.choices, default=JobState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(
        _("max attempts"), default=8, validators=[MinValueValidator(1)]
    )
    run_after = models.DateTimeField(_("run after"), default=timezone.now)
    locked_by = models.CharField(_("locked by"), max_length=200, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # NULL means "no key": many jobs have none, while '' would be one more value under the constraint.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True)  # noqa: DJ001
    # The id of the request (or job) that enqueued it, logged again by the worker that runs it
    # (minyi/logs.py): one id from a citizen's submission to the SMS it sends.
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["state", "run_after"], name="worker_job_claim")]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(dedupe_key__isnull=False), name="worker_job_dedupe_key"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.state})"


class Delivery(models.Model):
    """One message (an SMS, an e-mail) handed to its gateway under a stable idempotency ``key``,
    recorded before each call and finished after it (minyi/worker/notify.py). A worker that finds it
    started but never finished (it was killed mid-call) sends again under the same key, which the
    gateway dedupes; one that finds it sent does not call again."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=16)
    job = models.ForeignKey(
        Job, verbose_name=_("background job"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="deliveries",
    )  # fmt: skip
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=DeliveryOutcome.choices, blank=True)
    calls = models.PositiveIntegerField(_("calls to the gateway"), default=0)
    # What the gateway answered last: its request id, its id of the message, its code (minyi/worker/sms.py).
    answer = models.JSONField(_("gateway's answer"), default=dict, blank=True)

    class Meta:
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")

    def __str__(self) -> str:
        return self.key


class Heartbeat(models.Model):
    """A worker process saying it is alive: written when it starts, every ``HEARTBEAT_EVERY`` of its
    loop and when it stops (minyi/worker/rules.py). Readiness (/readyz) wants one seen within two
    minutes; /metrics shows each worker's age."""

    worker_id = models.CharField(_("worker"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"))
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    jobs_run = models.PositiveIntegerField(_("jobs run"), default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id
