"""compare search-indexes: the staff list's word search through the words column (tsvector + GIN, what
the list uses) against pg_trgm's GIN index on the text, on the appeals already in a PostgreSQL database
(e.g. after bench_appeals_load with BENCH_DATABASE_URL). Not run by `make bench`: it builds a trigram
index over every appeal (minutes at a million) and drops it again. The figures are in docs/design.md.

    DATABASE_URL=postgresql://…/db .venv/bin/python benchmarks/compare_search_indexes.py
"""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import report, setup_django, timed

setup_django()

from django.db import connection

from minyi.appeals import words
from minyi.appeals.filters import text_match
from minyi.appeals.models import Appeal
from minyi.org.choices import RESIDENTIAL_KINDS
from minyi.org.models import Unit

TRGM_INDEX = "compare_appeal_text_trgm"
PAGE = "ORDER BY received_at DESC, id DESC LIMIT 21"


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only")
    village = (
        Unit.objects.filter(kind__in=RESIDENTIAL_KINDS).order_by("path").values_list("name", flat=True)[0]
    )
    queries = ["路灯坏了", "晚上噪音很大", "低保 审批", "路灯 低保", f"{village} 路灯", "噪音", "鸽子"]
    figures: dict[str, object] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM appeals_appeal")
        figures["appeals"] = cursor.fetchone()[0]
        start = time.perf_counter()
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON appeals_appeal "
            "USING gin ((title || ' ' || body) gin_trgm_ops)"
        )
        cursor.execute("ANALYZE appeals_appeal")
        figures["trgm_build_s"] = round(time.perf_counter() - start, 1)
        for name in (TRGM_INDEX, "appeal_search_words"):
            cursor.execute("SELECT pg_relation_size(%s::regclass)", [name])
            figures[f"{name}_mb"] = round(cursor.fetchone()[0] / 2**20, 1)
        try:
            for q in queries:
                wanted = words.required(words.query_words(q))
                tsquery = " & ".join(f"'{w}'" for w in wanted)
                likes = " AND ".join("(title || ' ' || body) LIKE %s" for _ in wanted)
                trgm_sql = f"SELECT id FROM appeals_appeal WHERE {likes} {PAGE}"  # noqa: S608 (constant text)
                plain_sql = f"SELECT id FROM appeals_appeal WHERE search_words @@ %s::tsquery {PAGE}"  # noqa: S608 (constant text)

                def run(sql: str, params: list[str]) -> None:
                    cursor.execute(sql, params)
                    cursor.fetchall()

                def by_list(q: str = q) -> None:
                    # What the staff list does (filters.text_match: probe the index, then choose its way).
                    list(
                        Appeal.objects.filter(text_match(q)).order_by("-received_at", "-id").values("pk")[:21]
                    )

                figures[f"list:{q}_median_ms"] = timed(by_list, repeat=20)["median_ms"]
                plain = partial(run, plain_sql, [tsquery])
                figures[f"gin_only:{q}_median_ms"] = timed(plain, repeat=20)["median_ms"]
                trgm = partial(run, trgm_sql, [f"%{w}%" for w in wanted])
                figures[f"trgm:{q}_median_ms"] = timed(trgm, repeat=20)["median_ms"]
                cursor.execute(
                    "SELECT count(*) FROM appeals_appeal WHERE search_words @@ %s::tsquery", [tsquery]
                )
                figures[f"matches:{q}"] = cursor.fetchone()[0]
        finally:
            cursor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
    report("compare-search-indexes", figures)


if __name__ == "__main__":
    main()
