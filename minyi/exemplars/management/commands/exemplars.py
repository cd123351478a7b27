"""``manage.py exemplars summary [--campaign CODE] [--from DATE] [--to DATE] [--json]`` prints the
role-model figures (the same function as the summary page and the bulletin)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from minyi.commands import add_period_arguments, by_code
from minyi.exemplars.rules import summary
from minyi.ledger.models import Campaign


class Command(BaseCommand):
    help = "Role-model figures: the library by level, materials, showings and audience, activities linked."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("summary", help="the role-model figures of a campaign or period")
        add_period_arguments(show)
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = by_code(Campaign, options["campaign"], "campaign")
        try:
            figures = summary(campaign, options["date_from"], options["date_to"])
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key}: {value}")
