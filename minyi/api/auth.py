"""Token authentication of the REST API: ``Authorization: Bearer <key>`` (or ``Token <key>``).

The key is looked up by its SHA-256 (only the hash is stored); an unknown or revoked key, or a key
whose user is deactivated, is refused with 401. Every request made with a token is audited as the
token's user (``api.request``), and every audit row written while serving it names the token, so the
audit trail tells a person at the browser from a script acting as them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from minyi.api.models import ApiToken
from minyi.audit.context import RequestContext, current
from minyi.audit.rules import record

KEYWORDS = ("bearer", "token")
#: ``last_used_at`` is written at most this often per token (one UPDATE a minute, not one a request).
TOUCH_EVERY = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def find(key: str) -> ApiToken | None:
    """The token with this key (revoked or not), with its user; None for an unknown key."""
    if not key or len(key) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()


def touch(token: ApiToken) -> None:
    """Remember when the token was last used (one conditional UPDATE, at most once a minute)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    ).update(last_used_at=now)
    token.last_used_at = now


class TokenAuthentication(BaseAuthentication):
    """Authenticates ``Authorization: Bearer <key>``; requests without that header go on to the next
    authentication class (the site's session)."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as “Authorization: Bearer <key>”."), code="authentication_failed"
            )
        token = find(parts[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This API key is not valid."), code="authentication_failed"
            )
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."), code="token_revoked")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The account of this API key is deactivated."), code="authentication_failed"
            )
        touch(token)
        context = current.get() or RequestContext(ip=None, via="api")
        # Reset by AuditContextMiddleware at the end of the request, with the value it set.
        current.set(dataclasses.replace(context, via="api", token=str(token)))
        record(
            "api.request",
            actor=token.user,
            obj=token,
            detail={"method": request.method, "path": request.path[:300]},
        )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
