"""scripts/serve.py (`make run`, `make prod`) leaves no process behind: not on SIGTERM, and not when the
make that started it is killed outright (before, `make run`'s worker and runserver outlived a signal to
make). Runs the development profile for real (runserver with its autoreloader child, and a worker) on a
throw-away SQLite database; the production profile is walked by scripts/smoke-prod.sh in CI."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve.py"
pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the session"),
    # Under the moved clock (libfaketime) timed waits can fail with EINVAL (minyi/tests/test_settings.py);
    # what is tested here, processes and signals, has nothing to do with dates.
    pytest.mark.skipif("FAKETIME" in os.environ, reason="no timed waits under the moved clock"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _session(sid: int) -> list[int]:
    """The processes of session ``sid`` (everything the stack started stays in it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == sid:
                    found.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return found


def _until(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        pause.wait(0.2)
    raise AssertionError(f"{what} within {seconds:g} s")


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`sh -c "serve.py run; …"` in a new session: sh stands for make, serve.py is its child."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "BIND": f"127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "minyi.settings",
        "SMS_FILE": str(tmp_path / "sms.jsonl"),
        "STOP_TIMEOUT": "15",
    }
    parent = subprocess.Popen(  # noqa: S603
        ["/bin/sh", "-c", f'"{sys.executable}" "{SERVE}" run; echo "serve.py exited $?"'],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _until(lambda: _answers(port), 120, "the development server did not answer")
        yield parent, parent.pid
    finally:
        for pid in _session(parent.pid):  # only what this test started, if a check failed
            os.kill(pid, signal.SIGKILL)
        parent.wait()


def test_sigterm_stops_the_server_and_the_worker(stack: tuple[subprocess.Popen[bytes], int]) -> None:
    parent, sid = stack
    assert len(_session(sid)) >= 4  # sh, serve.py, the worker, runserver and its autoreloader child
    serve = next(pid for pid in _session(sid) if pid != parent.pid and "serve.py" in _cmdline(pid))
    os.kill(serve, signal.SIGTERM)
    _until(lambda: parent.poll() is not None, 60, "serve.py did not stop")
    assert parent.returncode == 0
    _until(lambda: not _session(sid), 30, "processes were left behind")


def test_killing_the_parent_outright_stops_everything(stack: tuple[subprocess.Popen[bytes], int]) -> None:
    parent, sid = stack
    os.kill(parent.pid, signal.SIGKILL)  # make killed with -9: serve.py sees its parent go
    parent.wait()
    _until(lambda: not _session(sid), 60, "processes were left behind")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
