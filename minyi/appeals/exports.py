"""The appeal list's Excel export (see minyi.reports.exports): the list's filters, scope and order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from minyi.appeals.access import AppealPerm
from minyi.appeals.choices import DueStatus
from minyi.appeals.filters import AppealFilterForm, apply_filters, default_filters, ordered, with_due_status
from minyi.appeals.models import Appeal
from minyi.dates import minute_text
from minyi.insight.duplicates import with_open_hint
from minyi.org.permissions import require, visible
from minyi.privacy import mask_address, mask_name, mask_phone, mask_text
from minyi.sheets import AnyUser, Sheet, exporter, form_errors, reveal_personal

APPEAL_RELATED = ("category", "township", "village", "lead_unit")
PERSONAL_FIELDS = ("name", "phone", "address", "body")


def _label(name: str) -> str:
    return str(capfirst(getattr(Appeal._meta.get_field(name), "verbose_name", name)))


@exporter("appeals")
def appeal_list(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The appeal list with its filters (the role's defaults when none is given), as the list shows it
    to ``user``. Citizens' details and the text are masked unless the user may see personal data and
    asked for it (``personal=1``); that reading is audited by the caller."""
    require(user, AppealPerm.VIEW)
    now = timezone.now()
    given = any(name in params for name in AppealFilterForm.base_fields)
    form = AppealFilterForm(params if given else default_filters(user))
    if not form.is_valid():
        raise form_errors(form)
    appeals = visible(user, Appeal.objects.select_related(*APPEAL_RELATED))
    appeals = apply_filters(appeals, form.cleaned_data, user=user, now=now)
    if params.get("dups") == "on":
        appeals = appeals.filter(Exists(with_open_hint().filter(appeal=OuterRef("pk"))))
    appeals = ordered(with_due_status(appeals, now), form.cleaned_data)
    # Every row here is visible to the user, and for visible appeals the personal-data rule is the
    # permission alone (appeals.access): one check stands for all rows.
    reveal = reveal_personal(user, params)
    headers = [
        *(_label(name) for name in ("number", "received_at", "channel", "kind", "urgency", "category")),
        *(
            _label(name)
            for name in ("township", "village", "title", "body", "state", "lead_unit", "deadline")
        ),
        _("Due status"),
        _("Name"),
        _("Phone"),
        _("Address"),
    ]

    def rows() -> Iterator[list[Any]]:
        for a in appeals.iterator(chunk_size=1000):
            due = DueStatus(a.due_state)  # type: ignore[attr-defined]  # annotated by with_due_status
            yield [
                a.number,
                minute_text(a.received_at),
                a.get_channel_display(),
                a.get_kind_display(),
                a.get_urgency_display(),
                a.category.name if a.category else "",
                a.township.name if a.township else "",
                a.village.name if a.village else "",
                mask_text(a.title),
                a.body if reveal else mask_text(a.body),
                a.get_state_display(),
                a.lead_unit.name if a.lead_unit else "",
                minute_text(a.deadline),
                str(due.label) if due != DueStatus.NONE else "",
                a.citizen_name if reveal else mask_name(a.citizen_name),
                a.citizen_phone if reveal else mask_phone(a.citizen_phone),
                a.address if reveal else mask_address(a.address),
            ]

    return Sheet(
        title=_("Appeals"),
        headers=headers,
        rows=rows(),
        total=appeals.count(),
        personal_fields=PERSONAL_FIELDS if reveal else (),
    )
