"""Rules of village party organisation work: mark a branch weak (软弱涣散), form a joint general branch
(联村党总支) of advanced and weak branches, give it rectification tasks (ledger items, through
``minyi.ledger.rules.create_issue``), and clear a weak mark by a recorded decision once every task of
its joint branches is signed off. Every change is one function here, audited, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.audit.rules import record
from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import IssueState, Track
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import can
from minyi.org.rules import Actor
from minyi.partybuilding.access import PartyBuildingPerm
from minyi.partybuilding.choices import TASK_TAG, MemberRole, TaskArea
from minyi.partybuilding.models import JointBranch, JointBranchTask, JointMember, WeakMark


def _manager(actor: Actor, unit: Unit) -> User:
    """The acting login, if it may manage village party organisations at ``unit``."""
    if not isinstance(actor, User) or not can(actor, PartyBuildingPerm.MANAGE, unit):
        raise PermissionDenied(_("Only the campaign office manages weak village party organisations."))
    return actor


def is_village_branch(unit: Unit) -> bool:
    """Whether ``unit`` is the party organisation of a village or community (e.g. T01V03P)."""
    parent = unit.parent
    return unit.kind == UnitKind.PARTY_BRANCH and parent is not None and parent.kind in RESIDENTIAL_KINDS


def open_mark(branch: Unit) -> WeakMark | None:
    """The branch's weak mark not yet cleared, if any."""
    return WeakMark.objects.filter(branch=branch, cleared_on__isnull=True).first()


def _not_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


@transaction.atomic
def mark_weak(
    branch: Unit, *, actor: Actor, reasons: str, marked_on: date, campaign: Campaign | None = None
) -> WeakMark:
    """Mark a village party branch weak and lax, with the reasons and the date it was found."""
    user = _manager(actor, branch)
    if not is_village_branch(branch):
        raise ValidationError({"branch": _("Choose the party branch of a village or community.")})
    if not reasons.strip():
        raise ValidationError({"reasons": _("Say why the branch is weak.")})
    _not_future(marked_on, "marked_on")
    Unit.objects.select_for_update().filter(pk=branch.pk).first()  # one mark at a time per branch
    if open_mark(branch) is not None:
        raise ValidationError({"branch": _("This branch is already marked weak.")}, code="open")
    mark = WeakMark.objects.create(
        branch=branch, campaign=campaign, marked_on=marked_on, reasons=reasons.strip(), marked_by=user
    )
    record("partybuilding.mark_weak", actor=actor, obj=mark, subject=branch.name)
    return mark


@transaction.atomic
def form_joint_branch(
    *,
    actor: Actor,
    name: str,
    township: Unit,
    campaign: Campaign,
    advanced: Iterable[Unit],
    weak: Iterable[Unit],
    formed_on: date,
) -> JointBranch:
    """Group weak village branches of a township with advanced ones into a joint general branch. Weak
    members must be marked weak; advanced ones must not be; a weak branch joins one joint branch per
    campaign."""
    user = _manager(actor, township)
    advanced, weak = list(advanced), list(weak)
    if township.kind != UnitKind.TOWNSHIP:
        raise ValidationError({"township": _("Choose a township or street.")})
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not name.strip():
        refuse("name", _("Name the joint branch, e.g. 东村联村党总支."))
    elif JointBranch.objects.filter(campaign=campaign, name=name.strip()).exists():
        refuse("name", _("A joint branch of this name exists already in this campaign."))
    if not advanced:
        refuse("advanced", _("Choose at least one advanced branch to lead it."))
    if not weak:
        refuse("weak", _("Choose at least one weak branch."))
    if {b.pk for b in advanced} & {b.pk for b in weak}:
        refuse("weak", _("A branch cannot be both advanced and weak."))
    outside = [b.name for b in (*advanced, *weak) if not is_village_branch(b) or not b.is_within(township)]
    if outside:
        refuse("weak", _("Not a village branch of %(town)s: %(names)s.") % {
            "town": township.name, "names": "、".join(outside)})  # fmt: skip
    marked = set(
        WeakMark.objects.filter(branch__in=[*advanced, *weak], cleared_on__isnull=True).values_list(
            "branch_id", flat=True
        )
    )
    if unmarked := [b.name for b in weak if b.pk not in marked]:
        refuse("weak", _("Not marked weak: %(names)s.") % {"names": "、".join(unmarked)})
    if weak_leaders := [b.name for b in advanced if b.pk in marked]:
        refuse("advanced", _("A weak branch cannot lead: %(names)s.") % {"names": "、".join(weak_leaders)})
    taken = JointMember.objects.filter(
        joint_branch__campaign=campaign, branch__in=weak, role=MemberRole.WEAK
    ).select_related("branch", "joint_branch")
    if taken:
        refuse("weak", _("Already in a joint branch of this campaign: %(names)s.") % {
            "names": "、".join(f"{m.branch.name}（{m.joint_branch.name}）" for m in taken)})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    _not_future(formed_on, "formed_on")
    joint = JointBranch.objects.create(
        name=name.strip(), township=township, campaign=campaign, formed_on=formed_on, formed_by=user
    )
    JointMember.objects.bulk_create(
        [JointMember(joint_branch=joint, branch=b, role=MemberRole.ADVANCED) for b in advanced]
        + [JointMember(joint_branch=joint, branch=b, role=MemberRole.WEAK) for b in weak]
    )
    record("partybuilding.form_joint_branch", actor=actor, obj=joint, subject=joint.name,
           detail={"advanced": [b.code for b in advanced], "weak": [b.code for b in weak]})  # fmt: skip
    return joint


@transaction.atomic
def add_task(
    joint: JointBranch,
    *,
    actor: Actor,
    area: str,
    title: str,
    leader: User,
    deadline: date,
    lead_unit: Unit | None = None,
    description: str = "",
    track: str = Track.LONG_TERM,
    quantity_total: Decimal | None = None,
    quantity_unit: str = "",
    quantity_label: str = "",
) -> JointBranchTask:
    """Give a joint branch a rectification task: a ledger item (lead unit: its township unless named,
    a supervising leader, a deadline, long-term track unless said) tagged 联村党总支, signed off there."""
    _manager(actor, joint.township)
    if area not in TaskArea.values:
        raise ValidationError({"area": _("Choose what the task works on.")})
    issue = ledger_rules.create_issue(
        campaign=joint.campaign,
        title=title,
        track=track,
        lead_unit=lead_unit or joint.township,
        leader=leader,
        deadline=deadline,
        actor=actor,
        description=description,
        tags=TASK_TAG,
        quantity_total=quantity_total,
        quantity_unit=quantity_unit,
        quantity_label=quantity_label,
    )
    task = JointBranchTask.objects.create(joint_branch=joint, issue=issue, area=area)
    record("partybuilding.add_task", actor=actor, obj=joint, subject=joint.name,
           detail={"issue": issue.pk, "area": area})  # fmt: skip
    return task


def open_tasks(branch: Unit) -> list[JointBranchTask]:
    """Tasks not yet signed off of every joint branch ``branch`` is a weak member of."""
    return list(
        JointBranchTask.objects.filter(
            joint_branch__members__branch=branch, joint_branch__members__role=MemberRole.WEAK
        )
        .exclude(issue__state=IssueState.SIGNED_OFF)
        .select_related("issue")
        .distinct()
    )


@transaction.atomic
def clear_weak(mark: WeakMark, *, actor: Actor, decision: str, cleared_on: date) -> WeakMark:
    """A branch stops being weak by a recorded decision, only once it has rectification tasks and every
    one of them is signed off in the ledger."""
    mark = WeakMark.objects.select_for_update().select_related("branch").get(pk=mark.pk)
    user = _manager(actor, mark.branch)
    if mark.cleared_on is not None:
        raise ValidationError(_("This mark is already cleared."), code="cleared")
    if not decision.strip():
        raise ValidationError({"decision": _("Write the decision that clears the branch.")})
    _not_future(cleared_on, "cleared_on")
    if cleared_on < mark.marked_on:
        raise ValidationError({"cleared_on": _("A mark cannot be cleared before it was made.")})
    has_tasks = JointBranchTask.objects.filter(
        joint_branch__members__branch=mark.branch, joint_branch__members__role=MemberRole.WEAK
    ).exists()
    if not has_tasks:
        raise ValidationError(
            _("%(branch)s has no rectification task yet: form its joint branch and give it tasks first.")
            % {"branch": mark.branch.name},
            code="no_tasks",
        )
    if pending := open_tasks(mark.branch):
        titles = "、".join(t.issue.title for t in pending)
        message = _("%(n)d rectification tasks of %(branch)s are not signed off yet: %(titles)s.")
        raise ValidationError(
            message % {"n": len(pending), "branch": mark.branch.name, "titles": titles}, code="open_tasks"
        )
    mark.cleared_on, mark.cleared_by, mark.decision = cleared_on, user, decision.strip()
    mark.save(update_fields=["cleared_on", "cleared_by", "decision"])
    record("partybuilding.clear_weak", actor=actor, obj=mark, subject=mark.branch.name,
           detail={"decision": mark.decision[:200]})  # fmt: skip
    return mark


@dataclass(frozen=True)
class Figures:
    """The figures of village party organisation work (of a campaign, or of all)."""

    weak: int  # branches marked weak
    still_weak: int
    cleared: int
    joint_branches: int
    weak_in_joint_branches: int
    tasks: int
    tasks_signed_off: int


def summary(campaign: Campaign | None = None, unit: Unit | None = None) -> Figures:
    """Count weak branches, joint branches and their tasks from the records: of a campaign and/or of
    the unit subtree (e.g. a township), or of all."""
    marks = WeakMark.objects.all()
    joints = JointBranch.objects.all()
    tasks = JointBranchTask.objects.all()
    if unit is not None:
        marks = marks.filter(branch__path__startswith=unit.path)
        joints = joints.filter(township__path__startswith=unit.path)
        tasks = tasks.filter(joint_branch__township__path__startswith=unit.path)
    if campaign is not None:
        marks = marks.filter(campaign=campaign)
        joints = joints.filter(campaign=campaign)
        tasks = tasks.filter(joint_branch__campaign=campaign)
    m = marks.aggregate(
        weak=Count("branch", distinct=True),
        cleared=Count("branch", filter=Q(cleared_on__isnull=False), distinct=True),
        still=Count("branch", filter=Q(cleared_on__isnull=True), distinct=True),
    )
    t = tasks.aggregate(total=Count("id"), done=Count("id", filter=Q(issue__state=IssueState.SIGNED_OFF)))
    return Figures(
        weak=m["weak"],
        still_weak=m["still"],
        cleared=m["cleared"],
        joint_branches=joints.count(),
        weak_in_joint_branches=JointMember.objects.filter(joint_branch__in=joints, role=MemberRole.WEAK)
        .values("branch")
        .distinct()
        .count(),
        tasks=t["total"],
        tasks_signed_off=t["done"],
    )


def summary_json(figures: Figures) -> dict[str, int]:
    """The figures as `manage.py partybuilding summary --json` prints them."""
    return asdict(figures)


def summary_sentence(figures: Figures) -> str:
    """The line of the bulletin, e.g. "11 个软弱涣散村，成立 7 个联村党总支，整顿任务 21 项已完成 18 项，
    已整顿转化 4 个"."""
    if not figures.weak and not figures.joint_branches:
        return ""
    text = _(
        "%(weak)d weak village party organisations, %(joint)d joint general branches formed, "
        "%(tasks)d rectification tasks of which %(done)d completed"
    ) % {"weak": figures.weak, "joint": figures.joint_branches, "tasks": figures.tasks,
         "done": figures.tasks_signed_off}  # fmt: skip
    if figures.cleared:
        text += _(", %(n)d no longer weak") % {"n": figures.cleared}
    return text
