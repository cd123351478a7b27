"""Who may see which study rows; registered into minyi.org.permissions at start-up.

A branch belongs to the unit it works under, a member to the unit of their current branch, an activity
and its sessions to the organising unit: district-wide roles see all, unit staff their subtree.
"""

from __future__ import annotations

from enum import StrEnum

from minyi.org.permissions import register_unit_of
from minyi.study.models import Activity, Branch, Membership, Session


class StudyPerm(StrEnum):
    """Study's permissions: reading and organising study, branches and rolls."""

    VIEW = "study.view_study"
    ORGANISE = "study.add_activity"
    VIEW_BRANCH = "study.view_branch"
    ADD_BRANCH = "study.add_branch"
    CHANGE_BRANCH = "study.change_branch"
    VIEW_MEMBERSHIP = "study.view_membership"
    ADD_MEMBERSHIP = "study.add_membership"
    CHANGE_MEMBERSHIP = "study.change_membership"


def register() -> None:
    register_unit_of(Branch, lambda branch: branch.unit)
    register_unit_of(Membership, lambda membership: membership.current_branch.unit)
    register_unit_of(Activity, lambda activity: activity.unit)
    register_unit_of(Session, lambda session: session.activity.unit)
