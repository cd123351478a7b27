"""bench triage: smart dispatch on the benchmark database (run after bench_appeals_load: a million appeals).

500 new appeals (real messages, docs/data.md, when present, else generated text) arrive
through the rules; the triage job's per-appeal work then runs on them: suggest their categories, note
their likely duplicates, auto-dispatch the sure ones (threshold 0.9). Timed: the job's query finding
the new appeals among all, its throughput, and the dispatcher's appeal page with its suggestions and
duplicates (median and 95th percentile). BENCH_TRIAGE sets how many new appeals (default 500).

Without an active model (a district loaded without its demo appeals, as the smoke run of
scripts/bench.sh does), one is trained first, on the dispatchers' labels and, as they may be few or
none, on 500 synthetic appeals (minyi.demo.synthetic) with their categories."""

from __future__ import annotations

import csv
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, env_int, report, setup_django, timed

setup_django()

from django.test import Client

from minyi.appeals import rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal
from minyi.demo.synthetic import make_text
from minyi.insight import registry, routing
from minyi.insight.jobs import triage_many
from minyi.insight.models import ClassifierVersion, DuplicateHint, InsightSettings, Suggestion
from minyi.org.models import Person, Unit

NEW = env_int("BENCH_TRIAGE", 500)
THRESHOLD = 0.9
MESSAGES = DATA / "messages-with-votes.csv"


def texts(rng: random.Random) -> list[tuple[str, str]]:
    if MESSAGES.is_file():
        with open(MESSAGES, encoding="utf-8-sig", newline="") as handle:
            rows = [
                (row["title"][:100], row["body"][:3000]) for row in csv.DictReader(handle) if row["title"]
            ]
        return rng.sample(rows, NEW)
    return [(f"村口路灯坏了第{n}天", f"村口的路灯坏了{n}天，晚上很黑，请尽快维修。") for n in range(NEW)]


def main() -> None:
    rng = random.Random(5)
    if not ClassifierVersion.objects.filter(is_active=True).exists():
        places = [unit.name for unit in Unit.objects.filter(kind="village")[:50]] or ["海滨村"]
        synthetic = random.Random(6)  # its own stream: ``rng`` draws as when a model is there
        made = (make_text(synthetic, synthetic.choice(places)) for _ in range(500))
        rows = [(text.title, text.body, text.category) for text in made]
        registry.train(csv_rows=rows, sources="bench: labels and synthetic appeals")
    version = ClassifierVersion.objects.get(is_active=True)
    settings_row = InsightSettings.load()
    settings_row.auto_dispatch_threshold = THRESHOLD
    settings_row.save()
    villages = list(Unit.objects.filter(kind="village")[:50])
    new = []
    for title, body in texts(rng):
        appeal = rules.submit(
            channel=Channel.MAILBOX,
            kind=Kind.COMPLAINT,
            title=title,
            body=body,
            village=rng.choice(villages),
            citizen_phone=f"139{rng.randrange(10**8):08d}",
        ).appeal
        new.append(appeal)
    numbers = [appeal.number for appeal in new]
    waiting = Appeal.objects.filter(state="received").count()
    pending = timed(lambda: routing.pending(), repeat=10)
    started = time.perf_counter()
    triage_many(new)  # what the job does with each new appeal
    triaged = Suggestion.objects.filter(appeal__number__in=numbers).count()
    seconds = time.perf_counter() - started
    auto = Suggestion.objects.filter(appeal__number__in=numbers, auto_dispatched=True).count()
    hints = DuplicateHint.objects.filter(appeal__number__in=numbers).count()
    still_new = list(
        Appeal.objects.filter(number__in=numbers, state="received").values_list("number", flat=True)
    )
    client = Client()
    client.force_login(Person.objects.get(user__username="dispatcher").user)  # type: ignore[arg-type]

    def detail() -> None:
        response = client.get(f"/appeals/{rng.choice(still_new or numbers)}/")
        if response.status_code != 200:
            raise SystemExit(f"appeal page answered {response.status_code}")

    page = timed(detail, repeat=30)
    report(
        "triage",
        {
            "appeals": Appeal.objects.count(),
            "texts": "real" if MESSAGES.is_file() else "generated",
            "model": version.version,
            "model_labels": version.training_rows,
            "received_waiting": waiting,
            "pending_query_median_ms": pending["median_ms"],
            "triaged": triaged,
            "triage_per_s": round(triaged / seconds, 1),
            "auto_dispatched": auto,
            "threshold": THRESHOLD,
            "duplicate_hints": hints,
            "dispatch_page_median_ms": page["median_ms"],
            "dispatch_page_p95_ms": page["p95_ms"],
        },
    )


if __name__ == "__main__":
    main()
