"""``manage.py partybuilding summary [--campaign CODE] [--unit CODE] --json``: weak village party
organisations, joint general branches and their tasks."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.partybuilding.rules import summary, summary_json, summary_sentence


class Command(BaseCommand):
    help = "Weak village party organisations, joint general branches and their rectification tasks."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("summary", help="the figures")
        show.add_argument("--campaign", metavar="CODE")
        show.add_argument("--unit", metavar="CODE", help="a township or the district")
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
        figures = summary(campaign, unit=unit)
        if options["json"]:
            self.stdout.write(json.dumps(summary_json(figures), ensure_ascii=False))
            return
        self.stdout.write(summary_sentence(figures) or "no weak village party organisation recorded")
