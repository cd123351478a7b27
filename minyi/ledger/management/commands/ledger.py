"""``manage.py ledger summary [--campaign CODE] [--unit CODE] --json``: the ledger's summary line."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minyi.ledger.models import Campaign
from minyi.ledger.rules import summary, summary_json
from minyi.org.models import Unit


class Command(BaseCommand):
    help = "Ledger figures per track: total, closed, open, overdue, converted to long-term."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("summary", help="the summary per track")
        show.add_argument("--campaign", metavar="CODE")
        show.add_argument("--unit", metavar="CODE")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = unit = None
        if options["campaign"]:
            campaign = Campaign.objects.filter(code=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"no campaign with code {options['campaign']!r}")
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit with code {options['unit']!r}")
        figures = summary(campaign=campaign, unit=unit)
        if options["json"]:
            self.stdout.write(json.dumps(summary_json(figures), ensure_ascii=False))
            return
        for f in figures:
            self.stdout.write(
                f"{f.track}: {f.total} in all, {f.closed} closed, {f.open} open ({f.overdue} overdue), "
                f"{f.converted_to_long_term} became long-term"
            )
