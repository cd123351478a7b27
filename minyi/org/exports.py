"""The organisation's Excel exports (see minyi.reports.exports): the people and household lists with
their search, in the user's scope; phones, heads' names and addresses masked unless allowed and asked
for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from minyi.org.permissions import OrgPerm, require
from minyi.org.queries import households_matching, people_matching
from minyi.privacy import mask_address, mask_name, mask_phone
from minyi.sheets import AnyUser, Sheet, exporter, reveal_personal


def _search(params: dict[str, str]) -> str:
    """The people / household lists' search word, cut as the pages cut it."""
    return str(params.get("q", "")).strip()[:50]


@exporter("people")
def people(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The people list with its search, as it shows them: phones masked unless the user may see
    personal data and asked for it."""
    require(user, OrgPerm.VIEW_PERSON)
    found = people_matching(user, _search(params))
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for p in found.iterator(chunk_size=1000):
            yield [
                p.name,
                p.unit.name if p.unit else "",
                p.get_role_display(),
                p.title,
                p.phone if reveal else mask_phone(p.phone),
            ]

    return Sheet(
        title=_("People"),
        headers=[_("Name"), _("Unit"), _("Role"), _("Position"), _("Phone")],
        rows=rows(),
        total=found.count(),
        personal_fields=("phone",) if reveal else (),
    )


@exporter("households")
def households(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The household list with its search, as it shows them: heads' names, phones and addresses masked
    unless the user may see personal data and asked for it."""
    require(user, OrgPerm.VIEW_HOUSEHOLD)
    found = households_matching(user, _search(params))
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for h in found.iterator(chunk_size=1000):
            yield [
                h.code,
                h.village.name if h.village else "",
                h.head_name if reveal else mask_name(h.head_name),
                h.phone if reveal else mask_phone(h.phone),
                h.address if reveal else mask_address(h.address),
                h.size,
            ]

    return Sheet(
        title=_("Households"),
        headers=[
            _("Code"),
            _("Village / community"),
            _("Head of household"),
            _("Phone"),
            _("Address"),
            _("Members"),
        ],
        rows=rows(),
        total=found.count(),
        personal_fields=("head_name", "phone", "address") if reveal else (),
    )
