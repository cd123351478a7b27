"""``manage.py assistance summary [--campaign CODE] [--json]`` prints the assistance figures: cases by
type and township, delivered / pending, median days from request to delivery."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand

from minyi.assistance.summary import summary
from minyi.commands import add_period_arguments, by_code
from minyi.ledger.models import Campaign


class Command(BaseCommand):
    help = "Social assistance figures: cases by type and township, delivered and pending, median days."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("summary", help="the assistance figures, of all cases or of a campaign")
        add_period_arguments(show, dates=False)
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = by_code(Campaign, options["campaign"], "campaign")
        figures = summary(campaign)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        for key in (
            "campaign",
            "cases",
            "open",
            "closed",
            "parts",
            "delivered",
            "pending",
            "declined",
            "median_days",
        ):
            self.stdout.write(f"{key}: {figures[key]}")
        self.stdout.write("by type:")
        for type_, row in figures["by_type"].items():
            self.stdout.write(
                f"  {type_}: parts {row['parts']}, delivered {row['delivered']}, pending {row['pending']}, "
                f"declined {row['declined']}, median days {row['median_days']}"
            )
        self.stdout.write("by township:")
        for row in figures["by_township"]:
            self.stdout.write(
                f"  {row['code']} {row['name']}: cases {row['cases']}, delivered {row['delivered']}, "
                f"pending {row['pending']}"
            )
