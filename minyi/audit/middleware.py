"""Remembers the client address of each request for the audit trail."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from minyi.audit.context import RequestContext, current


def client_ip(request: HttpRequest) -> str | None:
    """The client address; behind the load balancer, the last hop it appended to X-Forwarded-For."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        token = current.set(RequestContext(ip=client_ip(request), via=via))
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
