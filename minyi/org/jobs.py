"""Background jobs of the organisation app (discovered by minyi.worker at start-up)."""

from __future__ import annotations

from minyi.org.notices import DIGEST_JOB, send_digests  # noqa: F401  registers the handler
from minyi.worker.schedule import periodic

periodic(DIGEST_JOB)
