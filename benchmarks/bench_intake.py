"""bench intake: citizens' API submissions over HTTP against a production-like server (gunicorn,
DEBUG off, the production settings profile, PostgreSQL) from 50 concurrent connections (wrk, with
benchmarks/intake.lua) for BENCH_SECONDS (default 30). Every request carries its own
Idempotency-Key and every 50th is retried with the same key. Afterwards the database is counted:
every number the server answered must be stored (lost), and every stored appeal must belong to its
own key (duplicated). For comparison, the raw INSERT rate of appeal rows on one connection
(BENCH_INSERT_ROWS rows, default 20,000)."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, env_int, report, setup_django

setup_django()

from django.db import connection, transaction
from django.utils import timezone

from minyi.appeals.models import Appeal, IdempotencyRecord

PORT = 8765
CONNECTIONS = 50
WORKERS = int(os.environ.get("BENCH_WORKERS", "5"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))  # >1: gthread workers, which keep connections alive


def start_server() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minyi.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "RATE_APPEAL_SUBMIT": "0",
        # Production counts rate limits in a shared cache (the machine's Redis, as .ci/run starts it).
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/0"),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "minyi.wsgi",
            f"--bind=127.0.0.1:{PORT}",
            f"--workers={WORKERS}",
            f"--threads={THREADS}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            probe = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def raw_insert_rate(rows: int = 20_000) -> float:
    """Rows per second of plain INSERTs of appeal rows on one connection (rolled back)."""
    now = timezone.now()
    columns = (
        "number, query_code_hash, channel, kind, urgency, title, body, address, citizen_name, citizen_phone, "
        "citizen_email, citizen_wechat, supporters, state, deadline_provisional, reject_reason, received_at, "
        "recorded_at, external_ref, version"
    )
    fixed = ("x$y", "api", "complaint", "ordinary", "t", "b", "", "", "", "", "", 0, "received", False, "")
    values = [(f"R{i:012d}", *fixed, now, now, "", 1) for i in range(rows)]
    sql = f"INSERT INTO appeals_appeal ({columns}) VALUES ({', '.join(['%s'] * 20)})"  # noqa: S608
    elapsed = 0.0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.executemany(sql, values)
            elapsed = time.perf_counter() - start
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    return rows / elapsed


def percentile(output: str, label: str) -> float | None:
    """A latency percentile from wrk's --latency table, in milliseconds."""
    match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)
    return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 1)


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench intake needs wrk (Debian package wrk): apt-get install wrk")
    seconds = int(os.environ.get("BENCH_SECONDS", "30"))
    before_id = Appeal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    server = start_server()
    outdir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    try:
        result = subprocess.run(
            [
                "wrk", f"-t{min(4, CONNECTIONS)}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
                "-s", str(ROOT / "benchmarks" / "intake.lua"), f"http://127.0.0.1:{PORT}",
                "--", str(outdir / "answers"),
            ],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    print(result.stdout)
    answers = [line.split() for f in outdir.iterdir() for line in f.read_text().splitlines()]
    shutil.rmtree(outdir)
    ok_numbers = {number for status, number in answers if status in ("200", "201") and number != "-"}
    created = Appeal.objects.filter(pk__gt=before_id)
    created_count = created.count()
    keyed = IdempotencyRecord.objects.filter(appeal__pk__gt=before_id).count()
    stored = set(created.filter(number__in=ok_numbers).values_list("number", flat=True))
    requests = len(answers)
    created_201 = sum(1 for status, _number in answers if status == "201")
    replays = sum(1 for status, _number in answers if status == "200")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    report(
        "intake",
        {
            "connections": CONNECTIONS,
            "gunicorn_workers": WORKERS,
            "gunicorn_threads": THREADS,
            "seconds": seconds,
            "requests": requests,
            "errors": requests - created_201 - replays,
            "created": created_201,
            "replays": replays,
            "submissions_per_s": round(created_201 / seconds, 1),
            "requests_per_s": float(rps.group(1)) if rps else None,
            "median_ms": percentile(result.stdout, "50"),
            "p99_ms": percentile(result.stdout, "99"),
            "stored": created_count,
            "lost": len(ok_numbers - stored),
            "duplicated": created_count - keyed,
            "raw_insert_rows_per_s": round(raw_insert_rate(env_int("BENCH_INSERT_ROWS", 20_000))),
        },
    )


if __name__ == "__main__":
    main()
