"""``manage.py workdays seed [--years 2025 2026]`` and ``manage.py workdays check [--strict]``."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minyi.workdays import rules


class Command(BaseCommand):
    help = "The working-day calendar: seed it from chinesecalendar, or check that no year in use is missing."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{seed,check}")
        seed = actions.add_parser(
            "seed",
            help="load holidays and make-up working days from chinesecalendar (years entered by an "
            "administrator are kept)",
        )
        seed.add_argument(
            "--years",
            type=int,
            nargs="+",
            metavar="YEAR",
            help="only these years (default: every year it knows)",
        )
        check = actions.add_parser(
            "check", help="print a warning when a year in use has no confirmed holidays"
        )
        check.add_argument("--strict", action="store_true", help="exit with status 1 when there is a warning")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed":
            self._seed(options["years"])
        else:
            self._check(strict=options["strict"])

    def _seed(self, years: list[int] | None) -> None:
        seeded = rules.seed_from_library(years)
        if seeded:
            self.stdout.write(self.style.SUCCESS(f"Seeded from chinesecalendar: {_span(seeded)}"))
        skipped = sorted(set(years or []) - set(seeded))
        if skipped:
            self.stdout.write(
                self.style.WARNING(
                    "Not seeded (entered by an administrator, or unknown to chinesecalendar): "
                    + _span(skipped)
                )
            )
        elif not seeded:
            self.stdout.write(self.style.WARNING("Nothing seeded: chinesecalendar knows no year."))

    def _check(self, *, strict: bool) -> None:
        warning = rules.calendar_warning()
        if warning is None:
            self.stdout.write(self.style.SUCCESS("The working-day calendar knows every year in use."))
            return
        self.stdout.write(self.style.WARNING(warning))
        if strict:
            raise CommandError("the working-day calendar is incomplete (see the warning above)", returncode=1)


def _span(years: list[int]) -> str:
    """2004–2026, or the years one by one when they are not consecutive."""
    if len(years) > 2 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))
