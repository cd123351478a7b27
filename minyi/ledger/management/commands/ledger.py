"""``manage.py ledger summary [--campaign CODE] [--unit CODE] --json``: the ledger's summary line."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand

from minyi.commands import add_period_arguments, by_code
from minyi.ledger.models import Campaign
from minyi.ledger.rules import summary, summary_json
from minyi.org.models import Unit


class Command(BaseCommand):
    help = "Ledger figures per track: total, closed, open, overdue, converted to long-term."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("summary", help="the summary per track")
        add_period_arguments(show, dates=False)
        show.add_argument("--unit", metavar="CODE")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = by_code(Campaign, options["campaign"], "campaign")
        unit = by_code(Unit, options["unit"], "unit")
        figures = summary(campaign=campaign, unit=unit)
        if options["json"]:
            self.stdout.write(json.dumps(summary_json(figures), ensure_ascii=False))
            return
        for f in figures:
            self.stdout.write(
                f"{f.track}: {f.total} in all, {f.closed} closed, {f.open} open ({f.overdue} overdue), "
                f"{f.converted_to_long_term} became long-term"
            )
