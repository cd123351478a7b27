"""Assistance's Excel exports (see minyi.reports.exports): the coordinator's case list and a delivering
unit's parts, each as its page lists them; the head of the household masked unless allowed and asked
for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from minyi.assistance.access import AssistancePerm, sees_all
from minyi.assistance.choices import CaseState
from minyi.assistance.queries import desk_cases, unit_parts
from minyi.dates import day_text, minute_text
from minyi.org.permissions import require
from minyi.privacy import mask_name
from minyi.sheets import AnyUser, Sheet, exporter, reveal_personal


@exporter("assistance_cases")
def assistance_cases(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The coordinator's list of cases (state, household code), for those who see every case only;
    the head of the household masked unless allowed and asked for."""
    if not sees_all(user):
        raise PermissionDenied(_("Only the coordinating unit sees all assistance cases."))
    show = params.get("state", CaseState.OPEN)
    cases = desk_cases(show, params.get("household", "").strip()).order_by("-opened_at", "-pk")
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for c in cases.iterator(chunk_size=500):
            head = c.household.head_name
            yield [
                c.pk,
                c.household.code,
                head if reveal else mask_name(head),
                c.household.village.name,
                c.township.name if c.township else "",
                minute_text(c.opened_at),
                "；".join(f"{part.get_type_display()}: {part.get_state_display()}" for part in c.parts.all()),
                c.get_state_display(),
                minute_text(c.closed_at),
            ]

    return Sheet(
        title=_("Assistance cases"),
        headers=[
            _("Case"),
            _("Household"),
            _("Head of household"),
            _("Village / community"),
            _("Township"),
            _("Opened"),
            _("Parts"),
            _("State"),
            _("Closed"),
        ],
        rows=rows(),
        total=cases.count(),
        personal_fields=("head_name",) if reveal else (),
    )


@exporter("assistance_parts")
def assistance_parts(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The parts handed to the user's unit (those still to deliver, or all with ``show=all``), as its
    list shows them: a delivering unit sees its own parts and nothing else of the case."""
    if not user.has_perm(AssistancePerm.DELIVER):
        require(user, AssistancePerm.DELIVER)
    parts = unit_parts(user, pending=params.get("show") != "all")
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for p in parts.iterator(chunk_size=1000):
            head = p.case.household.head_name
            yield [
                p.get_type_display(),
                p.case.household.code,
                head if reveal else mask_name(head),
                p.case.household.village.name,
                minute_text(p.handed_at),
                p.unit.name if p.unit else "",
                p.get_state_display(),
                day_text(p.delivered_on),
            ]

    return Sheet(
        title=_("Assistance parts"),
        headers=[
            _("Type"),
            _("Household"),
            _("Head of household"),
            _("Village / community"),
            _("Handed out"),
            _("Unit"),
            _("State"),
            _("First delivered on"),
        ],
        rows=rows(),
        total=parts.count(),
        personal_fields=("head_name",) if reveal else (),
    )
