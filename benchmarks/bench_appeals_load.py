"""bench appeals-load: generate BENCH_SCALE appeals (default 1,000,000) across the demo district with
COPY, then time the pages staff and citizens use most: the dispatcher's inbox (first page), the
overdue filter, an appeal's detail page, echo-wall searches and the staff list's word search
(``staff_search_median_ms``). Target: each under 100 ms median."""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import report, setup_django, timed

setup_django()

from django.core.management import call_command
from django.db import connection
from django.test import Client

from minyi.appeals.filters import text_match
from minyi.appeals.models import Appeal
from minyi.demo.volume.appeals import generate
from minyi.org.choices import RESIDENTIAL_KINDS
from minyi.org.models import Person, Unit


def main() -> None:
    scale = int(os.environ.get("BENCH_SCALE", "1000000"))
    call_command("load_categories", "--default", verbosity=0)
    start = time.perf_counter()
    loaded = generate(scale)
    load_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE") if connection.vendor == "postgresql" else None
    print(f"  generated: {loaded}")
    client = Client()
    client.force_login(Person.objects.get(user__username="dispatcher").user)  # type: ignore[arg-type]
    numbers = list(Appeal.objects.order_by("?").values_list("number", flat=True)[:200])
    village = (
        Unit.objects.filter(kind__in=RESIDENTIAL_KINDS).order_by("path").values_list("name", flat=True)[0]
    )
    staff_queries = ["路灯坏了", "晚上噪音很大", "低保 审批", "路灯 低保", f"{village} 路灯", "鸽子"]
    rng = random.Random(1)

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    figures: dict[str, object] = {
        "appeals": loaded["appeals"],
        "load_seconds": round(load_seconds, 1),
        "appeals_per_s_loaded": round(loaded["appeals"] / load_seconds),
    }
    pages: list[tuple[str, Callable[[], str]]] = [
        ("inbox_first_page", lambda: "/appeals/"),
        ("overdue_filter", lambda: "/appeals/?due=overdue"),
        ("appeal_detail", lambda: f"/appeals/{rng.choice(numbers)}/"),
        ("echo_search", lambda: "/echo/?q=" + rng.choice(["路灯坏了", "噪音扰民", "公交班次", "低保申请"])),
        ("echo_search_2chars", lambda: "/echo/?q=" + rng.choice(["路灯", "噪音", "公交", "低保"])),
        (
            "echo_search_phrase",
            lambda: "/echo/?q=" + rng.choice(["晚上噪音很大", "加工厂噪音", "路灯 不安全"]),
        ),
        # The staff list's word search (minyi/appeals/words.py): common words, a phrase, words that
        # never occur together, a village's name with a word, and a word that occurs nowhere.
        ("staff_search", lambda: "/appeals/?q=" + quote(rng.choice(staff_queries))),
    ]
    for name, url_of in pages:
        result = timed(partial(_fetch, get, url_of), repeat=30)
        figures[f"{name}_median_ms"] = result["median_ms"]
        figures[f"{name}_p95_ms"] = result["p95_ms"]

    # The search alone (filters.text_match and the first page's ids), without rendering the page.
    def search_query() -> None:
        query = Appeal.objects.filter(text_match(rng.choice(staff_queries)))
        list(query.order_by("-received_at", "-id").values_list("pk", flat=True)[:21])

    figures["staff_search_query_median_ms"] = timed(search_query, repeat=60)["median_ms"]
    report("appeals-load", figures)


def _fetch(get: Callable[[str], None], url_of: Callable[[], str]) -> None:
    get(url_of())


if __name__ == "__main__":
    main()
