"""``manage.py backup PATH``: the database, uploaded files and model files in one archive
(minyi/backup.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minyi.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write one archive (tar) of the database (pg_dump custom format on PostgreSQL, SQLite's online "
        "backup), a portable copy of the data, the uploaded files and the model files, with a manifest of "
        "version, migrations and row counts. Safe while the site runs."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "path", type=Path, help="where to write the archive, e.g. /backup/minyi-2026-12-08.tar"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if path.is_dir():
            raise CommandError(f"{path} is a folder; name the archive file to write.")
        try:
            manifest = backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"Backed up {manifest['vendor']} ({len(manifest['counts'])} tables, {rows:,} rows, "
            f"{len(manifest['migrations'])} migrations) to {path} ({path.stat().st_size:,} bytes)."
        )
