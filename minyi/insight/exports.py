"""The hotspot board's Excel export (see minyi.reports.exports): one computed board's clusters by rank."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from minyi.dates import day_text
from minyi.insight.access import InsightPerm
from minyi.insight.models import HotspotRun
from minyi.insight.queries import board_clusters
from minyi.org.permissions import require
from minyi.sheets import AnyUser, Sheet, exporter


@exporter("hotspots")
def hotspot_board(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The clusters of one computed hotspot board (``run``), by rank, as the board shows them."""
    require(user, InsightPerm.VIEW_HOTSPOTS)
    given = str(params.get("run", ""))
    run = HotspotRun.objects.filter(pk=int(given)).first() if given.isdigit() else None
    if run is None or run.state != HotspotRun.State.DONE:
        raise ValidationError(_("There is no such computed hotspot board."))
    clusters = board_clusters(run, user)

    def rows() -> Iterator[list[Any]]:
        for c in clusters:
            first = day_text(timezone.localtime(c.first_at).date())
            last = day_text(timezone.localtime(c.last_at).date())
            yield [
                c.rank,
                c.title,
                "、".join([c.place_shown, *c.villages]) if c.villages else c.place_shown,
                first if first == last else f"{first} – {last}",
                c.size,
                c.people,
                c.likes,
                round(c.heat, 2),
                c.issue.title if c.issue else "",
            ]

    return Sheet(
        title=f"{_('Hotspot board')} {run.starts_on:%Y%m%d}-{run.ends_on:%Y%m%d}",
        headers=[
            _("Rank"),
            _("Hotspot"),
            _("Place"),
            _("Time span"),
            _("Appeals"),
            _("Distinct people"),
            str(capfirst(_("supporters"))),
            _("Heat index"),
            _("Rectification"),
        ],
        rows=rows(),
        total=len(clusters),
    )
