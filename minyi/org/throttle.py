"""Login protection: a rising delay per user name and client address, and how it is cleared.

Failures are counted per (user name, client address) together, so an attacker's wrong passwords slow
down only the attacker's own address: the right password from anywhere else still logs in at once.
After ``LOGIN_DELAY_AFTER_FAILURES`` failures in a row the next try from that address waits 2^failures
seconds (at most ``LOGIN_DELAY_MAX``); a try during the wait is refused without looking at the password
and is not counted. The user clears every delay of their user name with a one-time code sent to their
phone or e-mail (``request_unlock_code`` / ``redeem_unlock_code``), an admin with ``clear_delays``.

The guard sits in the authentication backend (``minyi.org.auth.LoginGuardBackend``), so every login
path (the staff login page, the admin site, ``authenticate()`` anywhere) shares it (docs/security.md).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from minyi.audit.rules import record
from minyi.errors import Invalid
from minyi.org.models import LoginThrottle, Person, UnlockCode
from minyi.worker.notify import notify

#: Codes a user may be sent within an hour (more requests get the same answer and send nothing).
CODES_PER_HOUR = 3
#: Wrong tries that spend a code.
WRONG_TRIES_PER_CODE = 5
CODE_DIGITS = 6
_MAX_EXPONENT = 40  # beyond any sensible cap; keeps 2**n small


def now() -> datetime:
    """The current moment (one function, so that tests move the clock instead of sleeping)."""
    return timezone.now()


class LoginDelayed(PermissionDenied):
    """A login try refused because this user name failed too often from this address lately."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"login delayed until {until.isoformat()}")
        self.until = until


def delay_after(failures: int) -> timedelta | None:
    """How long the next try waits after ``failures`` failures in a row (None: it need not wait)."""
    if failures < settings.LOGIN_DELAY_AFTER_FAILURES:
        return None
    cap: timedelta = settings.LOGIN_DELAY_MAX
    return min(timedelta(seconds=2 ** min(failures, _MAX_EXPONENT)), cap)


def _key(username: str, address: str | None) -> dict[str, str]:
    return {"username": username[:150], "address": address or ""}


def delayed_until(username: str, address: str | None) -> datetime | None:
    """Until when a try of ``username`` from ``address`` must wait, or None if it need not."""
    until = LoginThrottle.objects.filter(**_key(username, address)).values_list("retry_at", flat=True).first()
    return until if until is not None and until > now() else None


def attempts_left(username: str, address: str | None) -> int:
    """How many more failures ``address`` may have with ``username`` before its tries must wait."""
    failures = LoginThrottle.objects.filter(**_key(username, address)).values_list("failures", flat=True)
    return max(settings.LOGIN_DELAY_AFTER_FAILURES - (failures.first() or 0), 0)


def check(username: str, address: str | None) -> None:
    """Refuse (LoginDelayed, audited) a try of ``username`` from ``address`` that must still wait."""
    until = delayed_until(username, address)
    if until is not None:
        record(
            "auth.login_delayed", actor=None, detail={"username": username[:150], "until": until.isoformat()}
        )
        raise LoginDelayed(until)


def register_failure(username: str, address: str | None) -> datetime | None:
    """Count a wrong password of ``username`` from ``address``; return until when the next try waits."""
    moment = now()
    # Failures forgotten by now, of every user name: the table holds only the last LOGIN_FAILURES_KEPT.
    LoginThrottle.objects.filter(last_failure_at__lt=moment - settings.LOGIN_FAILURES_KEPT).delete()
    key = _key(username, address)
    for _attempt in range(2):  # two first failures at once: one creates the row, the other retries
        try:
            with transaction.atomic():
                throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
                    **key, defaults={"last_failure_at": moment}
                )
                throttle.failures += 1
                throttle.last_failure_at = moment
                delay = delay_after(throttle.failures)
                throttle.retry_at = moment + delay if delay is not None else None
                throttle.save(update_fields=["failures", "last_failure_at", "retry_at"])
                return throttle.retry_at
        except IntegrityError:
            continue
    return None


def forget_failures(username: str, address: str | None) -> None:
    """The right password from ``address`` forgets that address's failures (not other addresses')."""
    LoginThrottle.objects.filter(**_key(username, address)).delete()


@transaction.atomic
def clear_delays(
    username: str, *, actor: User | AnonymousUser | None, via: str, obj: models.Model | None = None
) -> int:
    """Clear every login delay of ``username`` (all addresses), audited; returns how many were cleared.
    ``via`` says how: "code" (the user's unlock code) or "admin"."""
    cleared, _by_model = LoginThrottle.objects.filter(username=username[:150]).delete()
    record(
        "auth.login_unlocked",
        actor=actor,
        obj=obj,
        detail={"username": username[:150], "how": via, "cleared": cleared},
    )
    return cleared


def _user(username: str) -> User | None:
    return User.objects.filter(username=username[:150], is_active=True).first()


def _hash(user_pk: int, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the table alone does not reveal a six-digit code.
    return salted_hmac("minyi.org.throttle.unlock", f"{user_pk}:{code}", algorithm="sha256").hexdigest()


def request_unlock_code(username: str) -> bool:
    """Send a new unlock code to the phone and e-mail of ``username`` when the account exists, is
    active, has either, and has not had ``CODES_PER_HOUR`` codes within the hour. The page answers the
    same whatever this returns (so it reveals no account)."""
    user = _user(username)
    if user is None:
        return False
    person = Person.objects.filter(user=user, is_active=True).first()
    phone = person.phone if person is not None else ""
    email = (person.email if person is not None else "") or getattr(user, "email", "")
    if not phone and not email:
        record("auth.unlock_code_undeliverable", actor=None, detail={"username": username[:150]})
        return False
    moment = now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one code request per user at a time
        codes = UnlockCode.objects.filter(user=user)
        if codes.filter(created_at__gt=moment - timedelta(hours=1)).count() >= CODES_PER_HOUR:
            record("auth.unlock_code_refused", actor=None, detail={"username": username[:150]})
            return False
        codes.filter(used_at=None).update(used_at=moment)  # only the newest code works
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        valid: timedelta = settings.LOGIN_UNLOCK_CODE_VALID
        UnlockCode.objects.create(
            user=user, code_hash=_hash(user.pk, code), created_at=moment, expires_at=moment + valid
        )
        minutes = int(valid.total_seconds() // 60)
        notify(
            phone=phone or None,
            email=email or None,
            subject=_("Minyi: your login unlock code"),
            text=_(
                "Your Minyi unlock code is %(code)s (valid for %(minutes)d minutes). It clears the waiting "
                "time after failed logins. If you did not ask for it, ignore this message and tell your "
                "administrator."
            )
            % {"code": code, "minutes": minutes},
            template="unlock_code",
            params={"code": code, "minutes": minutes},
        )
        record(
            "auth.unlock_code_sent",
            actor=None,
            detail={"username": username[:150], "sms": bool(phone), "email": bool(email)},
        )
    return True


def redeem_unlock_code(username: str, code: str) -> None:
    """Clear every login delay of ``username`` with its newest unexpired, unused unlock code; refuse
    (Invalid, the same message whatever was wrong) otherwise. Each wrong try counts against the code."""
    if not _redeem(username, code.strip()):
        raise Invalid(_("The code is wrong or has expired. Ask for a new one."), code="unlock_code")


def _redeem(username: str, code: str) -> bool:
    user = _user(username)
    if user is None:
        return False
    moment = now()
    with transaction.atomic():
        newest = (
            UnlockCode.objects.select_for_update()
            .filter(user=user, used_at=None, expires_at__gt=moment)
            .order_by("-created_at")
            .first()
        )
        if newest is None:
            return False
        if not constant_time_compare(newest.code_hash, _hash(user.pk, code)):
            newest.wrong_tries += 1
            if newest.wrong_tries >= WRONG_TRIES_PER_CODE:
                newest.used_at = moment
            newest.save(update_fields=["wrong_tries", "used_at"])
            record("auth.unlock_code_wrong", actor=None, detail={"username": username[:150]})
            return False
        newest.used_at = moment
        newest.save(update_fields=["used_at"])
        clear_delays(username, actor=user, via="code")
    return True
