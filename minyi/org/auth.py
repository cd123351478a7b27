"""Staff login with lockout after repeated failures (counted per user name, audited)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minyi.audit.rules import record
from minyi.org.models import LoginThrottle


def locked_until(username: str) -> datetime | None:
    """When the lock on ``username`` ends, or None if it is not locked."""
    throttle = LoginThrottle.objects.filter(username=username).first()
    if throttle and throttle.locked_until and throttle.locked_until > timezone.now():
        return throttle.locked_until
    return None


@transaction.atomic
def register_failure(username: str) -> int:
    """Count a failed login; return how many attempts remain before the lock (0: now locked)."""
    now = timezone.now()
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
        username=username, defaults={"window_started_at": now}
    )
    if throttle.window_started_at < now - window:
        throttle.failures, throttle.window_started_at, throttle.locked_until = 0, now, None
    throttle.failures += 1
    remaining = max(settings.LOGIN_LOCKOUT_FAILURES - throttle.failures, 0)
    if remaining == 0:
        throttle.locked_until = now + window
    throttle.save()
    return remaining


def clear_failures(username: str) -> None:
    """A successful login forgets earlier failures."""
    LoginThrottle.objects.filter(username=username).delete()


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing locked user names and counting each failure."""

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip()
        if username:
            until = locked_until(username)
            if until is not None:
                record("auth.login_locked", actor=None, detail={"username": username})
                minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
                raise forms.ValidationError(
                    ngettext(
                        "Too many failed attempts: this account is locked. Try again in %(n)d minute.",
                        "Too many failed attempts: this account is locked. Try again in %(n)d minutes.",
                        minutes,
                    )
                    % {"n": minutes},
                    code="locked",
                )
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if username and error.code == "invalid_login":
                remaining = register_failure(username)
                known = get_user_model().objects.filter(username=username).exists()
                record("auth.login_failed", actor=None, detail={"username": username, "known": known})
                if remaining == 0:
                    raise forms.ValidationError(
                        _("Wrong user name or password. The account is now locked for %(n)d minutes.")
                        % {"n": settings.LOGIN_LOCKOUT_MINUTES},
                        code="locked",
                    ) from None
                raise forms.ValidationError(
                    ngettext(
                        "Wrong user name or password. %(n)d attempt left before the account is locked.",
                        "Wrong user name or password. %(n)d attempts left before the account is locked.",
                        remaining,
                    )
                    % {"n": remaining},
                    code="invalid_login",
                ) from None
            raise
        clear_failures(username)
        record("auth.login", actor=self.get_user())
        return cleaned
