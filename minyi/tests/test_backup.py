"""``manage.py backup`` and ``manage.py restore``: the round trip on the database the suite runs on
(SQLite, or PostgreSQL with pg_dump/pg_restore when DATABASE_URL names one), through the native part and
through the portable part that restores across backends, and every refusal with nothing changed."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import dispatched
from minyi.audit.models import AuditEvent
from minyi.testing import Actors

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads committed rows only

needs_pg_tools = pytest.mark.skipif(
    connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="PostgreSQL backups need pg_dump and pg_restore (Debian package postgresql-client)",
)


@pytest.fixture
def places(settings: Any, tmp_path: Path) -> dict[str, Path]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    (tmp_path / "media" / "appeals" / "2026").mkdir(parents=True)
    (tmp_path / "media" / "appeals" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8\xff photo")
    (tmp_path / "var" / "models").mkdir(parents=True)
    (tmp_path / "var" / "models" / "classifier-v1.joblib").write_bytes(b"model")
    return {"media": tmp_path / "media", "models": tmp_path / "var" / "models", "root": tmp_path}


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _state() -> dict[str, Any]:
    return {
        "appeals": sorted(Appeal.objects.values_list("number", "citizen_name", "state")),
        "audit": AuditEvent.objects.count(),
    }


def _empty_database_and_folders(places: dict[str, Path], settings: Any) -> None:
    call_command("flush", "--noinput", verbosity=0)
    settings.MEDIA_ROOT = places["root"] / "media-restored"
    settings.VAR_DIR = places["root"] / "var-restored"


@needs_pg_tools
@pytest.mark.parametrize("portable", [False, True], ids=["native", "portable"])
def test_backup_then_restore_gives_back_the_data_and_the_files(
    actors: Actors, places: dict[str, Path], settings: Any, portable: bool
) -> None:
    dispatched(actors)
    before = _state()
    archive = places["root"] / "backups" / "minyi.tar"
    printed = _run("backup", str(archive))
    assert "Backed up" in printed and archive.is_file()
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    native = "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert {native, "data.json.gz", "media/appeals/2026/photo.jpg", "models/classifier-v1.joblib"} <= names
    assert manifest["vendor"] == connection.vendor and manifest["format"] == 1
    assert manifest["counts"]["appeals_appeal"] == 1
    assert ["worker", "0003_heartbeat_and_job_request_id"] in manifest["migrations"]

    # Into the running database (it holds the appeal): refused, nothing changed.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))
    assert _state() == before

    _empty_database_and_folders(places, settings)
    assert Appeal.objects.count() == 0
    args = ["restore", str(archive), *(["--portable"] if portable else [])]
    printed = _run(*args)
    assert "counts checked" in printed and ("portable" if portable else "native") in printed
    assert _state() == before
    assert (
        places["root"] / "media-restored" / "appeals" / "2026" / "photo.jpg"
    ).read_bytes() == b"\xff\xd8\xff photo"
    assert (places["root"] / "var-restored" / "models" / "classifier-v1.joblib").read_bytes() == b"model"
    # The restored site works on: the loop goes on where it stopped.
    appeal = Appeal.objects.get()
    assert appeal.assignments.count() == 1


def _rewritten(archive: Path, target: Path, change: Any) -> Path:
    """A copy of ``archive`` whose manifest went through ``change``."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json" and data is not None:
                manifest = json.load(data)
                change(manifest)
                raw = json.dumps(manifest).encode()
                member.size = len(raw)
                copy.addfile(member, io.BytesIO(raw))
            else:
                copy.addfile(member, data)
    return target


@needs_pg_tools
def test_restore_refuses_a_newer_schema_and_a_foreign_file(
    actors: Actors, places: dict[str, Path], settings: Any
) -> None:
    archive = places["root"] / "minyi.tar"
    _run("backup", str(archive))
    _empty_database_and_folders(places, settings)
    newer = _rewritten(
        archive,
        places["root"] / "newer.tar",
        lambda m: m["migrations"].append(["appeals", "9999_from_the_future"]),
    )
    with pytest.raises(CommandError, match=r"newer version of Minyi.*appeals\.9999_from_the_future"):
        call_command("restore", str(newer))
    assert Appeal.objects.count() == 0 and not (places["root"] / "media-restored").exists()

    not_ours = places["root"] / "notes.tar"
    with tarfile.open(not_ours, "w") as tar:
        tar.add(places["media"], "media")
    with pytest.raises(CommandError, match="not a Minyi backup archive"):
        call_command("restore", str(not_ours))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(places["root"] / "missing.tar"))

    # An archive whose counts do not match what it holds is reported, table by table.
    wrong = _rewritten(archive, places["root"] / "wrong.tar", lambda m: m["counts"].update(org_unit=99999))
    with pytest.raises(CommandError, match=r"org_unit: \d+ of 99999"):
        call_command("restore", str(wrong))
