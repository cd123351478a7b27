"""Village party organisations' list query, shared by the page and its Excel exports."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from minyi.ledger.models import Campaign
from minyi.org.permissions import AnyUser, visible
from minyi.partybuilding.models import JointBranch, JointBranchTask, JointMember, WeakMark


def listed(user: AnyUser, campaign: Campaign | None) -> tuple[QuerySet[WeakMark], QuerySet[JointBranch]]:
    """The weak marks and the joint branches (with members and tasks) of ``user``'s scope, of
    ``campaign`` when given (the page and its export)."""
    marks = visible(user, WeakMark.objects.select_related("branch__parent__parent", "campaign"))
    joints = visible(user, JointBranch.objects.select_related("township", "campaign"))
    if campaign is not None:
        marks, joints = marks.filter(campaign=campaign), joints.filter(campaign=campaign)
    joints = joints.prefetch_related(
        Prefetch(
            "members", JointMember.objects.select_related("branch__parent").order_by("role", "branch__path")
        ),
        Prefetch(
            "tasks",
            JointBranchTask.objects.select_related("issue__leader__person", "issue__lead_unit").order_by(
                "issue__deadline", "id"
            ),
        ),
    )
    return marks, joints
