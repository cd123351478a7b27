"""bench ledger: with BENCH_SCALE appeals (default 1,000,000; generated here when fewer are loaded) and
BENCH_ISSUES rectification items (default 100,000), time the ledger summary for the whole district,
the ledger page of one unit as its unit head sees it, an item's page and the sign-off register.
Target: each under 1 s median."""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import report, setup_django, timed

setup_django()

from django.core.management import call_command
from django.db import connection
from django.test import Client

from minyi.appeals.models import Appeal
from minyi.demo.volume.appeals import generate as generate_appeals
from minyi.demo.volume.ledger import generate as generate_issues
from minyi.ledger import rules
from minyi.ledger.models import Issue
from minyi.org.models import Person


def _login(role: str) -> Client:
    person = Person.objects.filter(
        role=role, unit__kind__in=("department", "district"), user__isnull=False
    ).first()
    if person is None or person.user is None:
        raise SystemExit(f"the demo district has no {role} with a login")
    client = Client()
    client.force_login(person.user)
    return client


def main() -> None:
    scale = int(os.environ.get("BENCH_SCALE", "1000000"))
    wanted = int(os.environ.get("BENCH_ISSUES", "100000"))
    call_command("load_categories", "--default", verbosity=0)
    if (have := Appeal.objects.count()) < scale:
        generate_appeals(scale - have)
    start = time.perf_counter()
    loaded = generate_issues(max(0, wanted - Issue.objects.count()))
    load_seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"  generated: {loaded}")
    head, leader = _login("unit_head"), _login("leader")
    rng = random.Random(2)
    ids = list(Issue.objects.order_by("?").values_list("pk", flat=True)[:200])

    def get(who: Client, url: str) -> None:
        response = who.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    figures: dict[str, object] = {
        "appeals": Appeal.objects.count(),
        "issues": Issue.objects.count(),
        "issues_load_seconds": round(load_seconds, 1),
    }
    cases: dict[str, Callable[[], object]] = {
        "summary_district": lambda: rules.summary(),
        "unit_ledger_page": lambda: get(head, "/ledger/"),
        "unit_ledger_overdue": lambda: get(head, "/ledger/?overdue=1"),
        "district_ledger_page": lambda: get(leader, "/ledger/"),
        "item_page": lambda: get(leader, f"/ledger/{rng.choice(ids)}/"),
        "signoff_register": lambda: get(leader, "/ledger/register/"),
    }
    for name, call in cases.items():
        timing = timed(call, repeat=20)
        figures[f"{name}_median_ms"] = timing["median_ms"]
        figures[f"{name}_p95_ms"] = timing["p95_ms"]
    report("ledger", figures)


if __name__ == "__main__":
    main()
