"""Units by code for hot paths (API intake): read once a minute per process, not once per request.

Units change rarely (an admin edits the tree); a renamed or deactivated unit is seen by every process
within ``TTL`` seconds. Anything that must be exact (permissions, the tree pages) reads the database.
"""

from __future__ import annotations

import time

from minyi.org.models import Unit

TTL = 60.0
_cache: dict[str, Unit] = {}
_loaded_at = 0.0


def active_unit(code: str) -> Unit | None:
    """The active unit with ``code`` (with its parent), or None."""
    global _loaded_at
    now = time.monotonic()
    if now - _loaded_at > TTL:
        _cache.clear()
        _loaded_at = now
    unit = _cache.get(code)
    if unit is None:  # misses are not remembered: a unit created a moment ago is found at once
        unit = Unit.objects.filter(code=code, is_active=True).select_related("parent").first()
        if unit is not None:
            _cache[code] = unit
    return unit


def forget() -> None:
    """Drop what was read (tests that change units in between)."""
    global _loaded_at
    _cache.clear()
    _loaded_at = 0.0
