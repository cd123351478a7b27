"""``manage.py partybuilding summary [--campaign CODE] [--unit CODE] --json``: weak village party
organisations, joint general branches and their tasks."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand

from minyi.commands import add_period_arguments, by_code
from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.partybuilding.rules import summary, summary_json, summary_sentence


class Command(BaseCommand):
    help = "Weak village party organisations, joint general branches and their rectification tasks."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("summary", help="the figures")
        add_period_arguments(show, dates=False)
        show.add_argument("--unit", metavar="CODE", help="a township or the district")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = by_code(Campaign, options["campaign"], "campaign")
        unit = by_code(Unit, options["unit"], "unit")
        figures = summary(campaign, unit=unit)
        if options["json"]:
            self.stdout.write(json.dumps(summary_json(figures), ensure_ascii=False))
            return
        self.stdout.write(summary_sentence(figures) or "no weak village party organisation recorded")
