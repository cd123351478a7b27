"""The sign-off register's Excel export (see minyi.reports.exports), with the register's filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from minyi.dates import minute_text
from minyi.ledger.access import LedgerPerm
from minyi.ledger.queries import signed_off
from minyi.org.permissions import require
from minyi.sheets import AnyUser, Sheet, exporter


@exporter("signoff_register")
def signoff_register(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The sign-off register with its filters (the ledger's filters and the from/to dates)."""
    require(user, LedgerPerm.VIEW)
    found, _chosen, _dates = signed_off(user, params)
    signoffs = found.select_related("issue__lead_unit", "issue__campaign", "decided_by__person")

    def rows() -> Iterator[list[Any]]:
        for s in signoffs.prefetch_related("files").iterator(chunk_size=1000):
            approver = ""
            if s.decided_by is not None:
                person = getattr(s.decided_by, "person", None)
                approver = person.name if person is not None and person.name else s.decided_by.get_username()
            yield [
                minute_text(s.decided_at),
                s.issue.title,
                s.issue.get_original_track_display(),
                s.issue.lead_unit.name if s.issue.lead_unit else "",
                s.issue.campaign.name if s.issue.campaign else "",
                approver,
                s.evidence,
                "、".join(f.original_name for f in s.files.all()),
            ]

    return Sheet(
        title=_("Sign-off register"),
        headers=[
            str(capfirst(_("signed off"))),
            str(capfirst(_("title"))),
            str(capfirst(_("track"))),
            str(capfirst(_("lead unit"))),
            _("Campaign"),
            _("Approved by"),
            str(capfirst(_("evidence"))),
            _("Evidence files"),
        ],
        rows=rows(),
        total=signoffs.count(),
    )
