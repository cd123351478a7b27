"""Demo of village party organisation work for a campaign of the demo district (minyi.demo.org): 11 weak
village branches grouped with 7 advanced ones into 7 joint general branches (联村党总支), each with 3
rectification tasks run through the ledger's rules (21 long-term items, 18 signed off), 4 weak branches
cleared by decision; and a river-dredging item (河道清淤疏浚) with 11 of 11 km done.

Every step goes through the rule functions (mark_weak, form_joint_branch, add_task; the ledger's
report_quantity, submit → agree → decide), so the figures read from the records:
"11 个软弱涣散村，成立 7 个联村党总支，整顿任务 21 项已完成 18 项，已整顿转化 4 个".
The tasks are long-term items tagged 联村党总支: in the ledger's summary they count on the long-term
line (they leave the fix-now and fix-while-learning lines alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign, Issue
from minyi.org.choices import Role
from minyi.org.models import Person, Unit
from minyi.partybuilding import rules
from minyi.partybuilding.choices import TaskArea
from minyi.partybuilding.models import JointBranch

#: The supervising leader of every task: the head of the organisation department.
LEADER_TITLE = "区委常委、组织部部长"
#: Where the dredging item is led from (区农林水利局) and its plan.
DREDGING = ("NLS", "河道清淤疏浚", Decimal(11), "公里", "疏浚")


@dataclass(frozen=True)
class Joint:
    """One joint branch of the demo: its township, the advanced village and the weak ones (numbers of
    villages of the township), which tasks stay open, and which weak ones are cleared."""

    town: str
    advanced: int
    weak: tuple[int, ...]
    reasons: tuple[str, ...]
    open_tasks: int = 0  # how many of its 3 tasks are not signed off yet (the last ones)
    cleared: tuple[int, ...] = ()


JOINTS = [
    Joint("T03", 1, (2, 3), ("班子不团结，长期内耗", "集体经济薄弱，无稳定收入"), cleared=(2,)),
    Joint("T03", 5, (6,), ("书记年龄偏大、不胜任",), open_tasks=1),
    Joint("T04", 1, (2, 3), ("组织生活不正常，“三会一课”不落实", "村务不公开，群众意见大")),
    Joint("T05", 1, (2,), ("集体经济空壳，无办公场所",), cleared=(2,)),
    Joint("T05", 4, (5, 6), ("宗族势力干扰，班子软弱", "矛盾纠纷多，信访突出"), open_tasks=2),
    Joint("T06", 1, (2,), ("书记长期外出，支部工作停滞",), cleared=(2,)),
    Joint("T07", 1, (2, 3), ("党员队伍老化，发展党员断档", "村容村貌差，环境脏乱"), cleared=(3,)),
]

#: The three tasks of each joint branch: (area, title with {v} = the weak villages).
TASKS = [
    (TaskArea.TEAM, "选优配强{v}党组织班子"),
    (TaskArea.ECONOMY, "发展{v}村级集体经济，年经营性收入达到5万元"),
    (TaskArea.ENVIRONMENT, "整治{v}村容村貌，清理积存垃圾"),
]


def seed(campaign: Campaign) -> dict[str, int]:
    """Load the demo into ``campaign`` once (nothing happens when its joint branches exist); return
    what was made."""
    if JointBranch.objects.filter(campaign=campaign).exists():
        return {}
    with transaction.atomic():
        return _Demo(campaign).run()


class _Demo:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.today = timezone.localdate()
        self.office = User.objects.get(username="dispatcher")
        leader = Person.objects.filter(role=Role.LEADER, title=LEADER_TITLE, user__isnull=False).first()
        if leader is None or leader.user is None:
            raise RuntimeError("the demo district has no organisation head who can log in")
        self.leader: User = leader.user
        self.counts = {"weak": 0, "joint_branches": 0, "tasks": 0, "signed_off": 0, "cleared": 0}

    def _staff(self, unit: Unit, role: str) -> User:
        person = Person.objects.filter(unit=unit, role=role, is_active=True, user__isnull=False).first()
        if person is None or person.user is None:
            raise RuntimeError(f"{unit.name} has no {role} who can log in")
        return person.user

    def run(self) -> dict[str, int]:
        c = self.campaign
        marked_on = min(c.starts_on + timedelta(days=20), self.today)
        formed_on = min(c.starts_on + timedelta(days=35), self.today)
        cleared_on = min(c.ends_on + timedelta(days=10), self.today)
        for spec in JOINTS:
            town = Unit.objects.get(code=spec.town)
            advanced = Unit.objects.get(code=f"{spec.town}V{spec.advanced:02d}P")
            weak = [Unit.objects.get(code=f"{spec.town}V{n:02d}P") for n in spec.weak]
            marks = {}
            for n, branch, reasons in zip(spec.weak, weak, spec.reasons, strict=True):
                marks[n] = rules.mark_weak(
                    branch, actor=self.office, reasons=reasons, marked_on=marked_on, campaign=c
                )
                self.counts["weak"] += 1
            village = advanced.parent.name if advanced.parent else advanced.name
            joint = rules.form_joint_branch(
                actor=self.office, name=f"{village}联村党总支", township=town, campaign=c,
                advanced=[advanced], weak=weak, formed_on=formed_on,
            )  # fmt: skip
            self.counts["joint_branches"] += 1
            names = "、".join(b.parent.name for b in weak if b.parent is not None)
            for i, (area, title) in enumerate(TASKS):
                still_open = i >= len(TASKS) - spec.open_tasks
                deadline = self.today + timedelta(days=120) if still_open else c.ends_on
                task = rules.add_task(
                    joint, actor=self.office, area=area, title=title.format(v=names), leader=self.leader,
                    deadline=deadline,
                )  # fmt: skip
                self.counts["tasks"] += 1
                if not still_open:
                    self._sign_off(task.issue, "整顿任务已完成，经镇党委验收合格。")
                    self.counts["signed_off"] += 1
            for n in spec.cleared:
                rules.clear_weak(
                    marks[n], actor=self.office, cleared_on=cleared_on,
                    decision="经镇党委研究并报区委组织部审核，整顿任务全部完成，同意摘除软弱涣散帽子。",
                )  # fmt: skip
                self.counts["cleared"] += 1
        self._dredging()
        self.counts["quantity_items"] = 1
        return self.counts

    def _sign_off(self, issue: Issue, evidence: str) -> None:
        ledger_rules.submit_for_signoff(
            issue, actor=self._staff(issue.lead_unit, Role.HANDLER), evidence=evidence
        )
        ledger_rules.agree_signoff(issue, actor=self._staff(issue.lead_unit, Role.UNIT_HEAD))
        ledger_rules.decide_signoff(issue, actor=issue.leader, approve=True)

    def _dredging(self) -> Issue:
        """河道清淤疏浚: a long-term item of 11 km, all of it reported done, signed off."""
        code, title, total, unit, label = DREDGING
        lead = Unit.objects.get(code=code)
        issue = ledger_rules.create_issue(
            campaign=self.campaign, title=title, track=Track.LONG_TERM, lead_unit=lead, leader=self.leader,
            deadline=self.campaign.ends_on, actor=self.office, quantity_total=total, quantity_unit=unit,
            quantity_label=label,
            description="对全区主要河道开展清淤疏浚，计划疏浚11公里，清淤土方约6万立方米。",
        )  # fmt: skip
        handler = self._staff(lead, Role.HANDLER)
        ledger_rules.report_quantity(issue, actor=handler, done=Decimal(6), note="完成一期工程。")
        ledger_rules.report_quantity(issue, actor=handler, done=total, note="二期工程完工。")
        self._sign_off(issue, "完成疏浚11公里，清淤土方6.2万立方米，经区水利部门验收合格。")
        return issue
