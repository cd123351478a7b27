"""``manage.py kpi ranking [--from D] [--to D] [--metric M] [--json]``: the ranking of all units;
``manage.py kpi rebuild``: recompute the follow-up verdicts and the daily summary from the records
(after a bulk load that bypassed the rules)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from minyi.kpi import summary, verdicts
from minyi.kpi.choices import Metric
from minyi.kpi.forms import parse
from minyi.kpi.rules import ranking, ranking_json


class Command(BaseCommand):
    help = "Unit KPIs: the ranking of all units for a period, or a rebuild of the follow-up verdicts."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("ranking", help="the ranking of all units")
        show.add_argument(
            "--from", dest="first", metavar="YYYY-MM-DD", help="default: 1 January of --to's year"
        )
        show.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="default: today")
        show.add_argument("--metric", choices=Metric.values, help="default: satisfaction")
        show.add_argument("--json", action="store_true", help="print JSON")
        sub.add_parser(
            "rebuild", help="recompute the follow-up verdicts and the daily counts from the records"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "rebuild":
            total = verdicts.rebuild()
            counts = summary.rebuild()
            self.stdout.write(f"{total} follow-up verdicts and {counts} daily counts rebuilt")
            return
        try:
            query = parse(options["first"], options["last"], options["metric"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        data = ranking_json(ranking(query.period, query.metric))
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"{data['from']} – {data['to']}, by {data['metric']} ({data['ranked_by']})")
        for row in [*data["ranked"], *data["too_few_to_rank"]]:
            r = row["metrics"][data["metric"]]
            share = "—" if r["rate"] is None else f"{r['rate'] * 100:.1f} %"
            place = row["rank"] if row["rank"] is not None else "-"
            self.stdout.write(f"{place:>3} {row['name']}: {r['k']}/{r['n']} = {share}")
