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


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    import django

    django.setup()


def timed(call: Callable[[], object], repeat: int) -> dict[str, float]:
    """Median and 95th percentile in milliseconds of ``repeat`` calls (after one warm-up call)."""
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
