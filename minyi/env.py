"""Strict parsing of configuration from the environment.

Every setting that comes from the environment goes through one of these functions, so a typo in
production fails loudly at start-up with a one-line reason instead of running with a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class EnvError(Exception):
    """A configuration value from the environment is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable, or the default; raise if neither exists."""
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise EnvError(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean written as 1/0, true/false, yes/no or on/off (nothing else)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Parse an integer, optionally bounded below."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise EnvError(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Parse a comma-separated list; blank items are an error, not silently dropped."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise EnvError(f"{name}={raw!r} has an empty item")
    return items


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    """Turn a DATABASE_URL into a Django DATABASES entry.

    Accepted: ``sqlite:///relative/path``, ``sqlite:////absolute/path``,
    ``postgres://`` / ``postgresql://user:password@host:port/name?sslmode=…``.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc:
            raise EnvError(f"DATABASE_URL {url!r}: write sqlite:///relative or sqlite:////absolute")
        path = unquote(parts.path)[1:]
        if not path:
            raise EnvError(f"DATABASE_URL {url!r} names no database file")
        file = Path(path) if Path(path).is_absolute() else base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(file),
            # WAL lets readers work while the one writer writes; IMMEDIATE avoids the upgrade
            # deadlock SQLite raises when two transactions both try to turn a read into a write.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise EnvError(f"DATABASE_URL {url!r} names no database")
        try:
            port = parts.port
        except ValueError:
            raise EnvError(f"DATABASE_URL {url!r} has a bad port") from None
        options = dict(parse_qsl(parts.query, strict_parsing=False))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise EnvError(
        f"DATABASE_URL scheme {parts.scheme or '(none)'!r} is not supported (use sqlite or postgresql)"
    )


def parse_cache_url(url: str) -> dict[str, Any]:
    """Turn CACHE_URL into a Django CACHES entry: ``locmem://`` (one process) or ``redis://host:port/db``
    (shared by every web process, needed for rate limits behind a load balancer)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "minyi"}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise EnvError(f"CACHE_URL scheme {scheme or '(none)'!r} is not supported (use locmem:// or redis://)")
