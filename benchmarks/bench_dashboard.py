"""bench dashboard: the dashboards and the bulletin at BENCH_SCALE appeals (default 1,000,000, loaded by
bench_appeals_load.py before this one; loaded here when the database has fewer, e.g. with
BENCH_ONLY=dashboard).

The volume is loaded by COPY, past the rules, so the dashboards' daily summary is rebuilt first
(timed). Then, timed: the dashboard's figures for the district and for a unit (live: 30 days; and a
year), the dashboard page over HTTP as the district office and as a unit head (target: median under
1 s), the page right after a write (which recounts the day it made stale), and the bulletin for the
year. Last, the summary is checked against a fresh count from the records."""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

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
from minyi.org.models import Person, Unit
from minyi.reports import bulletin, dashboard, summary


def main() -> None:
    scale = int(os.environ.get("BENCH_SCALE", "1000000"))
    if Appeal.objects.count() < scale // 2:
        call_command("load_categories", "--default", verbosity=0)
        print(f"  generated: {generate(scale)}")
    start = time.perf_counter()
    rows = summary.rebuild()
    rebuild_seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE reports_appealdaycount")
    today = timezone.localdate()
    year = dashboard.View(first=today - timedelta(days=364), last=today, unit=None)
    head = Person.objects.filter(user__username="unithead").select_related("unit").first()
    unit: Unit | None = head.unit if head is not None else None
    figures: dict[str, object] = {
        "appeals": Appeal.objects.count(),
        "summary_rows": rows,
        "rebuild_seconds": round(rebuild_seconds, 1),
    }
    for name, view in (
        ("district_30_days", dashboard.live_view(None)),
        ("district_year", year),
        ("unit_year", dashboard.View(first=year.first, last=year.last, unit=unit)),
    ):
        result = timed(lambda view=view: dashboard.panels(view), repeat=10)  # type: ignore[misc]
        figures[f"{name}_median_ms"], figures[f"{name}_p95_ms"] = result["median_ms"], result["p95_ms"]

    client = Client()

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    for name, username in (
        ("page_district", "dispatcher"),
        ("page_unit_head", "unithead"),
        ("page_leader", "leader"),
    ):
        login = Person.objects.filter(user__username=username).first()
        if login is None or login.user is None:
            continue
        client.force_login(login.user)
        result = timed(lambda: get("/reports/"), repeat=10)
        figures[f"{name}_median_ms"], figures[f"{name}_p95_ms"] = result["median_ms"], result["p95_ms"]

    dispatcher = Person.objects.get(user__username="dispatcher").user
    client.force_login(dispatcher)  # type: ignore[arg-type]
    waiting = iter(
        Appeal.objects.filter(state=State.RECEIVED, concerns_unit__isnull=True).order_by("-pk")[:20]
    )
    target = Unit.objects.get(code="JY")
    samples = []
    for _ in range(repeats(10)):
        loop.dispatch(next(waiting), lead=target, actor=dispatcher)
        started = time.perf_counter()
        get("/reports/")
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    figures["page_after_a_write_median_ms"] = round(statistics.median(samples), 1)

    scope = bulletin.scope_for(date_from=year.first, date_to=year.last)
    result = timed(lambda: bulletin.build(scope), repeat=3)
    figures["bulletin_year_median_ms"] = result["median_ms"]

    start = time.perf_counter()
    fresh = summary.fresh_counts(None, year.first, year.last)
    figures["fresh_count_ms"] = round((time.perf_counter() - start) * 1000, 1)
    figures["summary_equals_fresh_count"] = summary.counts(None, year.first, year.last) == fresh
    report("dashboard", figures)


if __name__ == "__main__":
    main()
