"""The symposia list's Excel export (see minyi.reports.exports), with the list's filters and scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from minyi.dates import day_text
from minyi.org.permissions import require
from minyi.sheets import AnyUser, Sheet, exporter, form_errors, picked
from minyi.symposia.access import SymposiumPerm
from minyi.symposia.forms import FilterForm
from minyi.symposia.summary import listed


@exporter("symposia")
def symposium_list(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The symposia list with its filters (campaign or from/to, township, participants)."""
    require(user, SymposiumPerm.VIEW)
    form = FilterForm(picked(params, FilterForm.base_fields))
    if not form.is_valid():
        raise form_errors(form)
    _figures, symposia = listed(user, form.cleaned_data)
    symposia = symposia.order_by("-held_on", "-pk")

    def rows() -> Iterator[list[Any]]:
        for s in symposia.iterator(chunk_size=1000):
            yield [
                day_text(s.held_on),
                s.title,
                s.get_group_display(),
                s.host.name,
                s.host_name,
                s.township.name if s.township else "",
                s.village.name if s.village else "",
                s.place,
                s.attendees,
                s.opinion_count,  # type: ignore[attr-defined]  # annotated by listed()
                s.campaign.name if s.campaign else "",
            ]

    return Sheet(
        title=_("Symposia"),
        headers=[
            _("Date"),
            _("Theme"),
            _("Participants"),
            _("Host unit"),
            _("Chaired by"),
            _("Township"),
            _("Village / community"),
            _("Place"),
            _("Attendees"),
            _("Opinions"),
            _("Campaign"),
        ],
        rows=rows(),
        total=symposia.count(),
    )
