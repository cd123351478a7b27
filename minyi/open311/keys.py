"""API keys of Open311 client systems: made once, shown once, stored as a hash, revoked by prefix."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from minyi.audit.rules import record
from minyi.open311.models import Open311Key

PREFIX_BYTES = 4  # 8 hex characters: enough to tell keys apart in a list, too few to guess a key


def _digest(raw: str) -> str:
    # The secret part has 192 random bits, so a fast hash is as strong as a slow one here, and a POST
    # stays cheap.
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_key(name: str) -> tuple[Open311Key, str]:
    """A new key for the client system ``name``; the clear key is returned here and never again."""
    name = name.strip()
    if not name:
        raise ValueError("a key needs a name")
    for _attempt in range(5):
        prefix = secrets.token_hex(PREFIX_BYTES)
        raw = f"{prefix}.{secrets.token_urlsafe(24)}"
        try:
            with transaction.atomic():
                key = Open311Key.objects.create(name=name[:100], prefix=prefix, key_hash=_digest(raw))
        except IntegrityError:  # the same prefix twice: draw again
            continue
        record("open311.key_created", actor=None, obj=key, detail={"name": key.name})
        return key, raw
    raise RuntimeError("could not draw a free key prefix")


def authenticate(raw: str) -> Open311Key | None:
    """The live key matching ``raw`` (None for a missing, unknown or revoked key)."""
    prefix, sep, _secret = raw.strip().partition(".")
    if not sep or not prefix:
        return None
    key = Open311Key.objects.filter(prefix=prefix).first()
    stored = key.key_hash if key is not None else "0" * 64
    matches = hmac.compare_digest(_digest(raw.strip()), stored)  # the same work for an unknown prefix
    if key is None or not matches or key.revoked_at is not None:
        return None
    return key


@transaction.atomic
def revoke_key(prefix: str) -> Open311Key:
    """Revoke the key with this prefix (Open311Key.DoesNotExist if there is none); idempotent."""
    key = Open311Key.objects.select_for_update().get(prefix=prefix.strip())
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record("open311.key_revoked", actor=None, obj=key, detail={"name": key.name})
    return key
