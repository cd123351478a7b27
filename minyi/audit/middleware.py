"""Remembers the client address of each request for the audit trail."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from minyi.audit.context import RequestContext, current

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_ip(request: HttpRequest) -> str | None:
    """The client address, the one every rate limit, login delay and audit row uses.

    REMOTE_ADDR, unless it is one of ``settings.TRUSTED_PROXIES``: then X-Forwarded-For is read from
    the right (each trusted proxy appends the address it received the request from), trusted proxies
    are skipped and the first hop that is not one is the client. Whatever a client writes into the
    header itself lies further left and is never reached, so rotating it changes nothing.
    """
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    if not _trusted(remote):
        return str(remote)
    nearest = remote  # the hop closest to the client seen so far that is a trusted proxy
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse(hop)
        if address is None:
            break  # a trusted proxy writes only addresses: what is not one comes from the client
        if not _trusted(address):
            return str(address)
        nearest = address
    return str(nearest)


def sent_by_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the request came straight from one of ``settings.TRUSTED_PROXIES`` (so the headers the
    proxy sets, such as X-Request-ID, are its own and not the client's)."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    return remote is not None and _trusted(remote)


def _parse(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1 (dual-stack sockets)
    return address


def _trusted(address: IPAddress) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


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
