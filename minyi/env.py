"""Strict parsing of configuration from the environment.

Every setting that comes from the environment goes through one of these functions, so a typo in
production fails loudly at start-up with a one-line reason instead of running with a default.
"""

from __future__ import annotations

import ipaddress
import os
import re
from datetime import time, timedelta
from pathlib import Path
from typing import Any, NamedTuple
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


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def env_networks(name: str) -> list[IPNetwork]:
    """Parse a comma-separated list of IP addresses and networks (``10.0.0.5,10.1.0.0/16,fd00::/8``);
    unset means none. A network with host bits set (``10.0.0.5/24``) is refused as a likely typo."""
    networks: list[IPNetwork] = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError:
            raise EnvError(
                f"{name}: {item!r} is not an IP address or network (write e.g. 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return networks


class Weekly(NamedTuple):
    """A day of the week (0 = Monday) and a local time on it."""

    weekday: int
    at: time


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = r"([01][0-9]|2[0-3]):([0-5][0-9])"
_INTERVAL = re.compile(r"([1-9][0-9]*)([mh])")
_DAILY = re.compile(_CLOCK)
_WEEKLY = re.compile(rf"({'|'.join(_WEEKDAYS)}) {_CLOCK}", re.IGNORECASE)


def _env_match(name: str, pattern: re.Pattern[str], what: str) -> re.Match[str] | None:
    """The variable matched in full by ``pattern``; None when it is unset, an error when it does not match."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return None
    found = pattern.fullmatch(raw.strip())
    if found is None:
        raise EnvError(f"{name}={raw!r} is not {what}")
    return found


def env_interval(name: str, default: timedelta) -> timedelta:
    """Parse an interval written in whole minutes or hours: ``15m``, ``1h``."""
    found = _env_match(name, _INTERVAL, "an interval (write minutes or hours, e.g. 15m or 1h)")
    if found is None:
        return default
    count = int(found[1])
    return timedelta(minutes=count) if found[2] == "m" else timedelta(hours=count)


def env_clock(name: str, default: time) -> time:
    """Parse a time of day written HH:MM (24-hour clock)."""
    found = _env_match(name, _DAILY, "a time of day (write HH:MM, e.g. 08:30)")
    return default if found is None else time(int(found[1]), int(found[2]))


def env_weekly(name: str, default: Weekly) -> Weekly:
    """Parse a day of the week and a time of day: ``mon 08:30`` (mon, tue … sun; 24-hour clock)."""
    found = _env_match(name, _WEEKLY, "a weekly time (write a day and HH:MM, e.g. mon 08:30)")
    if found is None:
        return default
    return Weekly(_WEEKDAYS.index(found[1].lower()), time(int(found[2]), int(found[3])))


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


LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"


def parse_cache_url(url: str) -> dict[str, Any]:
    """Turn CACHE_URL into a Django CACHES entry: ``locmem://`` (one process) or ``redis://host:port/db``
    (shared by every web process, needed for rate limits behind a load balancer)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "locmem":
        return {"BACKEND": LOCMEM_CACHE, "LOCATION": "minyi"}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise EnvError(f"CACHE_URL scheme {scheme or '(none)'!r} is not supported (use locmem:// or redis://)")


#: The SMS backends named in SMS_BACKEND (a dotted path to an SmsBackend subclass is taken as it is).
SMS_BACKENDS = {
    "file": "minyi.worker.notify.FileSmsBackend",
    "console": "minyi.worker.notify.ConsoleSmsBackend",
    "aliyun": "minyi.worker.sms.AliyunSmsBackend",
    "tencent": "minyi.worker.sms.TencentSmsBackend",
}
_TEMPLATE = re.compile(r"([a-z][a-z0-9_]*)=([A-Za-z0-9_.-]+)(?::([a-z][a-z0-9_]*(?:,[a-z][a-z0-9_]*)*))?")


def parse_sms_templates(name: str, raw: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Parse the SMS templates of a gateway: ``kind=CODE:var1,var2;kind2=CODE2`` — for each kind of
    message the gateway's template code and the names of its variables in the template's order
    (Tencent Cloud fills {1}, {2} … in that order; Alibaba Cloud names them)."""
    templates: dict[str, tuple[str, tuple[str, ...]]] = {}
    for item in raw.split(";"):
        found = _TEMPLATE.fullmatch(item.strip())
        if found is None:
            raise EnvError(
                f"{name}: {item.strip()!r} is not a template "
                "(write kind=CODE:var1,var2, items separated by ;)"
            )
        kind, code, names = found[1], found[2], found[3]
        if kind in templates:
            raise EnvError(f"{name}: the kind {kind!r} has two templates")
        templates[kind] = (code, tuple(names.split(",")) if names else ())
    return templates


def env_sms() -> tuple[str, dict[str, Any]]:
    """SMS_BACKEND (file, console, aliyun, tencent or a dotted path) and, for the gateways, their
    keys, sign name and templates: a gateway without them refuses to start."""
    backend = env_str("SMS_BACKEND", "file")
    dotted = SMS_BACKENDS.get(backend, backend)
    if backend not in SMS_BACKENDS and "." not in backend:
        raise EnvError(
            f"SMS_BACKEND={backend!r} is neither {', '.join(SMS_BACKENDS)} "
            "nor a dotted path to a backend class"
        )
    gateway: dict[str, Any] = {}
    if backend in {"aliyun", "tencent"}:
        needed = ["SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_TEMPLATES"]
        if backend == "tencent":
            needed.append("SMS_APP_ID")
        missing = [var for var in needed if not os.environ.get(var, "").strip()]
        if missing:
            raise EnvError(f"SMS_BACKEND={backend} needs {', '.join(missing)}")
        endpoint = env_str("SMS_ENDPOINT", "")
        if endpoint and not re.fullmatch(r"(https?://)?[A-Za-z0-9.-]+(:\d{1,5})?/?", endpoint):
            raise EnvError(
                f"SMS_ENDPOINT={endpoint!r} is not a host[:port] (optionally with http:// or https://)"
            )
        gateway = {
            "access_key_id": env_str("SMS_ACCESS_KEY_ID"),
            "access_key_secret": env_str("SMS_ACCESS_KEY_SECRET"),
            "sign_name": env_str("SMS_SIGN_NAME"),
            "app_id": env_str("SMS_APP_ID", ""),
            "region": env_str("SMS_REGION", ""),
            "endpoint": endpoint,
            "templates": parse_sms_templates("SMS_TEMPLATES", env_str("SMS_TEMPLATES")),
        }
    return dotted, gateway


def env_wechat() -> dict[str, str]:
    """The WeChat official account (公众号): WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_TOKEN and, for the
    safe (AES) mode, WECHAT_AES_KEY (43 characters, as the account's settings page shows it). All
    empty: the channel is off. WECHAT_API_BASE is where the account's API is (a relay, a test fake)."""
    names = ["WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN"]
    values = {name: os.environ.get(name, "").strip() for name in [*names, "WECHAT_AES_KEY"]}
    if not any(values.values()):
        return {}
    missing = [name for name in names if not values[name]]
    if missing:
        raise EnvError(f"the WeChat channel needs {', '.join(missing)} too")
    if not re.fullmatch(r"[A-Za-z0-9]{3,32}", values["WECHAT_TOKEN"]):
        raise EnvError("WECHAT_TOKEN must be 3 to 32 letters or digits (as the account's settings require)")
    aes = values["WECHAT_AES_KEY"]
    if aes and not re.fullmatch(r"[A-Za-z0-9]{43}", aes):
        raise EnvError("WECHAT_AES_KEY must be the 43 letters and digits the account's settings page shows")
    base = env_str("WECHAT_API_BASE", "https://api.weixin.qq.com")
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", base.rstrip("/")):
        raise EnvError(f"WECHAT_API_BASE={base!r} is not a base URL (https://host[:port])")
    return {
        "app_id": values["WECHAT_APP_ID"],
        "app_secret": values["WECHAT_APP_SECRET"],
        "token": values["WECHAT_TOKEN"],
        "aes_key": aes,
        "api_base": base.rstrip("/"),
    }
