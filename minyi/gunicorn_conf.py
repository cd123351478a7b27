"""gunicorn's settings for Minyi (`gunicorn minyi.wsgi --config python:minyi.gunicorn_conf`), used by
`make prod` and the systemd unit of docs/deploy.md. The bind address and the number of processes come
from the command line."""

from __future__ import annotations

import os
from typing import Any

# A request that takes longer than this is cut (exports and the bulletin run in the worker, not here);
# nginx's proxy_read_timeout in docs/deploy.md is a little longer.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 20  # on SIGTERM, requests in flight get this long to finish
keepalive = 5
# Requests are logged by nginx; ours would add the query string (a tracking number and its code).
accesslog = None
# gunicorn's own lines as JSON too, with the application's (minyi/logs.py), unless LOG_FORMAT=plain.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "minyi.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "minyi.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "json"),
            "filters": ["request_id"],
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


def child_exit(server: Any, worker: Any) -> None:
    """A gone process's live gauges leave /metrics (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
