"""``manage.py symposia summary [--campaign CODE] [--from DATE --to DATE] [--within UNIT] [--json]``
prints symposia held, people heard and opinions entered, in all, by participant group and by township."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minyi.commands import add_period_arguments, by_code
from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.symposia.summary import summary


class Command(BaseCommand):
    help = "Symposia: print symposia held, people heard and opinions entered."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("summary", help="symposia, attendees and opinions, by group and township")
        add_period_arguments(show)
        show.add_argument(
            "--within", help="a unit's code: symposia it or its subtree hosted or held on its ground"
        )
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = by_code(Campaign, options["campaign"], "campaign")
        if campaign and (options["date_from"] or options["date_to"]):
            raise CommandError("give either --campaign or --from/--to, not both")
        within = by_code(Unit, options["within"], "unit")
        if options["date_from"] and options["date_to"] and options["date_from"] > options["date_to"]:
            raise CommandError("--from is after --to")
        figures = summary(
            campaign=campaign, date_from=options["date_from"], date_to=options["date_to"], within=within
        )
        if options["json"]:
            self.stdout.write(json.dumps(figures.as_json(), ensure_ascii=False))
            return
        total = figures.total
        self.stdout.write(
            f"symposia {total.symposia}, attendees {total.attendees}, opinions {total.opinions}"
        )
        for title, rows in (("by group", figures.groups), ("by township", figures.townships)):
            self.stdout.write(f"{title}:")
            for row in rows:
                self.stdout.write(
                    f"  {row.key or '-'} {row.name}: symposia {row.symposia}, attendees {row.attendees}, "
                    f"opinions {row.opinions}"
                )
