#!/usr/bin/env python3
"""`make run` and `make prod`: start the web server and the workers, and stop every one of them.

    scripts/serve.py run            the development server on 127.0.0.1:8000 and one worker (SQLite)
    scripts/serve.py prod           migrate, collectstatic, gunicorn with the production settings and
                                    WORKERS workers (default 2), on PostgreSQL and Redis (docs/deploy.md)

Each child runs in a process group of its own (the development server's autoreloader and gunicorn's
workers are children of children), and every group is stopped as a whole: SIGTERM, then after
STOP_TIMEOUT seconds SIGKILL. Everything stops when this process gets SIGINT (Ctrl-C) or SIGTERM, when
one child exits (the others are stopped; the exit code is the child's), and when the parent that
started it goes away (make killed with SIGKILL: no worker is left behind). Only the standard library,
so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
#: How long a child may take to stop after SIGTERM (a worker first finishes the job in hand).
STOP_TIMEOUT = float(os.environ.get("STOP_TIMEOUT", "20"))
POLL = 0.2


def say(message: str) -> None:
    print(f"serve: {message}", file=sys.stderr, flush=True)


class Group:
    """The children, each the leader of its own process group."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = False

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        say(f"starting {name}: {' '.join(argv)}")
        child = subprocess.Popen(argv, cwd=ROOT, env=env, process_group=0)  # noqa: S603
        self.children.append((name, child))

    def wait(self, parent: int) -> int:
        """Until a child exits, a signal asks to stop, or the parent is gone; the exit code."""
        while not self.stopping:
            for name, child in self.children:
                code = child.poll()
                if code is not None:
                    say(f"{name} exited with {code}; stopping the others")
                    return code or 1
            if os.getppid() != parent:
                say("the parent process is gone; stopping")
                return 1
            time.sleep(POLL)
        return 0

    def step(self, name: str, argv: list[str], env: dict[str, str], parent: int) -> int:
        """Run one preparing command (migrate, collectstatic) to its end, unless asked to stop first."""
        self.start(name, argv, env)
        _name, child = self.children[-1]
        while not self.stopping:
            code = child.poll()
            if code is not None:
                self.children.pop()
                return code
            if os.getppid() != parent:
                say("the parent process is gone; stopping")
                return 1
            time.sleep(POLL)
        return 1

    def stop(self) -> None:
        self.stopping = True
        for _name, child in self.children:
            _signal_group(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within {STOP_TIMEOUT:g} s; killing it")
            # The leader has gone (or is killed now); whatever it left in its group goes with it.
            _signal_group(child.pid, signal.SIGKILL)
            child.wait()
        say("stopped")


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(pgid, signum)


def supervised(group: Group) -> None:
    """Signals ask the group to stop (from the start, so no preparing step outlives make either)."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        say(f"{signal.Signals(signum).name} received; stopping")
        group.stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)


def run_all(
    group: Group,
    starts: list[tuple[str, list[str], dict[str, str]]],
    steps: Sequence[tuple[str, list[str], dict[str, str]]] = (),
) -> int:
    parent = os.getppid()
    code = 0
    try:
        for name, argv, env in steps:
            code = group.step(name, argv, env, parent)
            if code or group.stopping:
                return code or 1
        for name, argv, env in starts:
            group.start(name, argv, env)
        code = group.wait(parent)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        group.stop()
    return code


def manage(*args: str) -> list[str]:
    return [PY, str(ROOT / "manage.py"), *args]


def development() -> int:
    env = dict(os.environ)
    group = Group()
    supervised(group)
    return run_all(
        group,
        [
            ("worker", manage("worker", "--id", "make-run"), env),
            ("runserver", manage("runserver", os.environ.get("BIND", "127.0.0.1:8000")), env),
        ],
    )


def production(workers: int, web_workers: int, bind: str) -> int:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "minyi.settings_production"
    database, cache = env.get("DATABASE_URL", ""), env.get("CACHE_URL", "")
    if not database.startswith(("postgresql://", "postgres://")):
        say("make prod runs on PostgreSQL: set DATABASE_URL=postgresql://user:password@host:5432/name")
        return 2
    if not cache.startswith(("redis://", "rediss://")):
        say("make prod shares its cache in Redis: set CACHE_URL=redis://host:6379/0")
        return 2
    # django-prometheus sums the gunicorn processes' series through files here (minyi/gunicorn_conf.py).
    metrics_dir = Path(env.get("PROMETHEUS_MULTIPROC_DIR") or ROOT / "var" / "prometheus")
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    gunicorn = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "minyi.wsgi",
        "--config", "python:minyi.gunicorn_conf",
        "--bind", bind,
        "--workers", str(web_workers),
    ]  # fmt: skip
    suffix = secrets.token_hex(2)  # workers of two stacks on one host keep apart in the heartbeats
    starts = [("gunicorn", gunicorn, env)]
    starts += [
        (f"worker-{n}", manage("worker", "--id", f"prod-{suffix}-{n}"), env) for n in range(1, workers + 1)
    ]
    steps = [
        (" ".join(step), manage(*step), env)
        for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"])
    ]
    group = Group()
    supervised(group)
    return run_all(group, starts, steps)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("profile", choices=["run", "prod"])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
    args = parser.parse_args()
    if args.workers < 1 or args.web_workers < 1:
        parser.error("--workers and --web-workers must be at least 1")
    if args.profile == "run":
        return development()
    return production(args.workers, args.web_workers, args.bind)


if __name__ == "__main__":
    sys.exit(main())
