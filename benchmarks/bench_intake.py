"""bench intake: citizens' API submissions over HTTP against a production-like server (gunicorn,
DEBUG off, the production settings profile, PostgreSQL) from 50 concurrent clients for BENCH_SECONDS
(default 30); then every submission is counted in the database: none lost, none duplicated (2% of
requests are retried with the same Idempotency-Key and must answer with the same appeal). For
comparison, the same run measures the raw INSERT rate of appeal rows on one connection."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, report, setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from minyi.appeals.models import Appeal, IdempotencyRecord  # noqa: E402

PORT = 8765
CLIENTS = 50


def start_server() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minyi.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "RATE_APPEAL_SUBMIT": "0",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603  (our own gunicorn with fixed arguments)
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "minyi.wsgi",
            f"--bind=127.0.0.1:{PORT}",
            "--workers=4",
            "--threads=4",
            "--worker-class=gthread",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def body(n: int) -> bytes:
    return json.dumps(
        {
            "kind": "complaint",
            "title": f"压测留言 {n}",
            "body": "小区门口的路灯坏了很久了，晚上出行很不方便，请有关部门尽快修复。",
            "village": "T01V01",
            "phone": "13800000000",
        },
        ensure_ascii=False,
    ).encode()


def client_loop(
    stop_at: float, results: list[tuple[int, float, str, str | None]], lock: threading.Lock
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    n = 0
    while time.perf_counter() < stop_at:
        key = uuid.uuid4().hex
        payload = body(n)
        n += 1
        attempts = 2 if n % 50 == 0 else 1  # a retry of the same request, as a flaky network causes
        for _ in range(attempts):
            start = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    "/api/v1/appeals/",
                    body=payload,
                    headers={"Content-Type": "application/json", "Idempotency-Key": key},
                )
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                status, data = 0, b"{}"
            elapsed = time.perf_counter() - start
            number = json.loads(data or b"{}").get("number") if status in (200, 201) else None
            with lock:
                results.append((status, elapsed, key, number))


def raw_insert_rate(rows: int = 20_000) -> float:
    """Rows per second of a plain multi-row INSERT of appeals on one connection (rolled back)."""
    now = timezone.now()
    columns = "number, query_code_hash, channel, kind, urgency, title, body, address, citizen_name, "
    columns += "citizen_phone, citizen_email, supporters, state, deadline_provisional, reject_reason, "
    columns += "received_at, recorded_at, external_ref, version"
    values = [
        (
            f"R{i:012d}",
            "x$y",
            "api",
            "complaint",
            "ordinary",
            "t",
            "b",
            "",
            "",
            "",
            "",
            0,
            "received",
            False,
            "",
            now,
            now,
            "",
            1,
        )
        for i in range(rows)
    ]
    placeholders = ", ".join(["%s"] * 19)
    start = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO appeals_appeal ({columns}) VALUES ({placeholders})", values)  # noqa: S608
            elapsed = time.perf_counter() - start
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    return rows / elapsed


def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "30"))
    before = Appeal.objects.count()
    server = start_server()
    results: list[tuple[int, float, str, str | None]] = []
    lock = threading.Lock()
    try:
        stop_at = time.perf_counter() + seconds
        started = time.perf_counter()
        threads = [
            threading.Thread(target=client_loop, args=(stop_at, results, lock)) for _ in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    ok = [r for r in results if r[0] in (200, 201)]
    keys = {r[2] for r in ok}
    numbers_by_key: dict[str, set[str]] = {}
    for _status, _elapsed, key, number in ok:
        numbers_by_key.setdefault(key, set()).add(number or "")
    created = Appeal.objects.count() - before
    stored = set(
        Appeal.objects.filter(number__in=[r[3] for r in ok if r[3]]).values_list("number", flat=True)
    )
    lost = len({r[3] for r in ok if r[3]} - stored)
    duplicated = (created - len(keys)) + sum(1 for numbers in numbers_by_key.values() if len(numbers) > 1)
    latencies = sorted(r[1] * 1000 for r in results)
    report(
        "intake",
        {
            "clients": CLIENTS,
            "seconds": round(wall, 1),
            "requests": len(results),
            "errors": len(results) - len(ok),
            "submissions_per_s": round(len(keys) / wall, 1),
            "median_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
            "idempotency_records": IdempotencyRecord.objects.filter(key__in=list(keys)[:50000]).count(),
            "lost": lost,
            "duplicated": duplicated,
            "raw_insert_rows_per_s": round(raw_insert_rate()),
        },
    )


if __name__ == "__main__":
    main()
