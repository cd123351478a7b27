"""Configuration from the environment: strict parsing and a one-line refusal to start."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path

import pytest

from minyi.env import (
    EnvError,
    Weekly,
    env_bool,
    env_clock,
    env_interval,
    env_list,
    env_weekly,
    parse_database_url,
)

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "Z9x!q" * 8


def test_sqlite_url_relative_and_absolute() -> None:
    relative = parse_database_url("sqlite:///var/x.sqlite3", base_dir=Path("/srv/minyi"))
    absolute = parse_database_url("sqlite:////data/minyi.sqlite3", base_dir=Path("/srv/minyi"))
    assert relative["NAME"] == "/srv/minyi/var/x.sqlite3"
    assert absolute["NAME"] == "/data/minyi.sqlite3"


def test_postgres_url_parts() -> None:
    db = parse_database_url("postgresql://minyi:p%40ss@db.local:6543/minyi?sslmode=require", base_dir=ROOT)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "minyi",
        "p@ss",
        "db.local",
        "6543",
        "minyi",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["mysql://root@localhost/minyi", "minyi.sqlite3", "postgresql://host/"])
def test_unsupported_or_incomplete_database_url_is_refused(url: str) -> None:
    with pytest.raises(EnvError):
        parse_database_url(url, base_dir=ROOT)


def test_booleans_and_lists_are_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(EnvError, match="not a boolean"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_HOSTS", "a.gov.cn,,b.gov.cn")
    with pytest.raises(EnvError, match="empty item"):
        env_list("X_HOSTS", [])


def test_job_times_are_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    hourly = timedelta(hours=1)
    for value, expected in [("15m", timedelta(minutes=15)), ("2h", timedelta(hours=2)), ("", hourly)]:
        monkeypatch.setenv("X_EVERY", value)
        assert env_interval("X_EVERY", hourly) == expected
    monkeypatch.setenv("X_AT", "07:05")
    assert env_clock("X_AT", time(18, 0)) == time(7, 5)
    monday = Weekly(0, time(8, 30))
    monkeypatch.setenv("X_WEEKLY", "Fri 17:30")
    assert env_weekly("X_WEEKLY", monday) == Weekly(4, time(17, 30))
    cases: list[tuple[str, Callable[[], object], list[str]]] = [
        ("X_EVERY", lambda: env_interval("X_EVERY", hourly), ["0m", "1.5h", "90", "1d", "-5m"]),
        ("X_AT", lambda: env_clock("X_AT", time(18, 0)), ["24:00", "7:05", "08:60", "0830", "08:30:00"]),
        ("X_WEEKLY", lambda: env_weekly("X_WEEKLY", monday), ["monday 08:30", "mon", "08:30", "mon 8:30"]),
    ]
    for name, parse, bad in cases:
        for value in bad:
            monkeypatch.setenv(name, value)
            with pytest.raises(EnvError, match=name):
                parse()


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    unset = {"SECRET_KEY", "DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    # No timeout: a wait with a timeout polls with time.sleep, which fails with EINVAL under the moved
    # clock (libfaketime shifts sleep's absolute monotonic deadline by its 400 days). These commands stop
    # while the settings load.
    return subprocess.run(  # noqa: S603  (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_secret_key_refuses_with_one_line() -> None:
    result = _manage(
        {"DJANGO_SETTINGS_MODULE": "minyi.settings_production", "ALLOWED_HOSTS": "x.gov.cn"}, "check"
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "minyi: refusing to start: SECRET_KEY must be set in production"
    ]


def test_unknown_database_scheme_refuses_with_one_line() -> None:
    result = _manage({"DATABASE_URL": "oracle://scott@db/orcl"}, "check")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DATABASE_URL scheme 'oracle' is not supported" in lines[0]


def test_a_bad_job_time_refuses_with_one_line() -> None:
    result = _manage({"JOB_BRIEFING_AT": "monday 8:30"}, "check")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "minyi: refusing to start: JOB_BRIEFING_AT='monday 8:30' is not a weekly time"
        " (write a day and HH:MM, e.g. mon 08:30)"
    ]


def test_production_without_a_shared_cache_refuses_with_one_line() -> None:
    # Rate limits on a per-process cache would count each gunicorn worker on its own.
    production = {
        "DJANGO_SETTINGS_MODULE": "minyi.settings_production",
        "ALLOWED_HOSTS": "minyi.example.gov.cn",
        "SECRET_KEY": GOOD_KEY,
    }
    for cache_url in ["", "locmem://"]:
        result = _manage({**production, "CACHE_URL": cache_url}, "check")
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            "minyi: refusing to start: CACHE_URL must name a shared cache in production"
            " (redis://host:6379/0), not locmem://"
        ]


def test_bad_trusted_proxies_refuse_with_one_line() -> None:
    result = _manage({"TRUSTED_PROXIES": "10.0.0.0/8,lb.internal"}, "check")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "minyi: refusing to start: TRUSTED_PROXIES: 'lb.internal' is not an IP address or network"
        " (write e.g. 10.0.0.5 or 10.0.0.0/24)"
    ]


def test_the_replaced_login_lockout_settings_refuse_with_one_line() -> None:
    result = _manage({"LOGIN_LOCKOUT_FAILURES": "5"}, "check")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "minyi: refusing to start: LOGIN_LOCKOUT_FAILURES was replaced by LOGIN_DELAY_AFTER_FAILURES and"
        " LOGIN_DELAY_MAX (README)"
    ]


def test_production_profile_passes_deploy_check() -> None:
    result = _manage(
        {
            "DJANGO_SETTINGS_MODULE": "minyi.settings_production",
            "ALLOWED_HOSTS": "minyi.example.gov.cn",
            "SECRET_KEY": GOOD_KEY,
            "CACHE_URL": "redis://127.0.0.1:6379/0",  # the check does not connect
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
