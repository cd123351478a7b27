"""bench open311: the GeoReport v2 interface against a production-like server (gunicorn, DEBUG off, the
production settings profile, PostgreSQL) over the benchmark database (1,000,000 appeals after
bench_appeals_load, about a ninth of them from the Open311 channel).

GET requests.json is timed from one client (median and p95 over BENCH_GETS calls, default 100) in three
shapes: the spec's default window (the last 90 days, up to 1,000 requests), one service and status in
that window, and one request by id. POST requests.json (form-encoded, with an API key) is driven by
wrk from 50 concurrent connections for BENCH_SECONDS (default 30); afterwards every id the server
answered must be stored (lost)."""

from __future__ import annotations

import http.client
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_intake import PORT, percentile, start_server
from benchmarks.common import ROOT, report, setup_django, timed

setup_django()

from django.core.management import call_command
from django.db.models import Exists, OuterRef

from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal, Category
from minyi.open311 import keys

CONNECTIONS = 50
WORKERS = int(os.environ.get("BENCH_WORKERS", "5"))


def public_services() -> list[str]:
    """Offer every active leaf category to Open311 clients (the benchmark database is thrown away)."""
    if not Category.objects.exists():
        call_command("load_categories", "--default", verbosity=0)
    children = Category.objects.filter(parent=OuterRef("pk"), is_active=True)
    leaves = Category.objects.filter(is_active=True).exclude(Exists(children))
    leaves.update(is_public=True)
    return list(leaves.values_list("code", flat=True))


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench open311 needs wrk (Debian package wrk): apt-get install wrk")
    seconds = int(os.environ.get("BENCH_SECONDS", "30"))
    gets = int(os.environ.get("BENCH_GETS", "100"))
    codes = public_services()
    _key, raw_key = keys.create_key("bench")
    open311_appeals = Appeal.objects.filter(channel=Channel.OPEN311)
    numbers = list(open311_appeals.order_by("-received_at").values_list("number", flat=True)[:500])
    # The generated appeals use the top of the tree; filter by the categories they really have.
    used = list(open311_appeals.values_list("category__code", flat=True).distinct()[:50])
    rng = random.Random(1)
    os.environ["RATE_OPEN311_POST"] = "0"
    server = start_server()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    sizes: dict[str, int] = {}

    def get(name: str, path: str) -> None:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}: {body[:300]!r}")
        sizes[name] = body.count(b'"service_request_id"')

    outdir = Path(tempfile.mkdtemp(prefix="bench-open311-"))
    try:
        figures: dict[str, object] = {
            "appeals": Appeal.objects.count(),
            "open311_appeals": open311_appeals.count(),
        }
        shapes = {
            "get_default_window": lambda: get("get_default_window", "/open311/v2/requests.json"),
            "get_service_status": lambda: get(
                "get_service_status",
                f"/open311/v2/requests.json?service_code={rng.choice(used)}&status=open",
            ),
            "get_one": lambda: get("get_one", f"/open311/v2/requests/{rng.choice(numbers)}.json"),
        }
        for name, call in shapes.items():
            figures[name] = {**timed(call, gets), "rows": sizes.get(name)}
        connection.close()
        before_id = Appeal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        result = subprocess.run(
            [
                "wrk", "-t4", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
                "-s", str(ROOT / "benchmarks" / "open311.lua"), f"http://127.0.0.1:{PORT}",
                "--", str(outdir / "answers"), raw_key, ",".join(codes),
            ],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    print(result.stdout)
    answers = [line.split() for f in outdir.iterdir() for line in f.read_text().splitlines()]
    shutil.rmtree(outdir)
    ok_numbers = {number for status, number in answers if status == "200" and number != "-"}
    created = Appeal.objects.filter(pk__gt=before_id, channel=Channel.OPEN311)
    stored = set(created.filter(number__in=ok_numbers).values_list("number", flat=True))
    figures.update(
        {
            "post_connections": CONNECTIONS,
            "gunicorn_workers": WORKERS,
            "post_seconds": seconds,
            "post_requests": len(answers),
            "post_errors": sum(1 for status, _n in answers if status != "200"),
            "posts_per_s": round(len(ok_numbers) / seconds, 1),
            "post_median_ms": percentile(result.stdout, "50"),
            "post_p99_ms": percentile(result.stdout, "99"),
            "post_stored": created.count(),
            "post_lost": len(ok_numbers - stored),
        }
    )
    report("open311", figures)


if __name__ == "__main__":
    main()
