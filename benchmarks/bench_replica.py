"""bench replica: a streaming read replica of the benchmark database on this machine, and the read-only
pages on it while intake writes to the primary (docs/scale.md).

The replica is a second PostgreSQL cluster made with pg_basebackup (on BENCH_REPLICA_PORT, default
5433, in a temporary directory), following the primary by streaming replication. For the benchmark's
duration pg_hba.conf of the primary admits replication connections from loopback (the line is removed
after); it needs root or the postgres user, as the other system set-up of the benchmarks does.

With REPLICA_DATABASE_URL pointing there, timed: the district dashboard and the leader's page (the
bench dashboard pages, now read from the replica) while another process submits appeals through the
rules against the primary; the replication lag (the time from a commit's WAL position on the primary
to its replay on the replica), sampled while intake runs; the reads the router sent to the replica.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import env_int, repeats, report, setup_django

PORT = env_int("BENCH_REPLICA_PORT", 5433)
HBA_LINE = "host replication all 127.0.0.1/32 trust  # added by minyi benchmarks/bench_replica.py"
# Settings a hot standby must have at least as high as its primary.
MATCHED = ("max_connections", "max_worker_processes", "max_wal_senders", "max_locks_per_transaction",
           "max_prepared_transactions")  # fmt: skip


def _primary() -> Any:
    return urlsplit(os.environ["DATABASE_URL"])


def _replica_url() -> str:
    parts = _primary()
    return parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{PORT}").geturl()


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"PostgreSQL's {name} is missing (Debian package postgresql)")
    return found[-1]


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.strip()}")
    return done.stdout


@contextmanager
def streaming_replica() -> Iterator[None]:
    """A hot standby of the whole primary cluster on PORT, removed on the way out."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW hba_file")
        hba = Path(cursor.fetchone()[0])
        settings = {}
        for name in MATCHED:
            cursor.execute(f"SHOW {name}")  # names from MATCHED only
            settings[name] = cursor.fetchone()[0]
    original = hba.read_text()
    directory = Path(tempfile.mkdtemp(prefix="minyi-replica-"))
    try:
        if HBA_LINE not in original:
            hba.write_text(original.rstrip("\n") + "\n" + HBA_LINE + "\n")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_reload_conf()")
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(directory, postgres.pw_uid, postgres.pw_gid)
        directory.chmod(0o700)
        data = directory / "data"
        primary = _primary()
        started = time.perf_counter()
        _run(_as_postgres([
            _bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port or 5432),
            "-U", primary.username or "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast",
        ]))  # fmt: skip
        print(f"  base backup: {time.perf_counter() - started:.1f} s")
        # Debian keeps the primary's configuration in /etc: the standby gets a small one of its own.
        config = [f"{name} = {value}" for name, value in settings.items()] + [
            f"port = {PORT}", "listen_addresses = '127.0.0.1'", "unix_socket_directories = '/tmp'",
            "hot_standby = on", f"hba_file = '{data / 'pg_hba.conf'}'",
            f"ident_file = '{data / 'pg_ident.conf'}'",
        ]  # fmt: skip
        _write_as_postgres(data / "postgresql.conf", "\n".join(config) + "\n")
        _write_as_postgres(data / "pg_hba.conf", "host all all 127.0.0.1/32 trust\n")
        _write_as_postgres(data / "pg_ident.conf", "")
        _run(_as_postgres([_bin("pg_ctl"), "-D", str(data), "-l", str(directory / "log"), "-w", "start"]))
        try:
            yield
        finally:
            _run(_as_postgres([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]))
    finally:
        if HBA_LINE not in original:
            hba.write_text(original)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_reload_conf()")
        shutil.rmtree(directory, ignore_errors=True)


def _write_as_postgres(path: Path, text: str) -> None:
    path.write_text(text)
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(path, postgres.pw_uid, postgres.pw_gid)


def intake() -> None:
    """Child process: submit appeals through the rules against the primary until SIGTERM."""
    setup_django()
    from minyi.appeals import rules
    from minyi.appeals.choices import Channel, Kind
    from minyi.org.models import Unit

    stop = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    villages: list[Unit | None] = [*Unit.objects.filter(kind="village")[:50]] or [None]
    submitted = 0
    print("ready", flush=True)
    while not stop:
        rules.submit(
            channel=Channel.HOTLINE, kind=Kind.HELP, title="路灯不亮", body="村口路灯坏了，晚上出行不便。",
            village=villages[submitted % len(villages)],
        )  # fmt: skip
        submitted += 1
    print(submitted, flush=True)


def main() -> None:
    os.environ["REPLICA_DATABASE_URL"] = _replica_url()
    setup_django()
    from django.db import connection, connections
    from django.test import Client

    from minyi.kpi import summary as kpi_summary
    from minyi.org.models import Person
    from minyi.replica import REPLICA
    from minyi.reports import summary

    if connection.vendor != "postgresql":
        raise SystemExit("bench replica needs PostgreSQL (DATABASE_URL)")
    summary.refresh()  # on the primary: the pages on the replica read the summaries as they are
    kpi_summary.refresh()
    routed = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal routed
        routed += 1
        return execute(sql, params, many, context)

    figures: dict[str, Any] = {}
    with streaming_replica():
        replica = connections[REPLICA]
        writer = subprocess.Popen(
            [sys.executable, __file__, "--intake"], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
        )
        try:
            assert writer.stdout is not None
            if writer.stdout.readline().strip() != "ready":
                raise SystemExit("the intake process failed to start")
            began = time.perf_counter()
            client = Client()
            with replica.execute_wrapper(count):
                for name, username in (("page_district", "dispatcher"), ("page_leader", "leader")):
                    login = Person.objects.filter(user__username=username).first()
                    if login is None or login.user is None:
                        continue
                    client.force_login(login.user)
                    samples = []
                    for _ in range(repeats(20) + 1):
                        started = time.perf_counter()
                        response = client.get("/reports/")
                        samples.append((time.perf_counter() - started) * 1000)
                        if response.status_code != 200:
                            raise SystemExit(f"/reports/ answered {response.status_code} on the replica")
                    figures[f"{name}_median_ms"] = round(statistics.median(samples[1:]), 1)
            lags = []
            with connection.cursor() as primary, replica.cursor() as standby:
                for _ in range(repeats(50)):
                    primary.execute("SELECT pg_current_wal_lsn()")
                    (lsn,) = primary.fetchone()
                    started = time.perf_counter()
                    while True:
                        standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
                        if standby.fetchone()[0]:
                            break
                    lags.append((time.perf_counter() - started) * 1000)
            lags.sort()
            writer.send_signal(signal.SIGTERM)
            submitted = int(writer.stdout.read().strip() or 0)
            seconds = time.perf_counter() - began
        finally:
            if writer.poll() is None:
                writer.kill()
            writer.wait()
        replica.close()
    figures |= {
        "lag_ms_median": round(statistics.median(lags), 1),
        "lag_ms_p95": round(lags[min(len(lags) - 1, int(len(lags) * 0.95))], 1),
        "routed_reads": routed,
        "intake_during_per_s": round(submitted / seconds, 1),
    }
    report("replica", figures)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--intake"]:
        intake()
    else:
        main()
