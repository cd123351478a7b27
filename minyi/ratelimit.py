"""Fixed-window rate limits for public forms and code checks, kept in the shared cache.

With several web processes behind a load balancer the cache must be shared (CACHE_URL=redis://…);
the default local-memory cache limits each process on its own, which is enough for one machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from minyi.audit.middleware import client_ip


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def _limit(name: str) -> Limit:
    count, seconds = settings.MINYI_RATE_LIMITS[name]
    return Limit(name, count, seconds)


def hit(request: HttpRequest, name: str, *, key: str | None = None) -> bool:
    """Count one use of ``name`` by the request's client; False when the client is over the limit."""
    limit = _limit(name)
    if limit.count <= 0:
        return True  # 0 switches the limit off (benchmarks, trusted networks)
    window = int(time.time() // limit.seconds)
    cache_key = f"rl:{limit.name}:{key or client_ip(request) or 'unknown'}:{window}"
    if cache.add(cache_key, 1, timeout=limit.seconds + 1):
        return True
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=limit.seconds + 1)
        return True
    return used <= limit.count


def blocked(request: HttpRequest, name: str, *, key: str | None = None) -> bool:
    """Whether the client is already over the limit, without counting this request."""
    limit = _limit(name)
    if limit.count <= 0:
        return False
    window = int(time.time() // limit.seconds)
    used = cache.get(f"rl:{limit.name}:{key or client_ip(request) or 'unknown'}:{window}", 0)
    return bool(used >= limit.count)
