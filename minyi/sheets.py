"""What an Excel export is, for the apps that declare them: a ``Sheet`` (a title, Chinese headers, rows
read once, their count) made by an exporter ``func(user, params)`` registered under a name with
``@exporter(name)``, and the cells and parameter helpers every exporter shares.

Each app keeps its exporters in its own ``exports.py``; minyi.reports finds them at start-up and does
the rest (asking, auditing, writing now or in the worker, downloads: minyi/reports/exports.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minyi.org.permissions import OrgPerm, can

AnyUser = User | AnonymousUser


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: Iterable[list[Any]]
    total: int
    #: Personal data shown unmasked in the rows (audited when the export is asked for).
    personal_fields: tuple[str, ...] = ()


Exporter = Callable[[AnyUser, dict[str, str]], Sheet]
_exporters: dict[str, Exporter] = {}


def exporter(name: str) -> Callable[[Exporter], Exporter]:
    """Register the decorated ``func(user, params) -> Sheet`` as the export ``name``."""

    def register(func: Exporter) -> Exporter:
        _exporters[name] = func
        return func

    return register


def exporter_named(name: str) -> Exporter | None:
    """The exporter registered as ``name``, if any."""
    return _exporters.get(name)


# --- the page's parameters and the cells ----------------------------------------------------------------


def reveal_personal(user: AnyUser, params: dict[str, str]) -> bool:
    """Personal data in full only for those allowed who asked for it (``personal=1``); masked otherwise."""
    return params.get("personal") == "1" and can(user, OrgPerm.VIEW_PERSONAL_DATA)


def picked(params: dict[str, str], names: Iterable[str]) -> dict[str, str]:
    """The parameters of ``names`` that have a value (to bind a page's filter form as the page does)."""
    return {key: params[key] for key in names if params.get(key)}


def form_errors(form: Any) -> ValidationError:
    """A filter form's errors as one ValidationError, each message after its field's label."""
    return ValidationError(
        [f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
         for name, messages in form.errors.items() for message in messages]
    )  # fmt: skip


def yes_cell(flag: bool) -> str:
    return str(_("Yes")) if flag else ""
