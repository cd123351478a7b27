"""``manage.py reports bulletin --campaign CODE [--from DATE --to DATE] [--unit CODE]
--format md|html|pdf|json [--output FILE]``: the campaign bulletin written from the records (Chinese
unless --language en)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from minyi.commands import add_period_arguments, by_code
from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.reports import bulletin


class Command(BaseCommand):
    help = "Write the campaign bulletin (简报) from the records."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        write = sub.add_parser("bulletin", help="write the bulletin")
        add_period_arguments(write)
        write.add_argument("--unit", metavar="CODE", help="a township or department (default: the district)")
        write.add_argument("--format", choices=["md", "html", "pdf", "json"], default="md")
        write.add_argument(
            "--output", metavar="FILE", help="write here instead of standard output (PDF needs it)"
        )
        write.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = by_code(Campaign, options["campaign"], "campaign")
        unit = by_code(Unit, options["unit"], "unit")
        if options["format"] == "pdf" and not options["output"]:
            raise CommandError("A PDF needs --output FILE.")
        with translation.override(options["language"]):
            try:
                scope = bulletin.scope_for(
                    campaign=campaign, date_from=options["date_from"], date_to=options["date_to"], unit=unit
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            written = bulletin.build(scope)
            kind = options["format"]
            if kind == "json":
                text: str | bytes = json.dumps(written.figures, ensure_ascii=False, indent=2)
            elif kind == "md":
                text = bulletin.as_markdown(written)
            elif kind == "html":
                text = bulletin.as_html(written)
            else:
                text = bulletin.as_pdf(written)
        if options["output"]:
            data = text if isinstance(text, bytes) else text.encode()
            with open(options["output"], "wb") as out:
                out.write(data)
            self.stderr.write(f"Wrote {options['output']}.")
        else:
            assert isinstance(text, str)
            self.stdout.write(text)
