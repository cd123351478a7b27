"""The supervision notice list's Excel export (see minyi.reports.exports), with the list's filters and
the notices the user sees there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from minyi.dates import day_text, minute_text
from minyi.org.permissions import require
from minyi.privacy import mask_text
from minyi.sheets import AnyUser, Sheet, exporter, form_errors, picked, yes_cell
from minyi.supervision.access import SupervisionPerm
from minyi.supervision.forms import NoticeFilterForm
from minyi.supervision.models import local_today
from minyi.supervision.queries import listed_notices


@exporter("supervision_notices")
def supervision_notices(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The notices the user sees on the supervision list, with its filters (level, unanswered, late)."""
    require(user, SupervisionPerm.VIEW)
    given = picked(params, NoticeFilterForm.base_fields)
    form = NoticeFilterForm(given or None)
    if given and not form.is_valid():
        raise form_errors(form)
    notices, _chosen = listed_notices(user, form)
    today = local_today()

    def rows() -> Iterator[list[Any]]:
        for n in notices.iterator(chunk_size=1000):
            if n.appeal is not None:
                about = f"{_('Appeal')} {n.appeal.number} {mask_text(n.appeal.title)}"
            else:
                about = f"{_('Rectification item')} {mask_text(n.issue.title) if n.issue else ''}"
            if n.issued_by is None:
                issuer = str(_("deadline sweep"))
            else:
                person = getattr(n.issued_by, "person", None)
                issuer = person.name if person is not None and person.name else n.issued_by.get_username()
            yield [
                n.get_level_display(),
                about,
                n.unit.name,
                minute_text(n.issued_at),
                issuer,
                day_text(n.answer_by),
                str(n.answer_status(today).label),
                yes_cell(n.briefed_at is not None),
                mask_text(n.text),
            ]

    return Sheet(
        title=_("Supervision notices"),
        headers=[
            _("Level"),
            _("About"),
            _("Unit to answer"),
            _("Issued"),
            str(capfirst(_("issued by"))),
            _("Answer by"),
            _("Answer"),
            str(capfirst(_("named in the briefing"))),
            str(capfirst(_("notice"))),
        ],
        rows=rows(),
        total=notices.count(),
    )
