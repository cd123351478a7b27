"""What the management commands share: a period given as --campaign CODE or --from/--to dates, and
looking a record up by its code with one clear error."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any, TypeVar

from django.core.management.base import CommandError
from django.db import models

M = TypeVar("M", bound=models.Model)


def iso_date(text: str) -> date:
    """An argparse type: a date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_period_arguments(parser: argparse.ArgumentParser, *, dates: bool = True) -> None:
    """--campaign CODE (its dates are the period unless dates are given) and, with ``dates``, --from/--to."""
    parser.add_argument("--campaign", metavar="CODE", help="a campaign's code: its dates are the period")
    if dates:
        parser.add_argument("--from", dest="date_from", type=iso_date, metavar="DATE", help="first day")
        parser.add_argument("--to", dest="date_to", type=iso_date, metavar="DATE", help="last day")


def by_code(model: type[M], code: str | None, what: str) -> M | None:
    """The ``model`` row with this code (None when no code is given); a CommandError naming ``what``
    when there is none."""
    if not code:
        return None
    found: Any = model._default_manager.filter(code=code).first()
    if found is None:
        raise CommandError(f"No {what} found: no {what} has the code {code}.")
    return found
