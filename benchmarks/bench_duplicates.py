"""bench duplicates: the duplicate decision (minyi.insight.duplicates, docs/duplicates.md) over the real
messages of the public data set (messages-with-votes.csv, 4,326 messages; target under 120 s), and its
precision and recall on the hand-labelled pairs beside its tests (minyi/insight/tests/duplicate_pairs.csv:
at least 300 pairs, each read and labelled "the same problem at the same place?" by hand; the rules were
written from the "rules" half and are checked on the "check" half; target precision ≥ 0.90 at recall ≥
0.60 on each).

No database is needed. BENCH_MESSAGES (default: all) keeps only the first that many messages, so that the
smoke run stays short (its figures then mean nothing: most labelled pairs fall outside). The data set
(docs/data.md) is looked for in BENCH_DATA (default: ../shared/data/appeals beside the repository);
without it the benchmark prints one JSON line with "skipped" and the reason."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, env_int, report, setup_django

CSV_NAME = "messages-with-votes.csv"
LABELS = Path(__file__).resolve().parent.parent / "minyi" / "insight" / "tests" / "duplicate_pairs.csv"


def main() -> None:
    setup_django()
    from minyi.insight import duplicates

    path = DATA / CSV_NAME
    if not path.is_file():
        report("duplicates", {"skipped": f"{path} not found (set BENCH_DATA to the appeals data folder)"})
        return
    start = time.perf_counter()
    messages = duplicates.read_messages(path)
    messages = messages[: env_int("BENCH_MESSAGES", len(messages))]
    flagged = duplicates.scan(messages)
    seconds = time.perf_counter() - start
    figures: dict[str, object] = {
        "messages": len(messages),
        "pairs_flagged": len(flagged),
        "seconds": round(seconds, 1),
        "target_seconds": 120,
    }
    print(f"  {len(messages)} messages: {len(flagged)} pairs flagged in {seconds:.1f} s")
    measured = duplicates.measure(flagged, duplicates.read_labels(LABELS))
    for half in ("rules", "check", "all"):
        got = measured.get(half, {})
        print(f"  {half}: {got.get('pairs')} labelled pairs, precision {got.get('precision')}, "
              f"recall {got.get('recall')}")  # fmt: skip
        figures[half] = {key: got.get(key) for key in ("pairs", "precision", "recall", "tp", "fp", "fn")}
    figures |= {"target_precision": 0.9, "target_recall": 0.6}
    report("duplicates", figures)


if __name__ == "__main__":
    main()
