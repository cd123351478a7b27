"""``manage.py load_categories PATH`` (a CSV with level1, level2, level3) or ``--default``: add the
missing categories of a three-level tree; ``--unit NAME=UNIT_CODE`` maps level-1 categories to units."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minyi.appeals import categories
from minyi.appeals.models import Category


class Command(BaseCommand):
    help = "Load the category tree from a CSV (level1, level2, level3) or the built-in default tree."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="CSV file with the columns level1, level2, level3")
        parser.add_argument("--default", action="store_true", help="load the built-in default tree")
        parser.add_argument(
            "--unit",
            action="append",
            default=[],
            metavar="CATEGORY=UNIT_CODE",
            help="usual handling unit of a level-1 category (name or code); may be repeated",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path, use_default = options["path"], options["default"]
        if bool(path) == bool(use_default):
            raise CommandError("Give either a CSV path or --default.")
        mapping: dict[str, str] = {}
        for item in options["unit"]:
            category, sep, unit = item.partition("=")
            if not sep or not category.strip() or not unit.strip():
                raise CommandError(f"--unit {item!r}: write CATEGORY=UNIT_CODE")
            mapping[category.strip()] = unit.strip()
        try:
            rows = categories.default_tree() if use_default else list(categories.read_csv(path))
            created = categories.load_tree(rows)
            mapped = categories.map_default_units(mapping) if mapping else 0
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from error
        except categories.TreeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{created} categories added ({Category.objects.count()} in all); {mapped} usual units set."
        )
