"""The hotspot board's list query, shared by the board page and its Excel export."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _

from minyi.appeals.access import recused_appeals
from minyi.appeals.models import Appeal
from minyi.insight.models import HotspotCluster, HotspotRun


def board_clusters(run: HotspotRun | None, user: User | AnonymousUser) -> list[HotspotCluster]:
    """The clusters of ``run`` by rank when it is done (none otherwise); the board and its export. A
    cluster holding an appeal ``user`` is recused from (回避) shows neither its title nor its place: both
    are taken from its appeals' text."""
    if run is None or run.state != HotspotRun.State.DONE:
        return []
    clusters = list(run.clusters.select_related("issue").order_by("rank"))
    hide_recused(clusters, user)
    return clusters


def hide_recused(clusters: list[HotspotCluster], user: User | AnonymousUser) -> list[HotspotCluster]:
    """Blank the title and place (in memory) of the clusters holding an appeal ``user`` is recused
    from; the clusters so hidden."""
    if not clusters:
        return []
    through = HotspotCluster.appeals.through
    recused = recused_appeals(user, Appeal.objects.all()).values("pk")
    hidden_ids = set(
        through.objects.filter(
            hotspotcluster_id__in=[c.pk for c in clusters], appeal_id__in=recused
        ).values_list("hotspotcluster_id", flat=True)
    )
    hidden = [c for c in clusters if c.pk in hidden_ids]
    for cluster in hidden:
        cluster.title, cluster.place = _("(withheld: it concerns your unit, 回避)"), ""
        cluster.district_wide, cluster.villages = False, []
    return hidden
