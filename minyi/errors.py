"""One family of refusals for the rules, the pages and the API.

A rule refuses by raising one of these. Each carries the HTTP status and the stable code that pages
and the API answer with (minyi/api/errors.py writes it as the JSON error), and its message in the
user's language. They still are Django's ValidationError / PermissionDenied, so forms, the admin and
every ``except ValidationError`` keep working; a plain ValidationError counts as ``Invalid`` and a
plain PermissionDenied as ``Refused``.

==================  ======  ====================  ==========================================
class               status  code                  when
==================  ======  ====================  ==========================================
Invalid             400     invalid (or precise)  the input is wrong or missing
Refused             403     permission_denied     this actor may not do this (role, unit)
IllegalTransition   409     illegal (or precise)  not in the state the record is in now
VersionConflict     409     conflict              someone else changed the record first
==================  ======  ====================  ==========================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

#: What the pages say above a form whose fields carry the errors.
CORRECT_BELOW = gettext_lazy("Please correct the errors below.")
NOT_ALLOWED = gettext_lazy("You may not do this.")


class Invalid(ValidationError):
    """Bad input: the message says what to fix (a dict of messages puts each at its field)."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "invalid"

    def __init__(self, message: Any, code: str | None = None, params: Any = None) -> None:
        super().__init__(message, code or self.default_code, params)
        # Django keeps a code only for a single message; field errors carry the family's too.
        self.code = code or self.default_code


class IllegalTransition(Invalid):
    """The record is not in a state that allows this (e.g. accepting an assignment twice)."""

    status = 409
    default_code = "illegal"


class VersionConflict(Invalid):
    """Someone else changed the record since the user read it; each kind of record has a subclass
    with its one message (``default_message``)."""

    status = 409
    default_code = "conflict"
    default_message: ClassVar[Promise]

    def __init__(self, message: Any = None, code: str | None = None, params: Any = None) -> None:
        super().__init__(message or self.default_message, code, params)

    @classmethod
    def check(cls, seen: int | None, current: int) -> None:
        """Refuse the version the user saw when it is no longer ``current`` (None: not checked)."""
        if seen is not None and seen != current:
            raise cls()


class Refused(PermissionDenied):
    """This actor may not do this (their role, their unit); the message says who may."""

    status: ClassVar[int] = 403
    default_code: ClassVar[str] = "permission_denied"

    def __init__(self, message: Any = None, code: str | None = None) -> None:
        super().__init__(message or NOT_ALLOWED)
        self.code = code or self.default_code


Refusal = ValidationError | PermissionDenied


def status_of(refusal: Refusal) -> int:
    """The HTTP status a page or the API answers ``refusal`` with."""
    default = 403 if isinstance(refusal, PermissionDenied) else 400
    return int(getattr(refusal, "status", default))


def code_of(refusal: Refusal) -> str:
    """The stable code of ``refusal`` (for scripts and for pages that treat a conflict apart)."""
    default = "permission_denied" if isinstance(refusal, PermissionDenied) else "invalid"
    return str(getattr(refusal, "code", None) or default)


def messages_of(refusal: Refusal) -> list[str]:
    """Every message of ``refusal``, in the user's language."""
    if isinstance(refusal, PermissionDenied):
        return [str(refusal) or str(NOT_ALLOWED)]
    return [str(message) for message in refusal.messages]


def fields_of(refusal: Refusal) -> dict[str, list[str]]:
    """The messages of ``refusal`` by field ({} when it is about no field)."""
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in refusal.message_dict.items()}
    return {}


def shown_on(form: forms.Form, refusal: Refusal) -> list[str]:
    """What a page says at its top for ``refusal`` of ``form``'s action: field errors go to their
    fields (those the form lacks to its top) under one line pointing at them; else the messages."""
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        for name, problems in refusal.error_dict.items():
            form.add_error(name if name in form.fields else None, problems)
        return [str(CORRECT_BELOW)]
    return messages_of(refusal)


def passes(check: Callable[..., object], *args: Any) -> bool:
    """Whether a rule's guard lets ``args`` through: how pages ask, without the row lock, whether to
    offer an action (the rule asks again on the locked row)."""
    try:
        check(*args)
    except (ValidationError, PermissionDenied):
        return False
    return True
