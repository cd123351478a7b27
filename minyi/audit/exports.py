"""The audit trail's Excel export (see minyi.reports.exports), with the auditor's page's filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from minyi.audit.access import AuditPerm
from minyi.audit.forms import AuditFilterForm
from minyi.audit.queries import filtered_events
from minyi.dates import minute_text
from minyi.org.permissions import require
from minyi.sheets import AnyUser, Sheet, exporter, form_errors, picked


@exporter("audit_trail")
def audit_trail(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The audit trail with its filters, for auditors: the page's columns as the page shows them (whose
    personal data was read is written masked when it is recorded, and stays so)."""
    require(user, AuditPerm.VIEW)
    given = picked(params, AuditFilterForm.base_fields)
    form = AuditFilterForm(given or None)
    if given and not form.is_valid():
        raise form_errors(form)
    events = filtered_events(form)

    def rows() -> Iterator[list[Any]]:
        for e in events.iterator(chunk_size=1000):
            yield [
                minute_text(e.at),
                e.actor_name,
                e.ip or "",
                e.action,
                e.object_repr,
                e.subject,
            ]

    return Sheet(
        title=_("Audit trail"),
        headers=[_("Time"), _("Actor"), _("IP address"), _("Action"), _("Object"), _("Whose personal data")],
        rows=rows(),
        total=events.count(),
    )
