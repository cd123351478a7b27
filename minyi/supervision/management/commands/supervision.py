"""``manage.py supervision sweep [--json] [--lookback-days N]`` issues and escalates the notices that are
due (what the worker runs every hour); ``manage.py supervision briefing [--json]`` prints what the
briefing names."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minyi.supervision.rules import LOOKBACK, briefing, sweep


class Command(BaseCommand):
    help = "Supervision notices: run the deadline sweep, or print the briefing."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        run = sub.add_parser("sweep", help="issue and escalate the notices that are due")
        run.add_argument("--json", action="store_true", help="print JSON")
        run.add_argument(
            "--lookback-days",
            type=int,
            default=LOOKBACK.days,
            help=f"how far back to look for overdue work (default {LOOKBACK.days}; more to catch up)",
        )
        show = sub.add_parser("briefing", help="the red notices the briefing names")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "sweep":
            if options["lookback_days"] < 1:
                raise CommandError("--lookback-days must be at least 1")
            counts = sweep(lookback=dt.timedelta(days=options["lookback_days"]))
            if options["json"]:
                self.stdout.write(json.dumps(counts))
            else:
                self.stdout.write(", ".join(f"{level}: {n}" for level, n in counts.items()))
            return
        rows = briefing()
        if options["json"]:
            data = [
                {
                    "notice": row.notice.pk,
                    "unit": row.unit,
                    "target": row.target,
                    "deadline": row.deadline.isoformat() if row.deadline else None,
                    "overdue_days": row.overdue_days,
                    "answered": row.answered,
                }
                for row in rows
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        for row in rows:
            days = "—" if row.overdue_days is None else row.overdue_days
            answered = "answered" if row.answered else "not answered"
            self.stdout.write(f"{row.unit}\t{row.target}\t{days}\t{answered}")
