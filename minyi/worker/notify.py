"""Notifications to people: SMS and e-mail, delivered by the worker from the outbox.

Callers use ``notify(...)`` inside the transaction of the change that causes the message. The SMS
gateway is pluggable: ``settings.MINYI_SMS_BACKEND`` names a ``SmsBackend`` subclass (default: the
file backend, which appends JSON lines a gateway or a person can pick up — deployments on offline
networks often hand messages over exactly that way). E-mail goes through Django's ``send_mail`` and
so through ``settings.EMAIL_BACKEND``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from minyi.worker.models import Job
from minyi.worker.rules import PermanentFailure, enqueue, handler

DEFAULT_SMS_BACKEND = "minyi.worker.notify.FileSmsBackend"
SMS = "notify.sms"
EMAIL = "notify.email"


class SmsBackend:
    """Sends one text message; raise to have the worker retry it later."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class FileSmsBackend(SmsBackend):
    """Appends one JSON line per message to ``settings.MINYI_SMS_FILE`` (default var/sms-outbox.jsonl)."""

    def path(self) -> Path:
        default = Path(settings.BASE_DIR) / "var" / "sms-outbox.jsonl"
        return Path(getattr(settings, "MINYI_SMS_FILE", default))

    def send(self, phone: str, text: str) -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False
        )
        # One write() of one line to a file opened for appending: lines of several worker processes
        # never interleave. fsync, because after this the job is marked done and never sent again.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)


class ConsoleSmsBackend(SmsBackend):
    """Prints each message (for development)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, phone: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {phone}: {text}\n")
        stream.flush()


def get_sms_backend() -> SmsBackend:
    """The SMS backend named by ``settings.MINYI_SMS_BACKEND`` (read at each call)."""
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
) -> list[Job]:
    """Queue an SMS to ``phone`` and/or an e-mail to ``email`` (the SMS carries only ``text``); call
    inside the transaction of the change. Returns the jobs created (none without an address, or
    when ``dedupe_key`` was used before)."""
    text = str(text)  # a lazy translation becomes the text of the caller's language now
    jobs: list[Job | None] = []
    if phone:
        jobs.append(enqueue(SMS, {"phone": phone, "text": text}, dedupe_key=_channel_key(dedupe_key, "sms")))
    if email:
        payload = {"to": email, "subject": str(subject), "text": text}
        jobs.append(enqueue(EMAIL, payload, dedupe_key=_channel_key(dedupe_key, "email")))
    return [job for job in jobs if job is not None]


@handler(SMS)
def send_sms(payload: dict[str, Any]) -> None:
    """Job handler: payload {"phone": ..., "text": ...}."""
    phone, text = _required(payload, "phone", "text")
    get_sms_backend().send(phone, text)


@handler(EMAIL)
def send_email(payload: dict[str, Any]) -> None:
    """Job handler: payload {"to": ..., "subject": ..., "text": ...}."""
    to, subject, text = _required(payload, "to", "subject", "text")
    send_mail(subject, text, None, [to], fail_silently=False)


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
