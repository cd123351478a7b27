"""One-file backups and their restore (``manage.py backup PATH``, ``manage.py restore PATH``; docs/deploy.md,
"Backup and restore").

An archive is a tar file of:

- ``manifest.json``: the format, Minyi's version, when, the database vendor, the migrations applied and
  the row count of every table;
- the database in its own backend's format: ``database.pgdump`` (``pg_dump --format=custom``) on
  PostgreSQL, ``database.sqlite3`` (SQLite's online backup API, consistent while the site runs);
- ``data.json.gz``: the same data in Django's portable fixture format (``dumpdata``), which restores
  across backends (an SQLite pilot moving to PostgreSQL);
- ``media/``: the uploaded files (``MEDIA_ROOT``), and ``models/``: the category model files.

``restore`` writes only into an empty or new database (no login, unit or appeal yet), refuses an
archive made by a newer schema (a migration this code does not know), restores the database in its
own format when the backend is the same (else the portable part), checks every table's count against
the manifest, then migrates an older archive up to this version.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PORTABLE = "data.json.gz"
NATIVE = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
#: Tables whose rows restore does not compare: the portable part leaves them to migrate (content types
#: and permissions are made by every migrate, sessions are not worth keeping).
REBUILT_TABLES = frozenset({"django_content_type", "auth_permission", "django_session", "django_migrations"})
#: Rows in any of these mean the database is in use: restore refuses to write over it.
IN_USE_TABLES = ("auth_user", "org_unit", "appeals_appeal")


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    method: str  # "native" or "portable"
    tables: int
    rows: int
    files: int
    migrated: int  # migrations applied after the restore (an archive of an older version)


def minyi_version() -> str:
    try:
        return version("minyi")
    except PackageNotFoundError:
        return "unknown"


# --- what the database holds -------------------------------------------------------------------


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    return sorted([app, name] for app, name in loader.applied_migrations)


def row_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    connection = connections[alias]
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def in_use(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables of ``IN_USE_TABLES`` that hold rows (empty: the database may be restored into)."""
    counts = row_counts(alias)
    return [table for table in IN_USE_TABLES if counts.get(table, 0)]


def _paths() -> dict[str, Path]:
    from minyi.insight.registry import models_dir

    return {"media": Path(settings.MEDIA_ROOT), "models": models_dir()}


# --- backup ------------------------------------------------------------------------------------


def backup(path: Path, alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the archive to ``path`` (through a temporary file beside it, so a failed backup never
    leaves half an archive under the name); returns its manifest."""
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in NATIVE:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="minyi-backup-") as work:
        folder = Path(work)
        native, portable = folder / NATIVE[vendor], folder / PORTABLE
        with _snapshot(alias, native) as seen:
            manifest = {
                "format": FORMAT,
                "minyi_version": minyi_version(),
                "created_at": timezone.now().isoformat(),
                "vendor": vendor,
                "database": NATIVE[vendor],
                "portable": PORTABLE,
                **seen,
            }
            call_command(
                # Natural keys only for what migrate makes anew (content types, permissions); every other
                # row keeps its id, which other rows and the audit trail refer to. --all: every row,
                # whatever a model's default manager hides.
                "dumpdata", "--natural-foreign", "--all", "--database", alias,
                "--exclude", "contenttypes", "--exclude", "auth.permission", "--exclude", "sessions",
                "--output", str(portable), verbosity=0,
            )  # fmt: skip
        # On PostgreSQL the portable part is of pg_dump's snapshot; SQLite's may hold a few rows written
        # since the copy: it is checked against its own counts.
        manifest["portable_counts"] = fixture_counts(portable)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(native, NATIVE[vendor])
            archive.add(portable, PORTABLE)
            for name, source_dir in _paths().items():
                if source_dir.is_dir():
                    archive.add(source_dir, name)
        os.replace(partial, path)
    return manifest


@contextmanager
def _snapshot(alias: str, native: Path) -> Iterator[dict[str, Any]]:
    """Write the native copy to ``native``; yield its migrations and row counts, with the connection
    (PostgreSQL) still in pg_dump's snapshot, so that what is read inside sees the same rows."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _pg("pg_dump", connection.settings_dict, [
                "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}", "-f", str(native),
            ])  # fmt: skip
            yield {"migrations": applied_migrations(alias), "counts": row_counts(alias)}
        return
    # SQLite's online backup is one consistent copy even while the site writes; it is read for itself.
    _sqlite_copy(connection, native)
    copy = sqlite3.connect(native)
    try:
        tables = [r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {
            table: int(copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])  # noqa: S608
            for table in sorted(tables)
            if not table.startswith("sqlite_")
        }
        migrations = sorted(
            [app, name] for app, name in copy.execute("SELECT app, name FROM django_migrations")
        )
    finally:
        copy.close()
    yield {"migrations": migrations, "counts": counts}


def fixture_counts(portable: Path) -> dict[str, int]:
    """The rows per table that the portable part holds (its objects and their many-to-many links)."""
    from django.apps import apps

    counts: dict[str, int] = {}
    with gzip.open(portable, "rt", encoding="utf-8") as data:
        for item in json.load(data):
            meta = apps.get_model(item["model"])._meta
            counts[meta.db_table] = counts.get(meta.db_table, 0) + 1
            for field in meta.local_many_to_many:
                if field.remote_field.through._meta.auto_created and field.name in item["fields"]:
                    table = field.m2m_db_table()
                    counts[table] = counts.get(table, 0) + len(item["fields"][field.name])
    return counts


def _sqlite_copy(connection: Any, target: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _pg(program: str, settings_dict: dict[str, Any], args: list[str]) -> None:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (Debian package postgresql-client)")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    target = [
        *(["-h", str(settings_dict["HOST"])] if settings_dict.get("HOST") else []),
        *(["-p", str(settings_dict["PORT"])] if settings_dict.get("PORT") else []),
        *(["-U", str(settings_dict["USER"])] if settings_dict.get("USER") else []),
    ]
    database = ["-d", str(settings_dict["NAME"])] if program == "pg_restore" else [str(settings_dict["NAME"])]
    done = subprocess.run(  # noqa: S603
        [program, *target, *args, *database], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise BackupError(f"{program} failed: {done.stderr.strip()[-2000:]}")


# --- restore -----------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{path} is not a Minyi backup archive ({error})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} is an archive of format {manifest.get('format')}; this version reads {FORMAT}"
        )
    return manifest


def newer_migrations(manifest: dict[str, Any], alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The archive's migrations this code does not have: the archive is of a newer schema."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]


def restore(path: Path, *, portable: bool = False, alias: str = DEFAULT_DB_ALIAS) -> Restored:
    manifest = read_manifest(path)
    newer = newer_migrations(manifest, alias)
    if newer:
        raise BackupError(
            f"the archive was made by a newer version of Minyi ({manifest.get('minyi_version')}): its schema "
            f"has migrations this version lacks ({', '.join(newer[:5])}{' …' if len(newer) > 5 else ''}). "
            "Install that version (or a later one) and restore again."
        )
    connection = connections[alias]
    busy = in_use(alias)
    if busy:
        raise BackupError(
            f"the database {connection.settings_dict['NAME']} is not empty ({', '.join(busy)} hold rows): "
            "restore only into a new or empty database, so that nothing is overwritten."
        )
    vendor = connection.vendor
    method = "native" if vendor == manifest["vendor"] and not portable else "portable"
    with _unpacked(path) as folder:
        if method == "native":
            _restore_native(folder / manifest["database"], vendor, connection)
        else:
            _restore_portable(folder / manifest["portable"], manifest, alias)
        counts = manifest["counts"] if method == "native" else manifest["portable_counts"]
        expected = {t: n for t, n in counts.items() if t not in REBUILT_TABLES}
        actual = row_counts(alias)
        wrong = [
            f"{t}: {actual.get(t, 0)} of {n}" for t, n in sorted(expected.items()) if actual.get(t, 0) != n
        ]
        if wrong:
            raise BackupError(
                "the restored database does not match the archive's counts (" + "; ".join(wrong[:10]) + "): "
                "do not use it; empty it and restore again, or restore an older archive."
            )
        files = _restore_files(folder)
    before = len(applied_migrations(alias))
    call_command("migrate", "--noinput", "--database", alias, verbosity=0)
    return Restored(
        method=method,
        tables=len(expected),
        rows=sum(expected.values()),
        files=files,
        migrated=len(applied_migrations(alias)) - before,
    )


@contextmanager
def _unpacked(path: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="minyi-restore-") as work, tarfile.open(path, "r") as archive:
        archive.extractall(work, filter="data")  # "data": no absolute paths, links out or devices
        yield Path(work)


def _restore_native(native: Path, vendor: str, connection: Any) -> None:
    if vendor == "postgresql":
        connection.close()
        _pg(
            "pg_restore",
            connection.settings_dict,
            ["--clean", "--if-exists", "--no-owner", "--no-acl", "--exit-on-error", str(native)],
        )
        return
    connection.ensure_connection()
    source = sqlite3.connect(native)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_portable(portable: Path, manifest: dict[str, Any], alias: str) -> None:
    call_command("migrate", "--noinput", "--database", alias, verbosity=0)
    ours = applied_migrations(alias)
    if ours != sorted(manifest["migrations"]):
        raise BackupError(
            "the portable part restores only into the same version of Minyi that made the archive "
            f"({manifest.get('minyi_version')}); restore it on its own backend, upgrade, then back up again."
        )
    # Migrations made some rows (role groups, the holiday calendar …) that the archive holds too; the
    # fixture is the whole truth, so those tables start empty.
    with gzip.open(portable, "rt", encoding="utf-8") as data:
        labels = {item["model"] for item in json.load(data)}
    from django.apps import apps

    loaded = {apps.get_model(label) for label in labels}
    # The many-to-many links of those rows go too (a role group made anew by migrate has another id).
    links = {
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.auto_created and any(f.related_model in loaded for f in model._meta.fields)
    }
    with transaction.atomic(using=alias):  # foreign keys are checked at the end, once all is loaded
        for model in [*links, *loaded]:
            manager = model._default_manager.using(alias)
            if manager.exists():
                manager.all()._raw_delete(alias)
        call_command("loaddata", str(portable), "--database", alias, verbosity=0)


def _restore_files(folder: Path) -> int:
    count = 0
    for name, target in _paths().items():
        source = folder / name
        if not source.is_dir():
            continue
        for file in source.rglob("*"):
            if file.is_file():
                destination = target / file.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, destination)
                count += 1
    return count
