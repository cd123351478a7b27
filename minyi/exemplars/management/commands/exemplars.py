"""``manage.py exemplars summary [--campaign CODE] [--from DATE] [--to DATE] [--json]`` prints the
role-model figures (the same function as the summary page and the bulletin)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from minyi.exemplars.rules import summary
from minyi.ledger.models import Campaign


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


class Command(BaseCommand):
    help = "Role-model figures: the library by level, materials, showings and audience, activities linked."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("summary", help="the role-model figures of a campaign or period")
        show.add_argument("--campaign", help="campaign code (its dates are the period unless given)")
        show.add_argument("--from", dest="date_from", type=_date, help="first day, YYYY-MM-DD")
        show.add_argument("--to", dest="date_to", type=_date, help="last day, YYYY-MM-DD")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = None
        if options["campaign"]:
            campaign = Campaign.objects.filter(code=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"no campaign has the code {options['campaign']!r}")
        try:
            figures = summary(campaign, options["date_from"], options["date_to"])
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key}: {value}")
