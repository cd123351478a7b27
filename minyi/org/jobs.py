"""Background jobs of the organisation app (discovered by minyi.worker at start-up)."""

from __future__ import annotations

from datetime import time

from minyi.org.notices import DIGEST_JOB, send_digests  # noqa: F401  (registers the handler)
from minyi.worker.schedule import periodic

periodic(DIGEST_JOB, daily_at=time(18, 0))
