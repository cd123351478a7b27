"""bench kpi: the unit ranking (考评) for all units over a year, at BENCH_SCALE appeals (default
1,000,000, loaded by bench_appeals_load.py before this one; loaded here when the database has fewer,
e.g. with BENCH_ONLY=kpi) and BENCH_ISSUES rectification items (default 100,000, loaded here).

The volume is loaded by COPY, past the rules, so the KPI tables are rebuilt first (``manage.py kpi
rebuild``, timed). Then, timed: the ranking itself (target: median under 1 s), the ranking page and a
drill-down page over HTTP, and the ranking right after a write (a dispatch through the rules), which
recomputes the days that write made stale. Last, the summary is checked against a fresh count from
the records."""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import repeats, report, setup_django, timed

setup_django()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from minyi.appeals import rules as loop
from minyi.appeals.choices import State
from minyi.appeals.models import Appeal
from minyi.demo.volume.appeals import generate
from minyi.demo.volume.ledger import generate as generate_issues
from minyi.kpi.metrics import Period
from minyi.kpi.rules import count_all, fresh_count, ranked_units, ranking
from minyi.ledger.models import Issue
from minyi.org.models import Person


def main() -> None:
    scale = int(os.environ.get("BENCH_SCALE", "1000000"))
    if Appeal.objects.count() < scale // 2:
        call_command("load_categories", "--default", verbosity=0)
        print(f"  generated: {generate(scale)}")
    issues_loaded = generate_issues(
        max(0, int(os.environ.get("BENCH_ISSUES", "100000")) - Issue.objects.count())
    )["issues"]
    start = time.perf_counter()
    call_command("kpi", "rebuild", stdout=sys.stdout)
    rebuild_seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("kpi_verdict", "kpi_dailycount", "ledger_issue"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    today = timezone.localdate()
    year = Period(today - timedelta(days=364), today)
    units = list(ranked_units())
    figures: dict[str, object] = {
        "appeals": Appeal.objects.count(),
        "issues": Issue.objects.count(),
        "issues_loaded": issues_loaded,
        "units": len(units),
        "rebuild_seconds": round(rebuild_seconds, 1),
    }
    result = timed(lambda: ranking(year, "satisfaction"), repeat=30)
    figures["ranking_median_ms"], figures["ranking_p95_ms"] = result["median_ms"], result["p95_ms"]

    client = Client()
    client.force_login(Person.objects.get(user__username="leader").user)  # type: ignore[arg-type]
    params = urlencode({"from": year.first.isoformat(), "to": year.last.isoformat()})
    busiest = max(count_all(year, units), key=lambda k: k.rates["satisfaction"].n).unit

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    pages = [
        ("ranking_page", f"/kpi/?{params}"),
        ("drill_down_page", f"/kpi/{busiest.code}/satisfaction/?{params}&part=denominator"),
    ]
    for name, url in pages:
        result = timed(lambda url=url: get(url), repeat=10)  # type: ignore[misc]
        figures[f"{name}_median_ms"], figures[f"{name}_p95_ms"] = result["median_ms"], result["p95_ms"]

    # Each round: one dispatch through the rules (marking its days stale), then the ranking.
    dispatcher = Person.objects.get(user__username="dispatcher").user
    waiting = iter(
        Appeal.objects.filter(state=State.RECEIVED, concerns_unit__isnull=True).order_by("-pk")[:40]
    )
    rng = random.Random(5)
    samples = []
    for _ in range(repeats(10)):
        loop.dispatch(next(waiting), lead=rng.choice(units), actor=dispatcher)
        started = time.perf_counter()
        ranking(year, "satisfaction")
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    figures["ranking_after_a_write_median_ms"] = round(statistics.median(samples), 1)
    figures["ranking_after_a_write_max_ms"] = round(samples[-1], 1)

    start = time.perf_counter()
    fresh = fresh_count(year, units)
    figures["fresh_count_ms"] = round((time.perf_counter() - start) * 1000, 1)
    figures["summary_equals_fresh_count"] = count_all(year, units) == fresh
    report("kpi", figures)


if __name__ == "__main__":
    main()
