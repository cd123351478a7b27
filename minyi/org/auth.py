"""Logins: one guard for every login path, and the forms that say why a login was refused.

``LoginGuardBackend`` (settings.AUTHENTICATION_BACKENDS) checks the login delay of minyi/org/throttle.py
before any password and counts each wrong one, so the staff login page, the admin site and any other
caller of ``authenticate()`` share one protection. The forms only phrase its answer for the user.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from asgiref.sync import sync_to_async
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minyi.audit.middleware import client_ip
from minyi.audit.rules import record
from minyi.org import throttle


class LoginGuardBackend(ModelBackend):
    """Django's ModelBackend behind the login delay: refuses a try that must wait (without checking
    its password), counts a wrong password per user name and client address, and forgets that
    address's failures on the right one."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        address = client_ip(request) if request is not None else None
        throttle.check(username, address)  # LoginDelayed: authenticate() stops and answers None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.register_failure(username, address)
            known = User.objects.filter(username=username).exists()
            record("auth.login_failed", actor=None, detail={"username": username[:150], "known": known})
        else:
            throttle.forget_failures(username, address)
        return user

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        # ModelBackend's own async version checks the password by itself: route it through the guard.
        return await sync_to_async(self.authenticate)(request, username=username, password=password, **kwargs)


def wait_message(until: datetime) -> str:
    """When to try again, as the user reads it: the local time and how long from now."""
    seconds = max(1, math.ceil((until - throttle.now()).total_seconds()))
    if seconds < 60:
        wait = ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    else:
        minutes = math.ceil(seconds / 60)
        wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return _(
        "Try again after %(time)s (in %(wait)s), or unlock with a code sent to your phone or e-mail."
    ) % {
        "time": f"{timezone.localtime(until):%H:%M:%S}",
        "wait": wait,
    }


class LoginForm(AuthenticationForm):
    """Django's login form, saying how many tries are left or until when to wait."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_ip(self.request) if self.request is not None else None
        if username and self.cleaned_data.get("password"):
            try:
                throttle.check(username, address)
            except throttle.LoginDelayed as delayed:
                raise forms.ValidationError(
                    _("Too many failed logins with this user name from your address.")
                    + " "
                    + wait_message(delayed.until),
                    code="delayed",
                ) from None
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if username and self.user_cache is None and error.code == "invalid_login":
                raise self._wrong_password(username, address) from None
            raise
        record("auth.login", actor=self.get_user())
        return cleaned

    def _wrong_password(self, username: str, address: str | None) -> forms.ValidationError:
        until = throttle.delayed_until(username, address)
        if until is not None:
            return forms.ValidationError(
                _("Wrong user name or password.") + " " + wait_message(until), code="delayed"
            )
        left = throttle.attempts_left(username, address)
        return forms.ValidationError(
            ngettext(
                "Wrong user name or password. %(n)d more try before the next one has to wait.",
                "Wrong user name or password. %(n)d more tries before the next one has to wait.",
                left,
            )
            % {"n": left},
            code="invalid_login",
        )


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin site's login form (staff only), with the same messages (minyi/org/admin.py sets it)."""
