"""Notifications to people: SMS and e-mail, delivered by the worker from the outbox.

Callers use ``notify(...)`` inside the transaction of the change that causes the message. The SMS
gateway is pluggable: ``settings.MINYI_SMS_BACKEND`` names a ``SmsBackend`` subclass (default: the
file backend, which appends JSON lines a gateway or a person can pick up — deployments on offline
networks often hand messages over exactly that way). E-mail goes through Django's mail API and so
through ``settings.EMAIL_BACKEND``.

Delivered once (docs/security.md): each message has a stable idempotency key made from its outbox
job's id and its target (``delivery_key``). Before calling the gateway the worker records the attempt
(a ``Delivery`` row: key, started, finished, outcome) and commits it; after the call it records the
outcome. A worker killed between the gateway's acceptance and the job's "done" leaves the job to be
run again (after ``LOCK_TIMEOUT``): finding the delivery sent, it does not call again; finding it
started but not finished, it sends again under the *same* key, which the gateway dedupes (Alibaba
Cloud SMS ``OutId``, Tencent Cloud SMS ``SessionContext``; the file backend skips a key it holds) and
an e-mail carries as its Message-ID.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import sys
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from minyi.worker.choices import DeliveryOutcome
from minyi.worker.models import Delivery, Job
from minyi.worker.rules import PermanentFailure, current_job, enqueue, handler

logger = logging.getLogger("minyi.worker")

DEFAULT_SMS_BACKEND = "minyi.worker.notify.FileSmsBackend"
SMS = "notify.sms"
EMAIL = "notify.email"


class SmsBackend:
    """Sends one text message; raise to have the worker retry it later.

    ``key`` is the message's idempotency key (at most 64 URL-safe characters), the same on every
    retry of one message: pass it to the gateway as its out-id (Alibaba Cloud SMS ``OutId``, Tencent
    Cloud SMS ``SessionContext``) so that a message sent again after a crash is not delivered twice.
    ``template`` names the kind of message (e.g. ``replied``) and ``params`` its values, for gateways
    that send only approved templates (minyi/worker/sms.py). What ``send`` returns (the gateway's
    answer: its request id, its id of the message, its code) is recorded on the delivery row."""

    def send(
        self, phone: str, text: str, *, key: str, template: str = "", params: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any] | None:
        raise NotImplementedError


class FileSmsBackend(SmsBackend):
    """Appends one JSON line per message to ``settings.MINYI_SMS_FILE`` (default var/sms-outbox.jsonl),
    once per key: a key already in the file writes nothing."""

    def path(self) -> Path:
        default = Path(settings.BASE_DIR) / "var" / "sms-outbox.jsonl"
        return Path(getattr(settings, "MINYI_SMS_FILE", default))

    def send(
        self, phone: str, text: str, *, key: str, template: str = "", params: Mapping[str, Any] | None = None
    ) -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "key": key, "phone": phone, "text": text}, ensure_ascii=False
        )
        # An exclusive lock while the file is searched for the key and the line appended, so that two
        # worker processes never both find a key missing. fsync, because after this the job is marked
        # done and never sent again. The search reads the whole file: whoever collects the messages
        # is expected to rotate it.
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(os.dup(fd), "rb") as existing:
                if _holds_key(existing, key):
                    logger.info("SMS %s is already in %s: not written again", key, path)
                    return
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the lock


def _holds_key(lines: Any, key: str) -> bool:
    needle = json.dumps(key).encode()
    for raw in lines:
        if needle in raw:
            try:
                if json.loads(raw).get("key") == key:
                    return True
            except ValueError:
                continue  # a damaged line (a disk filled up mid-write) holds no key
    return False


class ConsoleSmsBackend(SmsBackend):
    """Prints each message (for development)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(
        self, phone: str, text: str, *, key: str, template: str = "", params: Mapping[str, Any] | None = None
    ) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {phone}: {text}\n")
        stream.flush()


def get_sms_backend() -> SmsBackend:
    """The SMS backend named by ``settings.MINYI_SMS_BACKEND`` (read at each call; the names
    ``file``, ``console``, ``aliyun`` and ``tencent`` are turned into classes in minyi/settings.py)."""
    dotted = getattr(settings, "MINYI_SMS_BACKEND", DEFAULT_SMS_BACKEND)
    try:
        backend_class = import_string(dotted)
    except ImportError as error:
        raise ImproperlyConfigured(f"MINYI_SMS_BACKEND={dotted!r} cannot be imported: {error}") from error
    if not (isinstance(backend_class, type) and issubclass(backend_class, SmsBackend)):
        raise ImproperlyConfigured(
            f"MINYI_SMS_BACKEND={dotted!r} is not a subclass of {SmsBackend.__qualname__}"
        )
    return backend_class()


def notify(
    *,
    phone: str | None = None,
    email: str | None = None,
    subject: str,
    text: str,
    dedupe_key: str | None = None,
    template: str = "",
    params: Mapping[str, Any] | None = None,
) -> list[Job]:
    """Queue an SMS to ``phone`` and/or an e-mail to ``email`` (the SMS carries only ``text``); call
    inside the transaction of the change. ``template`` (the kind of message) and ``params`` (its
    values) are what template gateways send instead of the text. Returns the jobs created (none
    without an address, or when ``dedupe_key`` was used before)."""
    text = str(text)  # a lazy translation becomes the text of the caller's language now
    jobs: list[Job | None] = []
    if phone:
        payload: dict[str, Any] = {"phone": phone, "text": text}
        if template:
            payload["template"] = template
            payload["params"] = {name: str(value) for name, value in (params or {}).items()}
        jobs.append(enqueue(SMS, payload, dedupe_key=_channel_key(dedupe_key, "sms")))
    if email:
        payload = {"to": email, "subject": str(subject), "text": text}
        jobs.append(enqueue(EMAIL, payload, dedupe_key=_channel_key(dedupe_key, "email")))
    return [job for job in jobs if job is not None]


@handler(SMS)
def send_sms(payload: dict[str, Any]) -> None:
    """Job handler: payload {"phone": ..., "text": ..., "template"?: ..., "params"?: {...}}; sent once
    per job (see the module's docstring)."""
    phone, text = _required(payload, "phone", "text")
    template = payload.get("template") or ""
    params = payload.get("params") or {}
    if not isinstance(template, str) or not isinstance(params, dict):
        raise PermanentFailure("payload's template must be a string and its params an object")
    backend = get_sms_backend()
    deliver("sms", phone, lambda key: backend.send(phone, text, key=key, template=template, params=params))


@handler(EMAIL)
def send_email(payload: dict[str, Any]) -> None:
    """Job handler: payload {"to": ..., "subject": ..., "text": ...}; the key is the Message-ID."""
    to, subject, text = _required(payload, "to", "subject", "text")

    def send(key: str) -> None:
        message = EmailMessage(subject, text, None, [to], headers={"Message-ID": f"<{key}@{DNS_NAME}>"})
        message.send(fail_silently=False)
        return None

    deliver("email", to, send)


def delivery_key(job: Job, channel: str, target: str) -> str:
    """The idempotency key of ``job``'s message to ``target``: the same on every run of the job, and
    without the address in clear (it reaches gateways' logs). At most 64 URL-safe characters."""
    digest = hashlib.sha256(target.encode()).hexdigest()[:16]
    return f"minyi-{job.pk}-{channel}-{digest}"


def deliver(channel: str, target: str, send: Callable[[str], Mapping[str, Any] | None]) -> None:
    """Hand one message to its gateway through ``send(key)`` once: record the attempt (committed
    before the call), skip it when an earlier run already sent it, record the outcome after, with
    the gateway's answer (what ``send`` returns, or the ``answer`` of the error it raises)."""
    job = current_job()
    if job is None:  # called outside the worker: no job id to key it by, and nothing to repeat
        send(f"minyi-{uuid.uuid4().hex}")
        return
    key = delivery_key(job, channel, target)
    now = timezone.now()
    with transaction.atomic():
        delivery, created = Delivery.objects.select_for_update().get_or_create(
            key=key, defaults={"channel": channel, "job": job, "started_at": now}
        )
        if delivery.outcome == DeliveryOutcome.SENT:
            logger.info("job %s: %s %s was sent already; not sent again", job.pk, channel, key)
            return
        if not created and delivery.finished_at is None:
            logger.warning(
                "job %s: %s %s was started at %s and never finished (the worker stopped?); "
                "sending again under the same key, which the gateway dedupes",
                job.pk,
                channel,
                key,
                delivery.started_at.isoformat(),
            )
        Delivery.objects.filter(pk=delivery.pk).update(
            started_at=now, finished_at=None, outcome="", calls=F("calls") + 1
        )
    try:
        answer = send(key)
    except Exception as error:
        Delivery.objects.filter(pk=delivery.pk).update(
            finished_at=timezone.now(),
            outcome=DeliveryOutcome.FAILED,
            answer=dict(getattr(error, "answer", None) or {}),
        )
        raise
    Delivery.objects.filter(pk=delivery.pk).update(
        finished_at=timezone.now(), outcome=DeliveryOutcome.SENT, answer=dict(answer or {})
    )


def _channel_key(dedupe_key: str | None, channel: str) -> str | None:
    return None if dedupe_key is None else f"{dedupe_key}:{channel}"


def _required(payload: dict[str, Any], *names: str) -> list[str]:
    values = [payload.get(name) for name in names]
    missing = [
        name for name, value in zip(names, values, strict=True) if not isinstance(value, str) or not value
    ]
    if missing:
        raise PermanentFailure(f"payload lacks {', '.join(missing)} (a non-empty string each)")
    return [str(value) for value in values]
