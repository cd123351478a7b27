"""The hotspot board's list query, shared by the board page and its Excel export."""

from __future__ import annotations

from minyi.insight.models import HotspotCluster, HotspotRun


def board_clusters(run: HotspotRun | None) -> list[HotspotCluster]:
    """The clusters of ``run`` by rank when it is done (none otherwise); the board and its export."""
    if run is None or run.state != HotspotRun.State.DONE:
        return []
    return list(run.clusters.select_related("issue").order_by("rank"))
