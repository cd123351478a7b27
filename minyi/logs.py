"""Request ids and the production log format (docs/deploy.md, "Logs").

Every request gets an id: the ``X-Request-ID`` a trusted proxy (``TRUSTED_PROXIES``) sent, else a new
one; it is returned in the response's ``X-Request-ID`` header, stored on each outbox job the request
creates (``Job.request_id``) and set again while the worker runs that job, so one id follows a citizen's
submission from the web process to the SMS the worker sends. ``RequestIdFilter`` puts it on every log
record; ``JsonFormatter`` writes one JSON object per line. Log messages name records by id and number,
never by a person's name, phone or text (the formatter writes only the message and fixed fields, never
the request itself).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
#: What a proxy's id may look like; anything else (too long, odd characters) is replaced by our own.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_id: ContextVar[str] = ContextVar("minyi_request_id", default="")


def new_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def using(value: str) -> Iterator[None]:
    """Log (and enqueue jobs) under ``value`` while inside: the worker, around each job it runs."""
    token = request_id.set(value)
    try:
        yield
    finally:
        request_id.reset(token)


class RequestIdMiddleware:
    """Give each request its id (first in MIDDLEWARE, so every later log line carries it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = _from_proxy(request) or new_id()
        request.request_id = value  # type: ignore[attr-defined]
        with using(value):
            response = self.get_response(request)
        response[HEADER] = value
        return response


def _from_proxy(request: HttpRequest) -> str:
    """The proxy's id, only from a trusted proxy: a client could otherwise pick ids that mix its
    requests into someone else's trail."""
    sent = request.headers.get(HEADER, "").strip()
    if not sent or not _VALID.match(sent):
        return ""
    from minyi.audit.middleware import sent_by_trusted_proxy  # settings-dependent: import late

    return sent if sent_by_trusted_proxy(request) else ""


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (empty outside a request or a job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and the
    exception's traceback when there is one. Only these fields: never the request's data."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id.get(),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
