"""Shared set-up of the benchmarks: Django against the benchmark database, and timing helpers."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The public data set of real citizen messages, kept outside the repository (BENCH_DATA says where).
DATA = Path(os.environ.get("BENCH_DATA") or ROOT.parent / "shared" / "data" / "appeals")


def env_int(name: str, default: int) -> int:
    """A whole number ≥ 1 from the environment, or ``default``; a bad value stops the benchmark."""
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise SystemExit(f"{name}={value} must be at least 1")
    return value


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    import django

    django.setup()


def repeats(wanted: int) -> int:
    """How many times to repeat a timed call: ``wanted``, or fewer when BENCH_REPEATS caps it (the smoke
    run checks that the calls work, not how fast they are)."""
    return min(wanted, env_int("BENCH_REPEATS", wanted))


def timed(call: Callable[[], object], repeat: int) -> dict[str, float]:
    """Median and 95th percentile in milliseconds of ``repeat`` calls (after one warm-up call);
    BENCH_REPEATS caps ``repeat``."""
    repeat = repeats(repeat)
    call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
    }


def report(name: str, figures: dict[str, object]) -> None:
    """Print the figures readably, then the one JSON line that names the benchmark."""
    for key, value in figures.items():
        print(f"  {key}: {value}")
    print(json.dumps({"bench": name, **figures}, ensure_ascii=False))
