"""The request the current thread is serving, so rules can audit "from where" without a request arg."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    via: str  # "web", "api", "command", "worker"
    token: str = ""  # the API token the request came with ("name (prefix…)"), set by minyi.api.auth


current: ContextVar[RequestContext | None] = ContextVar("minyi_request_context", default=None)
