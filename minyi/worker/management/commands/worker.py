"""``manage.py worker``: deliver the outbox and run other background jobs, with retries.

Run one per CPU or more (each process is one worker; they share the queue safely), or from cron
with ``--once``. SIGTERM or SIGINT lets the job in hand finish, then exits; a second signal exits
at once (the job is then run again by another worker after the lock timeout).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connections

from minyi.worker.rules import registered_kinds, work

logger = logging.getLogger("minyi.worker")


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{value} must be more than 0 and at most 3600 seconds")
    return value


class Command(BaseCommand):
    help = (
        "Run the background worker: claim due jobs (notifications and other outbox work) and run them "
        "with retries, until SIGTERM or SIGINT. With --once, run what is due now and exit."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the jobs due now, then exit (for cron)")
        parser.add_argument(
            "--id",
            dest="worker_id",
            metavar="NAME",
            help="this worker's name in job locks and logs (default: host:pid)",
        )
        parser.add_argument(
            "--idle-sleep",
            type=_seconds,
            default=1.0,
            metavar="SECONDS",
            help="how long to wait when no job is due (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id: str = options["worker_id"] or f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()
        outcome: dict[str, Any] = {}

        def run() -> None:
            # Signals must reach the main thread, which is waiting in join() to take them.
            if hasattr(signal, "pthread_sigmask"):  # POSIX; elsewhere signals go to the main thread anyway
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
            try:
                outcome["ran"] = work(
                    worker_id, once=options["once"], idle_sleep=options["idle_sleep"], stop=stop
                )
            except BaseException as error:  # handed to the main thread, which raises it
                outcome["error"] = error
            finally:
                connections.close_all()

        logger.info(
            "worker %s starting (%s), kinds: %s",
            worker_id,
            "once" if options["once"] else "loop",
            registered_kinds(),
        )
        # The jobs run in a thread while the main thread only waits for it and takes the signals:
        # a signal handler that set the Event while the main thread was itself inside Event.wait()
        # could deadlock on the Event's lock.
        thread = threading.Thread(target=run, name=f"worker {worker_id}", daemon=True)
        with _stop_on_signals(stop, worker_id):
            thread.start()
            thread.join()
        if "error" in outcome:
            raise outcome["error"]
        logger.info("worker %s stopped after %d jobs", worker_id, outcome["ran"])


@contextmanager
def _stop_on_signals(stop: threading.Event, worker_id: str) -> Iterator[None]:
    """While inside, SIGTERM/SIGINT set ``stop``; a second one gets the default behaviour back."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread takes signals
        yield
        return
    watched = (signal.SIGTERM, signal.SIGINT)
    # getsignal() gives None for a handler not set from Python; SIG_DFL is the closest to put back.
    previous = {signum: _handler_or_default(signal.getsignal(signum)) for signum in watched}

    def restore() -> None:
        for signum, old in previous.items():
            signal.signal(signum, old)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        logger.info(
            "worker %s: %s received, stopping after the job in hand", worker_id, signal.Signals(signum).name
        )
        stop.set()
        restore()

    for signum in watched:
        signal.signal(signum, on_signal)
    try:
        yield
    finally:
        restore()


def _handler_or_default(handler: Any) -> Any:
    return signal.SIG_DFL if handler is None else handler
