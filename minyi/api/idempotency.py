"""Idempotency-Key for every API POST that creates something.

``idempotent(request, create)`` runs ``create()`` (which returns a Response) unless the client already
sent this key: then the stored first answer is returned again (same status and body, header
``Idempotent-Replayed: true``) when the request is the same, and 422 ``idempotency_key_reused`` when it
is not. A stored key is bound to its client (the token, else the user, else the address), so clients
never see each other's answers, and to its target (method and path) and body, so the same key sent to
another appeal or step is refused and does nothing there, instead of replaying the first answer.
The answer is stored in the same transaction as what ``create()`` wrote, so a crash leaves either
both or neither; of two concurrent requests with one key, the unique constraint lets one win and the
other replays it.
Appeal submission keeps its own record (minyi.appeals.api), which predates this module: a key this
client used there is refused here too (it names another request).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from minyi.api.errors import ApiError
from minyi.api.models import IdempotentResponse
from minyi.appeals.models import IdempotencyRecord
from minyi.audit.middleware import client_ip

HEADER = "Idempotency-Key"
KEY_MAX = 200


def body_hash(data: Any) -> str:
    """SHA-256 of the body as canonical JSON (keys sorted), so key order does not matter."""
    plain = data.dict() if hasattr(data, "dict") and not isinstance(data, dict) else data
    canonical = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def client_of(request: Request) -> str:
    token = getattr(request, "auth", None)
    if token is not None and getattr(token, "pk", None) is not None:
        return f"token:{token.pk}"
    user = request.user
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anon:{client_ip(request._request) or 'unknown'}"


def key_of(request: Request) -> str | None:
    if HEADER not in request.headers:
        return None
    key = request.headers[HEADER].strip()
    if not key or len(key) > KEY_MAX:
        raise ApiError(
            400,
            "idempotency_key_invalid",
            _("The Idempotency-Key header must hold 1 to %(n)d characters.") % {"n": KEY_MAX},
        )
    return key


def _reused(method: str, path: str) -> ApiError:
    return ApiError(
        422,
        "idempotency_key_reused",
        _(
            "This Idempotency-Key was already used for another request (%(method)s %(path)s); "
            "use a new key for each request."
        )
        % {"method": method, "path": path},
    )


def _used_for_submission(request: Request, client: str, key: str) -> bool:
    """Whether this client sent ``key`` with an appeal submission (which keys the client by its user,
    not its token)."""
    user = request.user
    clients = {client, f"user:{user.pk}" if user is not None and user.is_authenticated else client}
    return IdempotencyRecord.objects.filter(client__in=clients, key=key).exists()


def _replay(earlier: IdempotentResponse, request: Request, digest: str) -> Response:
    if (earlier.method, earlier.path) != (request.method, _path(request)):
        raise _reused(earlier.method, earlier.path)
    if earlier.body_hash != digest:
        raise ApiError(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request; use a new key."),
        )
    return Response(earlier.body, status=earlier.status, headers={"Idempotent-Replayed": "true"})


def _path(request: Request) -> str:
    return request.path[:300]


def idempotent(request: Request, create: Callable[[], Response]) -> Response:
    key = key_of(request)
    if key is None:
        return create()
    client, digest = client_of(request), body_hash(request.data)
    earlier = IdempotentResponse.objects.filter(client=client, key=key).first()
    if earlier is not None:
        return _replay(earlier, request, digest)
    if _used_for_submission(request, client, key):
        raise _reused("POST", reverse("api:appeal-submit"))
    try:
        with transaction.atomic():
            response = create()
            if 200 <= response.status_code < 300:
                IdempotentResponse.objects.create(
                    client=client,
                    key=key,
                    body_hash=digest,
                    method=request.method or "",
                    path=_path(request),
                    status=response.status_code,
                    body=response.data,
                )
    except IntegrityError:
        earlier = IdempotentResponse.objects.filter(client=client, key=key).first()
        if earlier is None:
            raise
        return _replay(earlier, request, digest)
    return response
