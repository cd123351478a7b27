"""Village party organisations' Excel exports (see minyi.reports.exports): the weak branches and the joint
general branches with their tasks, of the user's scope (and of a campaign when given), as the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minyi.dates import day_text
from minyi.ledger.models import Campaign
from minyi.org.permissions import can, person_of, require
from minyi.partybuilding.access import PartyBuildingPerm
from minyi.partybuilding.queries import listed
from minyi.sheets import AnyUser, Sheet, exporter


def _party_campaign(user: AnyUser, params: dict[str, str]) -> Campaign | None:
    """The campaign the page chose (``campaign``, a code), once the user may see the page."""
    if not can(user, PartyBuildingPerm.MANAGE):
        require(user, PartyBuildingPerm.VIEW)
    code = params.get("campaign", "")
    campaign = Campaign.objects.filter(code=code).first() if code else None
    if code and campaign is None:
        raise ValidationError(_("There is no such campaign."))
    return campaign


@exporter("weak_branches")
def weak_branches(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The weak village party branches of the user's scope (of a campaign when given), with their state."""
    marks, _joints = listed(user, _party_campaign(user, params))
    marks = marks.order_by("marked_on", "pk")

    def rows() -> Iterator[list[Any]]:
        for m in marks.iterator(chunk_size=1000):
            township = m.branch.parent.parent if m.branch.parent else None
            yield [
                m.branch.name,
                township.name if township else "",
                day_text(m.marked_on),
                m.reasons,
                str(_("No longer weak")) if m.cleared_on else str(_("Weak")),
                day_text(m.cleared_on),
                m.decision,
                m.campaign.name if m.campaign else "",
            ]

    return Sheet(
        title=_("Weak village party organisations"),
        headers=[
            _("Party branch"),
            _("Township"),
            _("Marked weak on"),
            _("Reasons"),
            _("State"),
            _("Cleared on"),
            _("Clearing decision"),
            _("Campaign"),
        ],
        rows=rows(),
        total=marks.count(),
    )


def _leader(user: Any) -> str:
    # As the page: the leader's name, or the login of a leader with no person record.
    if user is None:
        return ""
    person = person_of(user)
    return person.name if person is not None else str(user.get_username())


@exporter("joint_branches")
def joint_branches(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The joint general branches of the user's scope with their member branches and one row per
    rectification task with its state (a branch with no task yet has one row of its own)."""
    _marks, joints = listed(user, _party_campaign(user, params))
    found = list(joints.order_by("formed_on", "pk"))
    lines: list[list[Any]] = []
    for j in found:
        members = "、".join(f"{m.branch.name}（{m.get_role_display()}）" for m in j.members.all())
        head = [j.name, j.township.name, day_text(j.formed_on), members]
        tasks = list(j.tasks.all())
        for t in tasks:
            lines.append([
                *head, t.get_area_display(), t.issue.title, _leader(t.issue.leader),
                day_text(t.issue.deadline), t.issue.get_state_display(),
            ])  # fmt: skip
        if not tasks:
            lines.append([*head, "", "", "", "", ""])
    return Sheet(
        title=_("Joint general branches"),
        headers=[
            _("Joint general branch"),
            _("Township"),
            _("Formed on"),
            _("Member branches"),
            _("Area"),
            _("Task"),
            _("Supervising leader"),
            _("Deadline"),
            _("State"),
        ],
        rows=lines,
        total=len(lines),
    )
