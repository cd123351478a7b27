"""bench hotspots: time the hotspot finder (minyi.insight.hotspots) on the real messages of the public
data set (messages-with-votes.csv, 4,326 messages; target under 60 s) and on BENCH_HOTSPOTS messages
(default 100,000; target under 10 minutes) made from them.

The large set resamples the real messages with light perturbation, seeded so every run is the same:
each new message is a real one drawn at random, with one character of its title dropped half of the
time and one to three characters of its body dropped (so texts are near, not exact, duplicates), its
time moved by up to ±3 days, its likes drawn between 0 and the original's, and a new author 70 % of
the time (the original author otherwise). Its clusters are therefore mostly near-copies of one real
message: the figure measures the time, not the quality, which the 4,326 run and the tests judge.

No database is needed, only the settings (their time zone). BENCH_MESSAGES (default: all) keeps only the
first that many real messages, for both runs, so that the smoke run (scripts/bench.sh --smoke) stays
short. The data set (docs/data.md) is looked for in BENCH_DATA (default: ../shared/data/appeals beside
the repository); without it the benchmark prints one JSON line with "skipped" and the reason."""

from __future__ import annotations

import dataclasses
import os
import random
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DATA, env_int, report, setup_django
from minyi.insight.hotspots import Message, find_hotspots, read_csv

CSV_NAME = "messages-with-votes.csv"


def perturbed(messages: list[Message], count: int, seed: int = 1) -> list[Message]:
    """``count`` messages resampled from ``messages`` with light perturbation (see the module docstring)."""
    rng = random.Random(seed)

    def drop(text: str, characters: int) -> str:
        for _ in range(characters):
            if len(text) > 4:
                at = rng.randrange(len(text))
                text = text[:at] + text[at + 1 :]
        return text

    made = []
    for number in range(count):
        source = rng.choice(messages)
        shift = timedelta(hours=rng.uniform(-72, 72))
        made.append(
            dataclasses.replace(
                source,
                id=f"{source.id}-{number}",
                title=drop(source.title, rng.randint(0, 1)),
                body=drop(source.body, rng.randint(1, 3)),
                received_at=source.received_at + shift if source.received_at else None,
                likes=rng.randint(0, source.likes),
                user=source.user if rng.random() < 0.3 else f"bench-{number}",
            )
        )
    return made


def timed_run(messages: list[Message]) -> tuple[float, int, int]:
    """Seconds for find_hotspots over all messages, the hotspots found and the largest one's size."""
    start = time.perf_counter()
    spots = find_hotspots(messages)
    seconds = time.perf_counter() - start
    return seconds, len(spots), max((spot.size for spot in spots), default=0)


def main() -> None:
    setup_django()  # the finder reads local times in the project's time zone (settings.TIME_ZONE)
    path = DATA / CSV_NAME
    if not path.is_file():
        report("hotspots", {"skipped": f"{path} not found (set BENCH_DATA to the appeals data folder)"})
        return
    scale = int(os.environ.get("BENCH_HOTSPOTS", "100000"))
    messages = read_csv(path)
    messages = messages[: env_int("BENCH_MESSAGES", len(messages))]
    figures: dict[str, object] = {"messages": len(messages)}
    seconds, found, largest = timed_run(messages)
    figures |= {"seconds": round(seconds, 1), "hotspots": found, "largest": largest, "target_seconds": 60}
    print(f"  {len(messages)} messages: {seconds:.1f} s, {found} hotspots")
    large = perturbed(messages, scale)
    seconds, found, largest = timed_run(large)
    figures |= {
        "large_messages": len(large),
        "large_seconds": round(seconds, 1),
        "large_hotspots": found,
        "large_largest": largest,
        "large_target_seconds": 600,
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    report("hotspots", figures)


if __name__ == "__main__":
    main()
