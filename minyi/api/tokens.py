"""API tokens: created (the key is shown once), listed and revoked by admins (``api.manage_token``),
from ``manage.py api_token`` or ``/api/v1/tokens/``.

A key is 40 URL-safe characters; its first 8 are the public prefix that names the token in lists and
in the audit trail, and only the SHA-256 of the whole key is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minyi.api.access import ApiPerm
from minyi.api.auth import hash_key
from minyi.api.errors import ApiError
from minyi.api.idempotency import idempotent
from minyi.api.models import ApiToken
from minyi.api.schema import IDEMPOTENCY_KEY, errors
from minyi.audit.rules import record
from minyi.org.rules import Actor

PREFIX_LENGTH = 8
NAME_MAX = 100


@dataclass(frozen=True)
class NewToken:
    """A created token and its key (the only time the key exists in clear)."""

    token: ApiToken
    key: str


def _may_manage(actor: Actor) -> bool:
    return actor is None or (actor.is_authenticated and actor.is_active and actor.has_perm(ApiPerm.MANAGE))


def _require_manager(actor: Actor) -> None:
    """Admins only; ``actor=None`` is the command line (whoever runs manage.py is trusted)."""
    if not _may_manage(actor):
        raise PermissionDenied(_("Only administrators may manage API tokens."))


@transaction.atomic
def create_token(*, user: User, name: str, actor: Actor) -> NewToken:
    """A new token acting as ``user``; the returned key is not stored and cannot be shown again."""
    _require_manager(actor)
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("Give the token a name of 1 to %(n)d characters.") % {"n": NAME_MAX}}, code="invalid"
        )
    if not user.is_active:
        raise ValidationError({"user": _("This account is deactivated.")}, code="invalid")
    creator = actor if isinstance(actor, User) else None
    for _attempt in range(5):
        key = secrets.token_urlsafe(30)  # 40 characters, 240 random bits
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    name=name,
                    user=user,
                    prefix=key[:PREFIX_LENGTH],
                    key_hash=hash_key(key),
                    created_by=creator,
                )
            break
        except IntegrityError:  # the same prefix twice: astronomically rare, draw again
            continue
    else:
        raise RuntimeError("could not draw a unique token prefix")
    record("api.token_created", actor=actor, obj=token, detail={"user": user.get_username(), "name": name})
    return NewToken(token=token, key=key)


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    """Refuse the token from now on (kept for the audit trail, never deleted)."""
    _require_manager(actor)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor if isinstance(actor, User) else None
    token.save(update_fields=["revoked_at", "revoked_by"])
    record("api.token_revoked", actor=actor, obj=token, detail={"user": token.user.get_username()})
    return token


def all_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user")


# --- the API ------------------------------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    """A token as listed (never its key)."""

    prefix = serializers.CharField()
    name = serializers.CharField()
    user = serializers.CharField(source="user.username")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class NewTokenSerializer(TokenSerializer):
    key = serializers.CharField(
        allow_null=True, help_text="The key, shown only in this answer (null when a retry is replayed)."
    )


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    user = serializers.CharField(max_length=150, help_text="Username the token acts as.")


class _ManagerOnly(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not request.user.is_authenticated or not _may_manage(request.user):
            raise ApiError(403, "permission_denied", _("Only administrators may manage API tokens."))


class TokenListView(_ManagerOnly):
    """``/api/v1/tokens/``: the tokens (GET) and a new one (POST, the key is in the answer only)."""

    @extend_schema(responses={200: TokenSerializer(many=True), **errors(401, 403)}, summary="List API tokens")
    def get(self, request: Request) -> Response:
        return Response(TokenSerializer(all_tokens(), many=True).data)

    @extend_schema(
        request=TokenCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: NewTokenSerializer, **errors(400, 401, 403, 422)},
        summary="Create an API token",
    )
    def post(self, request: Request) -> Response:
        shown: dict[str, str] = {}

        def create() -> Response:
            data = TokenCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            user = User.objects.filter(username=data.validated_data["user"]).first()
            if user is None:
                raise ApiError(
                    400, "invalid", _("Some fields are not valid."), {"user": [_("No such user.")]}
                )
            new = create_token(user=user, name=data.validated_data["name"], actor=request.user)
            shown["key"] = new.key
            # Stored for replays without the key: the key exists in clear only in this one answer.
            return Response(TokenSerializer(new.token).data, status=status.HTTP_201_CREATED)

        response = idempotent(request, create)
        response.data = {**response.data, "key": shown.get("key")}
        return response


class TokenDetailView(_ManagerOnly):
    """``DELETE /api/v1/tokens/<prefix>/``: revoke a token."""

    @extend_schema(responses={204: None, **errors(401, 403, 404)}, summary="Revoke an API token")
    def delete(self, request: Request, prefix: str) -> Response:
        token = all_tokens().filter(prefix=prefix).first()
        if token is None:
            raise ApiError(404, "not_found", _("No API token has this prefix."))
        revoke_token(token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
