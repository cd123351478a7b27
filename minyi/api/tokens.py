"""API tokens: created (the key is shown once), listed and revoked, from ``manage.py api_token`` or
``/api/v1/tokens/``.

Who may mint a token for whom (docs/security.md): a user for themselves; an administrator
(``api.manage_token``) also for an *integration account* (``IntegrationAccount``, a system rather than
a person) whose rights do not exceed the administrator's own; nobody for a superuser, nobody for
another person's account. ``manage.py`` (``actor=None``) is trusted as an administrator with every
right, so it may serve any account but a superuser. Every request (created, refused, revoked) leaves
an audit row naming the token's owner and its creator.

A key is 40 URL-safe characters; its first 8 are the public prefix that names the token in lists and
in the audit trail, and only the SHA-256 of the whole key is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
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
from minyi.api.models import ApiToken, IntegrationAccount
from minyi.api.schema import IDEMPOTENCY_KEY, errors
from minyi.audit.rules import record
from minyi.errors import Invalid, Refused
from minyi.org.models import Unit
from minyi.org.permissions import EVERYTHING, scope_of
from minyi.org.rules import Actor

PREFIX_LENGTH = 8
NAME_MAX = 100
#: How the audit trail names the creator of a token made from the command line.
COMMAND_LINE = "manage.py"


@dataclass(frozen=True)
class NewToken:
    """A created token and its key (the only time the key exists in clear)."""

    token: ApiToken
    key: str


def may_manage(actor: Actor) -> bool:
    """Whether ``actor`` administers tokens (sees and revokes everyone's); None is the command line."""
    return actor is None or (actor.is_authenticated and actor.is_active and actor.has_perm(ApiPerm.MANAGE))


def is_integration(user: User) -> bool:
    """Whether ``user`` is an integration account (a system, not a person)."""
    return IntegrationAccount.objects.filter(user=user).exists()


def _creator_name(actor: Actor) -> str:
    return actor.get_username() if isinstance(actor, User) else COMMAND_LINE


def _within_rights(owner: User, actor: User) -> bool:
    """Whether everything ``owner`` may do, ``actor`` may do too: each permission, the unit scope,
    and the Django admin site."""
    if owner.is_staff and not actor.is_staff:
        return False
    if not owner.get_all_permissions() <= actor.get_all_permissions():
        return False
    owned, held = scope_of(owner), scope_of(actor)
    if owned is None or held is EVERYTHING:
        return True
    if owned is EVERYTHING or held is None:
        return False
    assert isinstance(owned, Unit) and isinstance(held, Unit)
    return owned.is_within(held)


def _refusal(owner: User, actor: Actor) -> str | None:
    """Why ``actor`` may not mint a token acting as ``owner`` (None: they may)."""
    if owner.is_superuser:
        return _("No API token is ever made for a superuser account.")
    if actor is None:
        return None
    if not (actor.is_authenticated and actor.is_active):
        return _("Only administrators may manage API tokens.")
    if actor.pk == owner.pk:
        return None
    if not may_manage(actor):
        return _("You may create API tokens only for yourself.")
    if not is_integration(owner):
        return _(
            "An administrator may create API tokens only for integration accounts; "
            "anyone else creates their own."
        )
    assert isinstance(actor, User)
    if not _within_rights(owner, actor):
        return _("This integration account has rights you do not hold; its token would exceed yours.")
    return None


def check_may_create(*, user: User, actor: Actor, name: str = "") -> None:
    """Refuse (``Refused``, audited as ``api.token_refused``) a token acting as ``user`` that ``actor``
    may not mint. Call it outside a transaction that a refusal rolls back, or the audit row goes too."""
    reason = _refusal(user, actor)
    if reason is None:
        return
    record(
        "api.token_refused",
        actor=actor,
        obj=user,
        detail={
            "owner": user.get_username(),
            "creator": _creator_name(actor),
            "name": name,
            "reason": reason,
        },
    )
    raise Refused(reason)


def create_token(*, user: User, name: str, actor: Actor) -> NewToken:
    """A new token acting as ``user``; the returned key is not stored and cannot be shown again."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise Invalid({"name": _("Give the token a name of 1 to %(n)d characters.") % {"n": NAME_MAX}})
    if not user.is_active:
        raise Invalid({"user": _("This account is deactivated.")})
    check_may_create(user=user, actor=actor, name=name)
    creator = actor if isinstance(actor, User) else None
    with transaction.atomic():
        for _attempt in range(5):
            key = secrets.token_urlsafe(30)  # 40 characters, 240 random bits
            if key.startswith("-"):  # `manage.py api_token revoke PREFIX` would read it as an option
                continue
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
        record(
            "api.token_created",
            actor=actor,
            obj=token,
            detail={"owner": user.get_username(), "creator": _creator_name(actor), "name": name},
        )
    return NewToken(token=token, key=key)


def may_revoke(token: ApiToken, actor: Actor) -> bool:
    """Administrators revoke any token; anyone revokes their own."""
    return may_manage(actor) or (
        actor is not None and actor.is_authenticated and actor.is_active and actor.pk == token.user_id
    )


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    """Refuse the token from now on (kept for the audit trail, never deleted)."""
    if not may_revoke(token, actor):
        raise Refused(_("You may revoke only your own API tokens."))
    # Only the token's row is locked (PostgreSQL cannot lock the outer join to a null creator).
    token = (
        ApiToken.objects.select_for_update(of=("self",)).select_related("user", "created_by").get(pk=token.pk)
    )
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor if isinstance(actor, User) else None
    token.save(update_fields=["revoked_at", "revoked_by"])
    record(
        "api.token_revoked",
        actor=actor,
        obj=token,
        detail={
            "owner": token.user.get_username(),
            "creator": token.created_by.get_username() if token.created_by else COMMAND_LINE,
            "revoked_by": _creator_name(actor),
        },
    )
    return token


@transaction.atomic
def mark_integration(user: User, *, description: str = "", actor: Actor) -> IntegrationAccount:
    """Make ``user`` an integration account (a system, not a person); never a superuser."""
    if user.is_superuser:
        raise Invalid({"user": _("A superuser account cannot be an integration account.")})
    account, created = IntegrationAccount.objects.get_or_create(
        user=user,
        defaults={"description": description, "created_by": actor if isinstance(actor, User) else None},
    )
    if created:
        record("api.integration_account", actor=actor, obj=user, detail={"account": user.get_username()})
    return account


def all_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user")


def tokens_of(actor: Actor) -> QuerySet[ApiToken]:
    """The tokens ``actor`` may see: all of them for administrators, else their own."""
    if may_manage(actor):
        return all_tokens()
    if actor is None or actor.pk is None:
        return ApiToken.objects.none()
    return all_tokens().filter(user_id=actor.pk)


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


class TokenListView(APIView):
    """``/api/v1/tokens/``: the tokens (GET: all for administrators, else one's own) and a new one
    (POST, the key is in the answer only): for oneself, or by an administrator for an integration
    account."""

    @extend_schema(responses={200: TokenSerializer(many=True), **errors(401)}, summary="List API tokens")
    def get(self, request: Request) -> Response:
        return Response(TokenSerializer(tokens_of(request.user), many=True).data)

    @extend_schema(
        request=TokenCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: NewTokenSerializer, **errors(400, 401, 403, 422)},
        summary="Create an API token",
    )
    def post(self, request: Request) -> Response:
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(username=data.validated_data["user"]).first()
        if user is None:
            raise ApiError(400, "invalid", _("Some fields are not valid."), {"user": [_("No such user.")]})
        # Before the idempotent transaction, so that a refusal's audit row is kept.
        check_may_create(user=user, actor=request.user, name=data.validated_data["name"])
        shown: dict[str, str] = {}

        def create() -> Response:
            new = create_token(user=user, name=data.validated_data["name"], actor=request.user)
            shown["key"] = new.key
            # Stored for replays without the key: the key exists in clear only in this one answer.
            return Response(TokenSerializer(new.token).data, status=status.HTTP_201_CREATED)

        response = idempotent(request, create)
        response.data = {**response.data, "key": shown.get("key")}
        return response


class TokenDetailView(APIView):
    """``DELETE /api/v1/tokens/<prefix>/``: revoke a token (one's own, or any for administrators)."""

    @extend_schema(responses={204: None, **errors(401, 404)}, summary="Revoke an API token")
    def delete(self, request: Request, prefix: str) -> Response:
        token = tokens_of(request.user).filter(prefix=prefix).first()
        if token is None:
            raise ApiError(404, "not_found", _("No API token has this prefix."))
        revoke_token(token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
