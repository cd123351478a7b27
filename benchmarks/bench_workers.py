"""bench workers: 1, 2 and 4 worker processes drain BENCH_JOBS outbox jobs (default 100,000) through
the worker's own claim and run (minyi/worker/rules.work); every job must run exactly once.

Each run loads the jobs with one bulk INSERT, starts the processes, waits until each has set Django
up, then lets them go together; the clock stops when the last one finds nothing due. The handler
records each run in a table of its own, so a job run twice or never is counted, not assumed.
Figures: jobs per second for each number of processes, ``ran_twice`` and ``not_run`` summed over
the runs (both must be 0). A child process is this file run with ``--child NAME``.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import env_int, report, setup_django

setup_django()

from django.db import connection

from minyi.worker.choices import JobState
from minyi.worker.models import Job
from minyi.worker.rules import handler, work

KIND = "bench.count_run"
PROCESSES = (1, 2, 4)


@handler(KIND)
def count_run(payload: dict[str, Any]) -> None:
    """The job's whole work: one row saying it ran (a notification's work is one gateway call)."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_worker_runs (job_id) VALUES (%s)", [payload["n"]])


def child(name: str) -> None:
    # One INFO line per job would cost more than the job and flood the benchmark's output.
    logging.getLogger("minyi.worker").setLevel(logging.WARNING)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("the benchmark did not say go")
    work(name, once=True)


def drain(processes: int, jobs: int) -> dict[str, float | int]:
    Job.objects.filter(kind=KIND).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_worker_runs")
    Job.objects.bulk_create((Job(kind=KIND, payload={"n": n}) for n in range(jobs)), batch_size=5000)
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--child", f"bench-{processes}-{i}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    for process in children:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise SystemExit("a worker process failed to start")
    start = time.perf_counter()
    for process in children:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.close()
    failed = [process.args for process in children if process.wait() != 0]
    seconds = time.perf_counter() - start
    if failed:
        raise SystemExit(f"worker processes failed: {failed}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT job_id FROM bench_worker_runs GROUP BY job_id"
            " HAVING count(*) > 1) AS t"
        )
        ran_twice = cursor.fetchone()[0]
        cursor.execute("SELECT count(DISTINCT job_id) FROM bench_worker_runs")
        ran = cursor.fetchone()[0]
    not_done = Job.objects.filter(kind=KIND).exclude(state=JobState.DONE).count()
    return {
        "jobs_per_s": round(jobs / seconds),
        "seconds": round(seconds, 1),
        "ran_twice": ran_twice,
        "not_run": max(jobs - ran, not_done),
    }


def main() -> None:
    jobs = env_int("BENCH_JOBS", 100_000)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_worker_runs (job_id bigint NOT NULL)")
    try:
        runs = {}
        for processes in PROCESSES:
            runs[processes] = drain(processes, jobs)
            print(f"  {processes} process(es): {runs[processes]}")
    finally:
        Job.objects.filter(kind=KIND).delete()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_worker_runs")
    report(
        "workers",
        {
            "jobs": jobs,
            "database": connection.vendor,
            "jobs_per_s": {str(n): run["jobs_per_s"] for n, run in runs.items()},
            "ran_twice": sum(run["ran_twice"] for run in runs.values()),
            "not_run": sum(run["not_run"] for run in runs.values()),
        },
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()
