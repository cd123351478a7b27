"""Reads that may go to a read replica (docs/scale.md): the database router and the scope it obeys.

With ``REPLICA_DATABASE_URL`` set, settings add the ``replica`` database and this router. Reads go to
the replica only inside ``reads_from_replica`` (the views that only read: dashboards, reports, KPI
ranking, the hotspot board, the echo wall; and the export jobs while they read), and there only:

- until the first write of the request or job: a read that follows a write goes to the primary, so a
  page never misses what it has just written (the replica lags);
- outside a transaction on the primary (``select_for_update`` and the reads of a write stay there);
- never for work that writes from what it reads: the daily summaries are recounted by the worker,
  not by a page in this scope (``may_refresh_summaries``).

Everywhere else, and always without a replica, every query goes to ``default``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest
from django.template.response import SimpleTemplateResponse

REPLICA = "replica"

P = ParamSpec("P")
R = TypeVar("R")

# None: not in a replica scope; "replica": reads may go there; "primary": a write happened, stay.
_scope: ContextVar[str | None] = ContextVar("minyi_replica_scope", default=None)


def configured() -> bool:
    """Whether this deployment has a read replica (the ``replica`` database is configured)."""
    return REPLICA in connections.settings


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside: reads may go to the replica (see the module's rules); nested scopes keep the outer one."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set(REPLICA)
    try:
        yield
    finally:
        _scope.reset(token)


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """Decorate a view (or job) that only reads: the reads of its GET requests go to the replica when
    there is one. A template response is rendered inside the scope, where its lazy querysets are read."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        request = args[0] if args else None
        if isinstance(request, HttpRequest) and request.method not in ("GET", "HEAD"):
            return view(*args, **kwargs)  # a form's POST writes: all of it on the primary
        with replica_reads():
            response = view(*args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()
            return response

    return wrapped


def may_refresh_summaries() -> bool:
    """False inside a replica scope of a deployment with a replica (also once a write has sent its
    reads back to the primary): the page reads the summaries as the worker last recounted them (every
    minute), instead of recounting from lagging rows or doing the worker's work on the primary."""
    return not (configured() and _scope.get() is not None)


class ReplicaRouter:
    """DATABASE_ROUTERS entry (only with a replica configured)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if _scope.get() != REPLICA or not configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        if _scope.get() == REPLICA:
            _scope.set("primary")  # the rest of this request or job reads what it wrote
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica is a copy of the primary: its rows are the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # the replica follows the primary's schema by replication
