"""bench insight: the appeal classifier on the real messages (docs/data.md; skipped without them).

Pinned to one CPU core. Timed: training on the labelled sample with the unlabelled messages and the
taxonomy (what ``manage.py insight train`` does); loading the saved file; a fresh process's imports,
model load and first prediction (jieba's dictionary from its cache); classifying appeals one by one
(the dispatch screen: top 3 with the words why) and in batches (target: ≥ 200 appeals/s on one core).
Then training on 10,000 labelled rows (target: under 60 s), made of the 495 labelled messages, the
7,142 unlabelled ones labelled by the sample-trained model, and 2,363 noisy copies of random ones among
those (sentences shuffled, one character in twenty dropped), because the public data holds no 10,000
labels. No database is used.

For the smoke run (scripts/bench.sh --smoke), BENCH_UNLABELLED keeps only the first that many unlabelled
messages (default: all) and BENCH_TRAIN_ROWS sets the size of the big training (default 10,000)."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, ROOT, env_int, report


def main() -> None:
    if not (DATA / "labelled-sample.csv").is_file():
        report("insight", {"skipped": f"real appeal data not found at {DATA}"})
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from minyi.insight import classifier, corpus
    from minyi.insight.text import set_cache_dir

    set_cache_dir(ROOT / "var" / "cache")
    figures: dict[str, object] = {
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    }

    labelled = corpus.read_labelled(DATA / "labelled-sample.csv")
    unlabelled = [text for name in corpus.UNLABELLED_NAMES for text in corpus.read_texts(DATA / name)]
    unlabelled = unlabelled[: env_int("BENCH_UNLABELLED", len(unlabelled))]
    taxonomy = corpus.read_taxonomy(DATA / corpus.TAXONOMY_NAME)
    start = time.perf_counter()
    model = classifier.train(labelled, unlabelled=unlabelled, taxonomy=taxonomy)
    figures["train_sample_seconds"] = round(time.perf_counter() - start, 1)
    figures["train_sample_rows"] = len(labelled)
    figures["unlabelled_rows"] = len(unlabelled)
    figures["cv_macro_f1"] = model.metadata["cv"]["macro_f1"]
    figures["cv_accuracy_at_half"] = model.metadata["cv"]["accuracy_at_half"]

    with tempfile.TemporaryDirectory() as folder:
        path = model.save(Path(folder) / classifier.default_model_name(model))
        figures["model_megabytes"] = round(path.stat().st_size / 1e6, 1)
        start = time.perf_counter()
        model = classifier.load(path)
        figures["load_seconds"] = round(time.perf_counter() - start, 2)
        figures.update(_fresh_process(path))

    sample = random.Random(1).sample(unlabelled, min(1000, len(unlabelled)))
    start = time.perf_counter()
    for title, body in sample:
        model.predict_top(title, body, k=3, why=5)
    figures["classify_one_by_one_per_s"] = round(len(sample) / (time.perf_counter() - start))
    start = time.perf_counter()
    model.predict_many(sample, k=3, why=5)
    figures["classify_batch_per_s"] = round(len(sample) / (time.perf_counter() - start))

    rows = list(labelled)
    rows += [
        (t, b, p.label)
        for (t, b), p in zip(unlabelled, model.predict_many(unlabelled, k=1, why=0), strict=True)
    ]
    big = env_int("BENCH_TRAIN_ROWS", 10_000)
    rng = random.Random(2)
    rows += [_noisy(rng, *rng.choice(rows)) for _ in range(big - len(rows))]
    rows = rows[:big]  # only ever shorter in a smoke run
    start = time.perf_counter()
    trained = classifier.train(rows, unlabelled=unlabelled, taxonomy=taxonomy)
    figures["train_10k_seconds"] = round(time.perf_counter() - start, 1)
    figures["train_10k_rows"] = trained.metadata["training_rows"]
    figures["train_10k_calibration"] = trained.metadata["cv"]["method"]
    report("insight", figures)


def _noisy(rng: random.Random, title: str, body: str, label: str) -> tuple[str, str, str]:
    sentences = [s for s in re.split(r"(?<=[。！？；])", body) if s]
    rng.shuffle(sentences)
    body = "".join(ch for ch in "".join(sentences) if rng.random() >= 0.05)
    return title, body, label


def _fresh_process(path: Path) -> dict[str, float]:
    """What a new web worker pays before its first suggestion: imports, loading the model file, and
    the first prediction (jieba's dictionary, read from its cache in var/cache)."""
    code = f"""
import json, time
t0 = time.perf_counter()
from minyi.insight import classifier, text
t1 = time.perf_counter()
text.set_cache_dir({str(ROOT / "var" / "cache")!r})
model = classifier.load({str(path)!r})
t2 = time.perf_counter()
model.predict_top("路灯坏了", "小区门口的路灯坏了一个月")
t3 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "load": t2 - t1, "first": t3 - t2}}))
"""

    def run() -> dict[str, float]:
        output = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        return dict(json.loads(output))

    run()  # the first run may have to build jieba's cache
    seconds = run()
    return {
        "fresh_import_seconds": round(seconds["import"], 2),
        "fresh_load_seconds": round(seconds["load"], 2),
        "fresh_first_prediction_seconds": round(seconds["first"], 2),
    }


if __name__ == "__main__":
    main()
