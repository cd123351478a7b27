"""The outbox and its worker: enqueue work in the caller's transaction, claim it atomically, run it
with retries.

A module that defines handlers registers them at import; apps put theirs in a ``jobs.py`` module,
which ``WorkerConfig.ready`` imports in every process (web and worker alike)::

    # minyi/appeals/jobs.py
    @handler("appeals.sla_notice")
    def sla_notice(payload: dict[str, Any]) -> None: ...

    # in a rules function, inside its transaction.atomic() block
    enqueue("appeals.sla_notice", {"appeal": appeal.pk}, dedupe_key=f"sla:{appeal.pk}:{today}")

A job is claimed by one worker at a time (``SELECT … FOR UPDATE SKIP LOCKED`` where the database has
it, a conditional ``UPDATE … WHERE state IN (…)`` on SQLite), so two workers never run it at once.
Delivery is still *at least once*: a worker killed after its handler finished but before it
recorded the outcome leaves the job to be run again after ``LOCK_TIMEOUT``, so handlers must be
safe to repeat (the notification handlers are: each message goes out under a stable key that the
gateway dedupes, minyi/worker/notify.py; ``current_job()`` gives a handler the job it runs).
Handlers run outside any transaction: one that writes should use its own ``transaction.atomic()``.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from minyi import logs
from minyi.audit.rules import record
from minyi.worker.choices import DUE_STATES, RETRYABLE_STATES, JobState
from minyi.worker.models import Heartbeat, Job

logger = logging.getLogger("minyi.worker")

Handler = Callable[[dict[str, Any]], None]
Actor = User | AnonymousUser | None

#: A job running longer than this is taken to belong to a worker that died, and is run again.
#: Handlers must finish well within it (an SMS gateway call takes seconds).
LOCK_TIMEOUT = timedelta(minutes=10)
#: How often a looping worker writes its heartbeat (readiness wants one within two minutes).
HEARTBEAT_EVERY = timedelta(seconds=15)
#: The longest wait between two attempts of a failing job.
MAX_BACKOFF = timedelta(hours=1)
#: How much of a traceback ``last_error`` keeps (its end, where the error is).
MAX_ERROR_CHARS = 10_000
#: On SQLite, rows read beyond ``limit`` per claim, so a claim lost to another worker can try the next.
_SPARE_CANDIDATES = 10

_handlers: dict[str, Handler] = {}
_running: ContextVar[Job | None] = ContextVar("minyi_worker_job", default=None)


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help (e.g. a malformed payload): the job goes dead
    at once instead of being retried."""


class RetryLater(Exception):
    """Raised by a handler when the other side asked to be called later (a gateway's throttling): the
    job is retried, but not before ``after`` (or its backoff, if longer)."""

    def __init__(self, message: str, *, after: timedelta) -> None:
        super().__init__(message)
        self.after = after


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the decorated ``func(payload) -> None`` as the handler of jobs of ``kind``."""

    def register(func: Handler) -> Handler:
        existing = _handlers.get(kind)
        if existing is not None and _name(existing) != _name(func):
            raise ImproperlyConfigured(f"job kind {kind!r} already has a handler: {_name(existing)}")
        _handlers[kind] = func
        return func

    return register


def current_job() -> Job | None:
    """The job whose handler is running (None outside ``run_one``): its id keys what it sends."""
    return _running.get()


def registered_kinds() -> list[str]:
    """The job kinds this process can run, sorted."""
    return sorted(_handlers)


def enqueue(
    kind: str,
    payload: dict[str, Any],
    *,
    run_after: datetime | None = None,
    dedupe_key: str | None = None,
) -> Job | None:
    """Add a job to the outbox; call it inside the transaction of the change, so the job commits or
    rolls back with it. With a ``dedupe_key`` already used by another job, create nothing and
    return None."""
    if kind not in _handlers:
        raise ValueError(f"no handler is registered for job kind {kind!r} (known: {registered_kinds()})")
    if run_after is not None and timezone.is_naive(run_after):
        raise ValueError("run_after must be an aware datetime")
    job = Job(kind=kind, payload=payload, dedupe_key=dedupe_key, request_id=logs.request_id.get())
    if run_after is not None:
        job.run_after = run_after
    if dedupe_key is None:
        job.save()
        return job
    # The unique constraint decides, so two transactions enqueuing one key at once still make one
    # job; the savepoint keeps the caller's transaction usable when it refuses ours.
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        if Job.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    return job


def claim(worker_id: str, *, limit: int = 1) -> list[Job]:
    """Atomically move up to ``limit`` due jobs (pending or failed, ``run_after`` passed) to running
    for ``worker_id``; jobs left running for longer than ``LOCK_TIMEOUT`` are put back first."""
    return _claim(worker_id, limit=limit, due_by=timezone.now())


def run_one(job: Job) -> JobState:
    """Run a claimed job's handler and record the outcome: done; failed, to be retried after a
    backoff; or dead once ``max_attempts`` are used up. Never raises what the handler raised."""
    if job.state != JobState.RUNNING or not job.locked_by:
        raise ValueError(f"job {job.pk} is {job.state}, not claimed: claim() it before running it")
    # The request that enqueued the job names it in every line logged while it runs, and in any job
    # its handler enqueues in turn (minyi/logs.py).
    with logs.using(job.request_id or logs.new_id()):
        return _run_one(job)


def _run_one(job: Job) -> JobState:
    func = _handlers.get(job.kind)
    # Inside a caller's transaction (tests, mostly) a savepoint keeps a failed query of the handler
    # from poisoning it; outside one the handler runs in autocommit, holding no lock between queries.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        if func is None:
            raise LookupError(
                f"no handler is registered for job kind {job.kind!r} in this worker "
                f"(known: {registered_kinds()}); is the module that defines it imported?"
            )
        running = _running.set(job)
        try:
            with guard:
                func(job.payload)
        finally:
            _running.reset(running)
    except Exception as error:
        return _record_failure(job, error)
    return _record_success(job)


def work(
    worker_id: str,
    *,
    once: bool = False,
    idle_sleep: float = 1.0,
    stop: threading.Event | None = None,
) -> int:
    """Claim and run jobs one at a time until ``stop`` is set (the job in hand is finished first);
    with ``once``, run what is due at the call and return. Returns the number of jobs run."""
    stop = stop or threading.Event()
    due_by = timezone.now() if once else None
    _refresh_connection()
    pulse = _Pulse(worker_id)
    try:
        ran = _loop(worker_id, once=once, idle_sleep=idle_sleep, stop=stop, due_by=due_by, pulse=pulse)
    finally:
        pulse.stopped()
    return ran


class _Pulse:
    """The worker's heartbeat row: written at start, at most every ``HEARTBEAT_EVERY`` while it loops,
    and at its end. A failed write is logged and tried again next time, never fatal."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.started = timezone.now()
        self.last: datetime | None = None
        self.beat(0)

    def beat(self, ran: int, *, force: bool = False) -> None:
        now = timezone.now()
        if not force and self.last is not None and now - self.last < HEARTBEAT_EVERY:
            return
        try:
            # A savepoint, so a failed write leaves a caller's transaction (tests, mostly) usable.
            with transaction.atomic():
                Heartbeat.objects.update_or_create(
                    worker_id=self.worker_id[:200],
                    defaults={
                        "started_at": self.started,
                        "seen_at": now,
                        "jobs_run": ran,
                        "stopped_at": None,
                    },
                )
            self.last = now
        except Exception:
            logger.exception("worker %s: could not record its heartbeat", self.worker_id)

    def stopped(self) -> None:
        try:
            with transaction.atomic():
                Heartbeat.objects.filter(worker_id=self.worker_id[:200]).update(stopped_at=timezone.now())
        except Exception:
            logger.exception("worker %s: could not record that it stopped", self.worker_id)


def _loop(
    worker_id: str,
    *,
    once: bool,
    idle_sleep: float,
    stop: threading.Event,
    due_by: datetime | None,
    pulse: _Pulse,
) -> int:
    ran = 0
    while not stop.is_set():
        pulse.beat(ran)
        try:
            if not once:  # periodic jobs come from long-running workers; ``once`` runs exactly what is due
                from minyi.worker.schedule import offer_due  # it imports this module: import here

                offer_due()
            jobs = _claim(worker_id, limit=1, due_by=due_by or timezone.now())
            for job in jobs:
                run_one(job)
                ran += 1
        except Exception:
            if once:
                raise
            # The database went away or a bug hit the bookkeeping: a long-running worker waits and
            # tries again (a job it held is put back after LOCK_TIMEOUT) rather than dying.
            logger.exception(
                "worker %s: could not claim or record a job; retrying in %ss", worker_id, idle_sleep
            )
            stop.wait(idle_sleep)
            _refresh_connection()
            continue
        if not jobs:
            if once:
                break
            stop.wait(idle_sleep)
            _refresh_connection()
    return ran


@transaction.atomic
def retry_now(jobs: QuerySet[Job] | Iterable[Job], *, actor: Actor) -> int:
    """Send failed and dead jobs back to the queue to run at once, with a fresh set of attempts;
    jobs in other states are left alone. Returns how many were sent back."""
    ids = [job.pk for job in jobs]
    retryable = list(Job.objects.select_for_update().filter(pk__in=ids, state__in=RETRYABLE_STATES))
    if not retryable:
        return 0
    Job.objects.filter(pk__in=[job.pk for job in retryable]).update(
        state=JobState.PENDING, run_after=timezone.now(), attempts=0, finished_at=None
    )
    for job in retryable:
        record("worker.job.retry", actor=actor, obj=job, detail={"kind": job.kind, "from": job.state})
    return len(retryable)


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: 2, 4, 8 … seconds, capped."""
    return min(timedelta(seconds=2 ** min(attempts, 20)), MAX_BACKOFF)


def _claim(worker_id: str, *, limit: int, due_by: datetime) -> list[Job]:
    if not worker_id:
        raise ValueError("a worker needs a non-empty id")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    now = timezone.now()
    _requeue_stale(now)
    due = Job.objects.filter(state__in=DUE_STATES, run_after__lte=due_by)
    mark = {
        "state": JobState.RUNNING,
        "locked_by": worker_id,
        "locked_at": now,
        "attempts": F("attempts") + 1,
    }
    if connection.vendor == "postgresql":
        # One statement, one round trip: pick the due rows no other worker has locked and mark them
        # (a worker makes a claim per job, so its round trips bound a worker's rate).
        table = connection.ops.quote_name(Job._meta.db_table)
        states = ", ".join(["%s"] * len(DUE_STATES))
        sql = (  # our own table name and placeholders only
            f"UPDATE {table} SET state = %s, locked_by = %s, locked_at = %s, attempts = attempts + 1 "  # noqa: S608
            f"WHERE id IN (SELECT id FROM {table} WHERE state IN ({states}) AND run_after <= %s "
            "ORDER BY run_after, id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING *"
        )
        params = [JobState.RUNNING, worker_id, now, *DUE_STATES, due_by, limit]
        claimed_jobs = list(Job.objects.raw(sql, params))
        return sorted(claimed_jobs, key=lambda job: (job.run_after, job.pk))  # RETURNING has no order

    # No SKIP LOCKED (SQLite): read candidates without a lock, then take each with an UPDATE that
    # re-checks the state. The database runs one write at a time, so of two workers racing for a
    # row exactly one UPDATE matches it; the loser moves on to the next candidate.
    claimed: list[int] = []
    while len(claimed) < limit:
        wanted = limit - len(claimed)
        candidates = list(
            due.order_by("run_after", "id").values_list("pk", flat=True)[: wanted + _SPARE_CANDIDATES]
        )
        if not candidates:
            break
        for pk in candidates:
            if due.filter(pk=pk).update(**mark):
                claimed.append(pk)
                if len(claimed) == limit:
                    break
    return list(Job.objects.filter(pk__in=claimed).order_by("run_after", "id"))


def _requeue_stale(now: datetime) -> None:
    """Put back jobs whose worker stopped answering: due again at once, or dead if out of attempts."""
    stale = Job.objects.filter(state=JobState.RUNNING, locked_at__lt=now - LOCK_TIMEOUT)
    if not stale.exists():  # a plain read: most claims find nothing and take no write lock
        return
    error = Concat(
        Value("worker "),
        F("locked_by"),
        Value(f" held the job for more than {LOCK_TIMEOUT} without finishing it (it stopped or was killed)"),
        output_field=TextField(),
    )
    gone = {"locked_by": "", "locked_at": None, "last_error": error}
    dead = stale.filter(attempts__gte=F("max_attempts")).update(state=JobState.DEAD, finished_at=now, **gone)
    requeued = stale.update(state=JobState.FAILED, **gone)  # its run_after has passed: due at once
    if dead or requeued:
        logger.warning(
            "took back %d stale running jobs: %d to retry, %d dead", dead + requeued, requeued, dead
        )


def _held(job: Job) -> QuerySet[Job]:
    """The job, as long as this worker still holds it (it may have been taken back as stale)."""
    return Job.objects.filter(
        pk=job.pk, state=JobState.RUNNING, locked_by=job.locked_by, locked_at=job.locked_at
    )


def _record_success(job: Job) -> JobState:
    now = timezone.now()
    if not _held(job).update(state=JobState.DONE, finished_at=now, locked_by="", locked_at=None):
        return _lost(job, JobState.DONE)
    job.state, job.finished_at, job.locked_by, job.locked_at = JobState.DONE, now, "", None
    logger.info("job %s %s: done (attempt %d)", job.pk, job.kind, job.attempts)
    return JobState.DONE


def _record_failure(job: Job, error: Exception) -> JobState:
    now = timezone.now()
    text = "".join(traceback.format_exception(error))[-MAX_ERROR_CHARS:]
    fields: dict[str, Any] = {"last_error": text, "locked_by": "", "locked_at": None}
    if isinstance(error, PermanentFailure) or job.attempts >= job.max_attempts:
        fields |= {"state": JobState.DEAD, "finished_at": now}
    else:
        wait = backoff(job.attempts)
        if isinstance(error, RetryLater):
            wait = max(wait, error.after)
        fields |= {"state": JobState.FAILED, "run_after": now + wait}
    if not _held(job).update(**fields):
        return _lost(job, fields["state"])
    for name, value in fields.items():
        setattr(job, name, value)
    if job.state == JobState.DEAD:
        logger.error(
            "job %s %s: dead after %d attempts: %r", job.pk, job.kind, job.attempts, error, exc_info=error
        )
    else:
        logger.warning(
            "job %s %s: failed (attempt %d of %d), retry at %s: %r",
            job.pk,
            job.kind,
            job.attempts,
            job.max_attempts,
            job.run_after.isoformat(),
            error,
            exc_info=error,
        )
    return JobState(job.state)


def _lost(job: Job, outcome: JobState) -> JobState:
    logger.warning(
        "job %s %s: %s, but worker %s no longer held it (taken back after %s); outcome not recorded",
        job.pk,
        job.kind,
        outcome,
        job.locked_by,
        LOCK_TIMEOUT,
    )
    return outcome


def _refresh_connection() -> None:
    """Drop a broken or too old database connection between jobs, as Django does between requests
    (not inside a caller's transaction, which closing would break)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _name(func: Handler) -> str:
    return f"{func.__module__}.{func.__qualname__}"
