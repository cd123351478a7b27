"""``manage.py outreach coverage [--campaign CODE] [--from DATE --to DATE] [--within UNIT] [--json]``
prints visit coverage: villages and households visited / total, by township and by visitor,
difficulties found and resolved, and the villages not yet visited."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minyi.commands import add_period_arguments, by_code
from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.outreach.coverage import coverage


class Command(BaseCommand):
    help = "Outreach: print visit coverage."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("coverage", help="villages and households visited / total")
        add_period_arguments(show)
        show.add_argument("--within", help="a unit's code: only its subtree (default: everything)")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = by_code(Campaign, options["campaign"], "campaign")
        if campaign and (options["date_from"] or options["date_to"]):
            raise CommandError("give either --campaign or --from/--to, not both")
        within = by_code(Unit, options["within"], "unit")
        if options["date_from"] and options["date_to"] and options["date_from"] > options["date_to"]:
            raise CommandError("--from is after --to")
        figures = coverage(
            within=within, campaign=campaign, date_from=options["date_from"], date_to=options["date_to"]
        )
        if options["json"]:
            self.stdout.write(json.dumps(figures.as_json(), ensure_ascii=False))
            return
        total = figures.total
        self.stdout.write(
            f"villages {total.villages_visited}/{total.villages_total} ({total.villages_percent}%), "
            f"households {total.households_visited}/{total.households_total} ({total.households_percent}%), "
            f"difficulties {total.difficulties_found} found, {total.difficulties_resolved} resolved"
        )
        for row in figures.townships:
            self.stdout.write(
                f"  {row.code} {row.name}: villages {row.villages_visited}/{row.villages_total}, "
                f"households {row.households_visited}/{row.households_total}"
            )
