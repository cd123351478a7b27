"""The API's own tables: tokens for staff scripts and integration clients, and the stored answers of
POSTs sent with an Idempotency-Key (so a retry gets the first answer instead of a second record)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token acting as ``user`` (whose role and unit decide what it may do). Only the SHA-256
    of the key is stored; the key itself is shown once, when the token is created."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    prefix = models.CharField(_("key prefix"), max_length=8, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        permissions = [("manage_token", _("Can create, list and revoke API tokens"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IntegrationAccount(models.Model):
    """A login that is not a person but a system (the 12345 platform, a mini-program, a data sync):
    the only kind of account an administrator may mint API tokens for (minyi/api/tokens.py). Its role
    and unit (its Person record) decide what it may do, and those rights must stay within the admin's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        related_name="integration_account",
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("integration account")
        verbose_name_plural = _("integration accounts")

    def __str__(self) -> str:
        return str(self.user)


class IdempotentResponse(models.Model):
    """The first answer to a client's POST with an Idempotency-Key, bound to the request's method, path
    and body: the key replays only that request (minyi/api/idempotency.py)."""

    client = models.CharField(max_length=150)
    key = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    # Every stored answer so far was a POST (the module serves only POSTs), hence the default.
    method = models.CharField(max_length=10, default="POST")
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_unique")]

    def __str__(self) -> str:
        return self.key
