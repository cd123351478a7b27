"""``manage.py restore PATH``: an archive of ``manage.py backup`` into an empty or new database
(minyi/backup.py). MEDIA_ROOT and the other paths come from this deployment's environment."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minyi.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive of manage.py backup into the configured database, which must be new or empty; "
        "refuses an archive of a newer schema. Checks every table's row count against the archive's "
        "manifest, then migrates an older archive up to this version."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the archive to restore")
        parser.add_argument(
            "--portable",
            action="store_true",
            help="restore the portable part even on the same backend (across backends it is used anyway)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")
        try:
            done = restore(path, portable=options["portable"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {done.tables} tables ({done.rows:,} rows, counts checked) from {path} "
            f"({done.method}); {done.files} files; {done.migrated} migrations applied since."
        )
