"""The outbox and the worker: transactional enqueue, dedupe, retries, exactly-once claims between
concurrent workers, the notification channels and ``manage.py worker``."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import Client
from django.utils import timezone

from minyi.audit.models import AuditEvent
from minyi.testing import Actors
from minyi.worker.choices import DeliveryOutcome, JobState
from minyi.worker.models import Delivery, Job
from minyi.worker.notify import FileSmsBackend, notify
from minyi.worker.rules import PermanentFailure, backoff, claim, enqueue, handler, retry_now, run_one, work

# What the test handlers did, in order: (thread name, payload).
RAN: list[tuple[str, dict[str, Any]]] = []
_ran_lock = threading.Lock()
# Set by a test that wants the first job of each of two workers to wait for the other's first job.
RENDEZVOUS: dict[str, threading.Barrier] = {}
_first_job_done = threading.local()


@handler("test.worker.record")
def _record(payload: dict[str, Any]) -> None:
    barrier = RENDEZVOUS.get("first jobs")
    if barrier is not None and not getattr(_first_job_done, "value", False):
        _first_job_done.value = True
        barrier.wait()  # both workers now hold a running job at the same moment
    with _ran_lock:
        RAN.append((threading.current_thread().name, payload))


@handler("test.worker.fail")
def _fail(payload: dict[str, Any]) -> None:
    raise RuntimeError("the gateway is down")


@handler("test.worker.flaky")
def _flaky(payload: dict[str, Any]) -> None:
    if Job.objects.filter(kind="test.worker.flaky", attempts__lt=payload["succeed_on"]).exists():
        raise RuntimeError("not yet")
    _record(payload)


@handler("test.worker.give_up")
def _give_up(payload: dict[str, Any]) -> None:
    raise PermanentFailure("this payload can never be sent")


@handler("test.worker.sigterm")
def _sigterm(payload: dict[str, Any]) -> None:
    os.kill(os.getpid(), signal.SIGTERM)  # as systemd or Kubernetes would, in the middle of a job
    _record(payload)


@pytest.fixture(autouse=True)
def _clean_handlers(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MINYI_SMS_FILE = tmp_path / "sms-outbox.jsonl"  # never the developer's var/ file
    RAN.clear()
    RENDEZVOUS.clear()
    yield
    RENDEZVOUS.clear()


def _claim_and_run(job: Job) -> Job:
    """Make ``job`` due, claim it (it must be the only due job) and run it."""
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    [claimed] = claim("test-worker")
    assert claimed.pk == job.pk
    run_one(claimed)
    job.refresh_from_db()
    return job


# --- the outbox -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_job_commits_and_rolls_back_with_the_callers_transaction() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("test.worker.record", {"n": "rolled back"})
        raise RuntimeError("the change failed")
    with transaction.atomic():
        enqueue("test.worker.record", {"n": "committed"})
    assert list(Job.objects.values_list("payload", flat=True)) == [{"n": "committed"}]


@pytest.mark.django_db
def test_same_dedupe_key_makes_one_job_and_leaves_the_transaction_usable() -> None:
    with transaction.atomic():
        first = enqueue("test.worker.record", {"n": 1}, dedupe_key="sla:42:2026-05-01")
        second = enqueue("test.worker.record", {"n": 2}, dedupe_key="sla:42:2026-05-01")
        other = enqueue("test.worker.record", {"n": 3}, dedupe_key="sla:42:2026-05-02")
        assert Job.objects.count() == 2  # the caller's transaction still works after the refusal
    assert first is not None and other is not None
    assert second is None
    assert sorted(job.payload["n"] for job in Job.objects.all()) == [1, 3]


@pytest.mark.django_db
def test_many_jobs_without_a_dedupe_key_coexist() -> None:
    enqueue("test.worker.record", {})
    enqueue("test.worker.record", {})
    assert Job.objects.filter(dedupe_key__isnull=True).count() == 2


@pytest.mark.django_db
def test_unknown_kind_and_naive_time_are_refused_at_enqueue() -> None:
    with pytest.raises(ValueError, match=r"no handler is registered for job kind 'notify\.fax'"):
        enqueue("notify.fax", {})
    with pytest.raises(ValueError, match="aware"):
        enqueue("test.worker.record", {}, run_after=timezone.now().replace(tzinfo=None))
    assert not Job.objects.exists()


def test_a_kind_has_one_handler() -> None:
    def impostor(payload: dict[str, Any]) -> None:
        pass

    with pytest.raises(ImproperlyConfigured, match="already has a handler"):
        handler("test.worker.record")(impostor)
    handler("test.worker.record")(_record)  # registering the same function again is harmless


# --- running, failing, retrying ---------------------------------------------------------------


@pytest.mark.django_db
def test_failure_is_recorded_and_retried_after_a_growing_backoff_until_dead() -> None:
    job = enqueue("test.worker.fail", {})
    assert job is not None
    Job.objects.filter(pk=job.pk).update(max_attempts=3)

    before = timezone.now()
    job = _claim_and_run(job)
    assert job.state == JobState.FAILED
    assert job.attempts == 1
    assert "RuntimeError: the gateway is down" in job.last_error
    assert before + backoff(1) <= job.run_after <= timezone.now() + backoff(1)
    assert job.locked_by == "" and job.locked_at is None and job.finished_at is None
    assert claim("test-worker") == []  # not due before its backoff

    job = _claim_and_run(job)
    assert (job.state, job.attempts) == (JobState.FAILED, 2)
    job = _claim_and_run(job)
    assert (job.state, job.attempts) == (JobState.DEAD, 3)
    assert job.finished_at is not None
    assert "the gateway is down" in job.last_error
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(days=1))
    assert claim("test-worker") == []  # dead jobs are never claimed


def test_backoff_doubles_and_is_capped_at_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [2, 4, 8, 1024]
    assert backoff(12) == backoff(1000) == timedelta(hours=1)


@pytest.mark.django_db
def test_a_later_success_marks_the_job_done_and_keeps_the_last_error() -> None:
    job = enqueue("test.worker.flaky", {"succeed_on": 2})
    assert job is not None
    job = _claim_and_run(job)
    assert job.state == JobState.FAILED
    job = _claim_and_run(job)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert job.finished_at is not None
    assert "not yet" in job.last_error
    assert len(RAN) == 1


@pytest.mark.django_db
def test_permanent_failure_and_unknown_kind() -> None:
    give_up = enqueue("test.worker.give_up", {})
    stranger = Job.objects.create(kind="left.behind.by.an.old.release", payload={})
    work("test-worker", once=True)
    assert give_up is not None
    give_up.refresh_from_db()
    stranger.refresh_from_db()
    assert (give_up.state, give_up.attempts) == (JobState.DEAD, 1)
    assert "this payload can never be sent" in give_up.last_error
    assert stranger.state == JobState.FAILED  # a newer worker may know the kind: retried, not dropped
    assert "no handler is registered for job kind 'left.behind.by.an.old.release'" in stranger.last_error


@pytest.mark.django_db
def test_work_once_runs_due_jobs_survives_a_crash_and_skips_future_ones() -> None:
    enqueue("test.worker.record", {"n": 1})
    enqueue("test.worker.fail", {})
    enqueue("test.worker.record", {"n": 2})
    later = enqueue("test.worker.record", {"n": "later"}, run_after=timezone.now() + timedelta(minutes=5))

    assert work("test-worker", once=True) == 3
    assert [payload["n"] for _, payload in RAN] == [1, 2]
    assert later is not None
    later.refresh_from_db()
    assert later.state == JobState.PENDING
    assert Counter(Job.objects.values_list("state", flat=True)) == {"done": 2, "failed": 1, "pending": 1}
    assert work("test-worker", once=True) == 0  # the failed one waits for its backoff


@pytest.mark.django_db
def test_job_of_a_worker_that_died_is_taken_back_by_another() -> None:
    enqueue("test.worker.record", {"n": 1})
    [job] = claim("died-worker")
    assert claim("other-worker") == []  # held, and not for long enough to be taken
    Job.objects.filter(pk=job.pk).update(locked_at=timezone.now() - timedelta(minutes=11))

    [taken] = claim("other-worker")
    assert (taken.pk, taken.locked_by, taken.attempts) == (job.pk, "other-worker", 2)
    assert run_one(taken) == JobState.DONE
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert "worker died-worker held the job for more than 0:10:00" in job.last_error


@pytest.mark.django_db
def test_stale_job_out_of_attempts_goes_dead_and_a_late_outcome_is_ignored() -> None:
    enqueue("test.worker.record", {"n": 1})
    [job] = claim("slow-worker")
    Job.objects.filter(pk=job.pk).update(locked_at=timezone.now() - timedelta(hours=1), max_attempts=1)
    assert claim("other-worker") == []
    run_one(job)  # the slow worker finally finishes: it no longer holds the job and records nothing
    job.refresh_from_db()
    assert job.state == JobState.DEAD
    assert "worker slow-worker held the job" in job.last_error


@pytest.mark.django_db
def test_run_one_refuses_a_job_that_was_not_claimed() -> None:
    job = enqueue("test.worker.record", {})
    assert job is not None
    with pytest.raises(ValueError, match="claim"):
        run_one(job)


@pytest.mark.django_db
def test_retry_now_sends_failed_and_dead_jobs_back_with_fresh_attempts(actors: Actors) -> None:
    dead = Job.objects.create(kind="test.worker.record", state=JobState.DEAD, attempts=8)
    failed = Job.objects.create(
        kind="test.worker.record",
        state=JobState.FAILED,
        attempts=2,
        run_after=timezone.now() + timedelta(hours=1),
    )
    done = Job.objects.create(kind="test.worker.record", state=JobState.DONE, attempts=1)

    assert retry_now(Job.objects.all(), actor=actors.admin) == 2

    for job in (dead, failed, done):
        job.refresh_from_db()
    assert (dead.state, dead.attempts) == (JobState.PENDING, 0)
    assert failed.state == JobState.PENDING and failed.run_after <= timezone.now()
    assert done.state == JobState.DONE
    assert AuditEvent.objects.filter(action="worker.job.retry", actor=actors.admin).count() == 2
    assert work("test-worker", once=True) == 2


# --- two workers at once ----------------------------------------------------------------------


@contextmanager
def _connection_for_this_thread(sqlite_file: Path | None) -> Iterator[None]:
    """Give the calling thread its own connection: to ``sqlite_file`` when set, else to the test
    database (closed on the way out, so the test database can be flushed and dropped)."""
    if sqlite_file is None:
        try:
            yield
        finally:
            connections.close_all()
        return
    original = connections[DEFAULT_DB_ALIAS]
    own = type(original)({**original.settings_dict, "NAME": str(sqlite_file)}, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = own
    try:
        yield
    finally:
        own.close()
        connections[DEFAULT_DB_ALIAS] = original


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_time_run_each_job_exactly_once(tmp_path: Path) -> None:
    """Two threads, each with its own database connection, run ``work(once=True)`` over the same
    200 due jobs; the handler writes down every call. Every job must have run exactly once.

    Both workers start together (a Barrier), and the first job of each waits at a second Barrier
    until the other worker holds a job too, so the two really claim side by side: neither can drain
    the queue alone. ``attempts == 1`` on every row shows no job was even claimed twice.

    PostgreSQL: each thread opens its own connection to the test database (hence
    ``transaction=True``: the jobs must be committed to be seen), and claims with
    ``SELECT … FOR UPDATE SKIP LOCKED``. SQLite: pytest-django's test database lives in memory with
    a shared cache, where a second writer gets "database table is locked" at once instead of waiting
    its turn, so the threads use a file database of their own (the project's WAL and busy-timeout
    options, the Job table only) and claim with the conditional UPDATE, racing for the same rows.
    """
    sqlite_file = tmp_path / "workers.sqlite3" if connection.vendor == "sqlite" else None
    with _connection_for_this_thread(sqlite_file):
        if sqlite_file is not None:
            with connections[DEFAULT_DB_ALIAS].schema_editor() as editor:
                editor.create_model(Job)
        with transaction.atomic():
            ids = [job.pk for n in range(200) if (job := enqueue("test.worker.record", {"n": n})) is not None]

        start = threading.Barrier(2, timeout=30)
        RENDEZVOUS["first jobs"] = threading.Barrier(2, timeout=30)
        ran_by_worker: dict[str, int] = {}
        errors: list[BaseException] = []

        def worker(name: str) -> None:
            try:
                with _connection_for_this_thread(sqlite_file):
                    start.wait()
                    ran_by_worker[name] = work(name, once=True)
            except BaseException as error:
                errors.append(error)

        threads = [
            threading.Thread(target=worker, args=(name,), name=name) for name in ("worker-a", "worker-b")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []

        calls = Counter(payload["n"] for _, payload in RAN)
        assert len(RAN) == 200
        assert set(calls) == set(range(200)) and set(calls.values()) == {1}
        by_thread = Counter(name for name, _ in RAN)
        assert by_thread == ran_by_worker and set(by_thread) == {"worker-a", "worker-b"}
        assert Counter(Job.objects.filter(pk__in=ids).values_list("state", "attempts")) == {("done", 1): 200}


# --- notifications ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_sms_goes_to_the_file_one_line_each_and_email_to_the_outbox(settings: Any, tmp_path: Path) -> None:
    settings.MINYI_SMS_FILE = tmp_path / "sms" / "outbox.jsonl"  # a directory to be made
    with transaction.atomic():
        jobs = notify(
            phone="13812345678", email="wang@example.cn", subject="诉求已答复", text="您的诉求已答复。"
        )
        notify(phone="13900001111", subject="诉求已受理", text="您的诉求已受理，\n编号 A-1。")
    assert [job.kind for job in jobs] == ["notify.sms", "notify.email"]

    assert work("test-worker", once=True) == 3

    lines = (tmp_path / "sms" / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    messages = [json.loads(line) for line in lines]
    assert [(m["phone"], m["text"]) for m in messages] == [
        ("13812345678", "您的诉求已答复。"),
        ("13900001111", "您的诉求已受理，\n编号 A-1。"),
    ]
    assert len(mail.outbox) == 1
    assert (mail.outbox[0].to, mail.outbox[0].subject, mail.outbox[0].body) == (
        ["wang@example.cn"],
        "诉求已答复",
        "您的诉求已答复。",
    )


@pytest.mark.django_db
def test_notify_dedupes_per_channel_and_needs_an_address() -> None:
    first = notify(phone="13812345678", email="a@example.cn", subject="s", text="t", dedupe_key="reply:7")
    again = notify(phone="13812345678", email="a@example.cn", subject="s", text="t", dedupe_key="reply:7")
    assert len(first) == 2 and again == []
    assert notify(subject="s", text="t") == []
    assert Job.objects.count() == 2


@pytest.mark.django_db
def test_sms_backend_is_chosen_by_setting(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.MINYI_SMS_BACKEND = "minyi.worker.notify.ConsoleSmsBackend"
    notify(phone="13812345678", subject="s", text="你好")
    work("test-worker", once=True)
    assert "SMS to 13812345678: 你好" in capsys.readouterr().out

    settings.MINYI_SMS_BACKEND = "minyi.worker.models.Job"
    [job] = notify(phone="13812345678", subject="s", text="again")
    work("test-worker", once=True)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "is not a subclass of SmsBackend" in job.last_error


class Killed(BaseException):
    """The worker process dying (SIGKILL, out of memory): nothing after it runs, not even the
    worker's ``except Exception`` that would record a failure."""


class AcceptThenDie(FileSmsBackend):
    """The gateway accepts the message, then the worker dies before it marks the job done."""

    def send(self, phone: str, text: str, *, key: str, **message: Any) -> None:
        super().send(phone, text, key=key, **message)
        raise Killed


class AcceptThenDrop(LocmemEmailBackend):
    """The mail server accepts the first message, then the connection drops before the answer."""

    dropped = False

    def send_messages(self, messages: Any) -> int:
        sent = super().send_messages(messages)
        if not AcceptThenDrop.dropped:
            AcceptThenDrop.dropped = True
            raise ConnectionResetError("the connection dropped after the server accepted the message")
        return sent


def _sms_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# A real worker commits the attempt before calling out; outside a test transaction, so do we.
@pytest.mark.django_db(transaction=True)
def test_an_sms_the_gateway_accepted_before_the_worker_died_is_sent_once(
    settings: Any, tmp_path: Path
) -> None:
    with transaction.atomic():
        [job] = notify(phone="13812345678", subject="s", text="您的诉求已受理。")
    settings.MINYI_SMS_BACKEND = f"{__name__}.AcceptThenDie"
    with pytest.raises(Killed):
        work("worker-1", once=True)
    job.refresh_from_db()
    assert job.state == JobState.RUNNING  # never marked done
    delivery = Delivery.objects.get()
    assert (delivery.finished_at, delivery.outcome, delivery.calls) == (None, "", 1)  # started, unfinished

    # Ten minutes later another worker takes the job back and runs it, with the working backend.
    settings.MINYI_SMS_BACKEND = "minyi.worker.notify.FileSmsBackend"
    Job.objects.filter(pk=job.pk).update(locked_at=timezone.now() - timedelta(minutes=11))
    assert work("worker-2", once=True) == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE
    [line] = _sms_lines(tmp_path / "sms-outbox.jsonl")  # exactly one SMS
    assert (line["phone"], line["text"], line["key"]) == ("13812345678", "您的诉求已受理。", delivery.key)
    assert "13812345678" not in delivery.key
    delivery.refresh_from_db()
    assert (delivery.outcome, delivery.calls) == (DeliveryOutcome.SENT, 2)  # sent again, same key


@pytest.mark.django_db(transaction=True)
def test_a_job_run_again_after_its_sms_was_sent_does_not_call_the_gateway(tmp_path: Path) -> None:
    with transaction.atomic():
        [job] = notify(phone="13812345678", subject="s", text="您的诉求已答复。")
    work("worker-1", once=True)
    # The worker died after recording the delivery, before recording the job done: it comes back.
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, locked_by="worker-1", locked_at=timezone.now() - timedelta(minutes=11)
    )
    assert work("worker-2", once=True) == 1
    assert len(_sms_lines(tmp_path / "sms-outbox.jsonl")) == 1
    delivery = Delivery.objects.get()
    assert (delivery.outcome, delivery.calls) == (DeliveryOutcome.SENT, 1)  # no second call


@pytest.mark.django_db
def test_admin_shows_deliveries_read_only_without_the_address(client: Client) -> None:
    [job] = notify(phone="13812345678", subject="s", text="您的诉求已受理。")
    _claim_and_run(job)
    client.force_login(User.objects.create_superuser("it", "it@example.cn", "x"))
    listing = client.get("/admin/worker/delivery/", headers={"accept-language": "en"}).content.decode()
    assert Delivery.objects.get().key in listing and "13812345678" not in listing
    assert client.get(f"/admin/worker/delivery/{Delivery.objects.get().pk}/change/").status_code == 200
    assert client.get("/admin/worker/delivery/add/").status_code == 403


def test_the_file_backend_writes_each_key_once(tmp_path: Path) -> None:
    backend = FileSmsBackend()
    backend.send("13812345678", "一", key="minyi-1-sms-a")
    backend.send("13812345678", "一", key="minyi-1-sms-a")
    backend.send("13812345678", "一", key="minyi-2-sms-a")
    keys = [line["key"] for line in _sms_lines(tmp_path / "sms-outbox.jsonl")]
    assert keys == ["minyi-1-sms-a", "minyi-2-sms-a"]


@pytest.mark.django_db(transaction=True)
def test_an_email_sent_again_carries_the_same_message_id(settings: Any) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.AcceptThenDrop"
    AcceptThenDrop.dropped = False
    [job] = notify(email="wang@example.cn", subject="诉求已答复", text="您的诉求已答复。")
    work("test-worker", once=True)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    _claim_and_run(job)
    assert job.state == JobState.DONE
    first, second = (message.message()["Message-ID"] for message in mail.outbox)
    assert first == second and first.startswith(f"<minyi-{job.pk}-email-")
    assert Delivery.objects.get().calls == 2


@pytest.mark.django_db
def test_malformed_sms_payload_gives_up_at_once() -> None:
    job = enqueue("notify.sms", {"phone": "", "text": "hi"})
    work("test-worker", once=True)
    assert job is not None
    job.refresh_from_db()
    assert job.state == JobState.DEAD
    assert "payload lacks phone" in job.last_error


# --- manage.py worker -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_worker_command_once_runs_due_jobs_and_exits() -> None:
    enqueue("test.worker.record", {"n": 1})
    enqueue("test.worker.record", {"n": 2}, run_after=timezone.now() + timedelta(hours=1))
    call_command("worker", "--once", "--id", "cron-1")  # returns: exit status 0
    assert [payload["n"] for _, payload in RAN] == [1]
    assert Counter(Job.objects.values_list("state", flat=True)) == {"done": 1, "pending": 1}


@pytest.mark.django_db(transaction=True)
def test_worker_command_finishes_the_job_in_hand_on_sigterm_then_exits() -> None:
    job = enqueue("test.worker.sigterm", {"n": "in hand"})
    previous = signal.getsignal(signal.SIGTERM)
    call_command("worker", "--id", "loop-1", "--idle-sleep", "30")  # without SIGTERM it would never return
    assert job is not None
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert [payload["n"] for _, payload in RAN] == ["in hand"]
    assert signal.getsignal(signal.SIGTERM) == previous  # the command put the old handler back


# --- admin ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_jobs_masks_phones_and_retries_failed_ones(client: Client) -> None:
    client.force_login(User.objects.create_superuser("it", "it@example.cn", "x"))
    [job] = notify(phone="13812345678", subject="s", text="回电 13912345678")
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DEAD, attempts=8, last_error="gateway refused 13812345678"
    )
    done = Job.objects.create(kind="test.worker.record", state=JobState.DONE)

    listing = client.get("/admin/worker/job/", {"state__exact": "dead"}).content.decode()
    assert "notify.sms" in listing and f'value="{done.pk}"' not in listing
    detail = client.get(f"/admin/worker/job/{job.pk}/change/").content.decode()
    assert "138****5678" in detail and "139****5678" in detail
    assert "13812345678" not in detail and "13912345678" not in detail
    assert 'type="submit" value="Save"' not in detail and "_save" not in detail  # shown, never saved back

    response = client.post(
        "/admin/worker/job/", {"action": "retry_selected", "_selected_action": [job.pk, done.pk]}, follow=True
    )
    assert response.status_code == 200
    job.refresh_from_db()
    done.refresh_from_db()
    assert (job.state, job.attempts, done.state) == (JobState.PENDING, 0, JobState.DONE)
    assert AuditEvent.objects.filter(action="worker.job.retry", object_id=str(job.pk)).exists()
