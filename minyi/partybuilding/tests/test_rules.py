"""Weak village branches, joint general branches and their tasks: the figures of the bulletin line
("11 个软弱涣散村，成立 7 个联村党总支，整顿任务 N 项已完成 M 项"), and the bad input each rule refuses."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from minyi.audit.models import AuditEvent
from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import Track
from minyi.ledger.models import Issue
from minyi.partybuilding import rules
from minyi.partybuilding.choices import TASK_TAG, TaskArea
from minyi.partybuilding.models import JointBranch, JointBranchTask, WeakMark
from minyi.partybuilding.tests.conftest import Villages, sign_off
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def mark(actors: Actors, v: Villages, code: str, reasons: str = "班子软弱") -> WeakMark:
    return rules.mark_weak(
        v.branches[code], actor=actors.dispatcher, reasons=reasons, marked_on=v.past, campaign=v.campaign
    )


def joint(actors: Actors, v: Villages, name: str, advanced: list[str], weak: list[str]) -> JointBranch:
    return rules.form_joint_branch(
        actor=actors.dispatcher, name=name, township=actors.town, campaign=v.campaign,
        advanced=[v.branches[c] for c in advanced], weak=[v.branches[c] for c in weak], formed_on=v.past,
    )  # fmt: skip


def task(actors: Actors, j: JointBranch, title: str, area: str = TaskArea.TEAM) -> JointBranchTask:
    return rules.add_task(j, actor=actors.dispatcher, area=area, title=title, leader=actors.leader,
                          deadline=timezone.localdate() + timedelta(days=30))  # fmt: skip


def test_the_figures_count_weak_branches_joint_branches_tasks_and_cleared_ones(
    actors: Actors, villages: Villages
) -> None:
    v = villages
    marks = {code: mark(actors, v, code) for code in ("T1V2", "T1V3", "T1V4")}
    first = joint(actors, v, "东村联村党总支", ["T1V1"], ["T1V2", "T1V3"])
    second = joint(actors, v, "上村联村党总支", ["T1V5"], ["T1V4"])
    tasks = [
        task(actors, first, "选优配强西村、北村党组织班子"),
        task(actors, first, "发展村级集体经济", TaskArea.ECONOMY),
        task(actors, second, "整治中村村容村貌", TaskArea.ENVIRONMENT),
    ]
    sign_off(actors, v, tasks[0].issue)
    sign_off(actors, v, tasks[1].issue)
    rules.clear_weak(
        marks["T1V2"], actor=actors.dispatcher, decision="经镇党委研究同意摘帽", cleared_on=v.past
    )
    figures = rules.summary(v.campaign)
    assert (figures.weak, figures.still_weak, figures.cleared) == (3, 2, 1)
    assert (figures.joint_branches, figures.weak_in_joint_branches) == (2, 3)
    assert (figures.tasks, figures.tasks_signed_off) == (3, 2)
    with translation.override("en"):
        assert rules.summary_sentence(figures) == (
            "3 weak village party organisations, 2 joint general branches formed, 3 rectification tasks of "
            "which 2 completed, 1 no longer weak"
        )
    assert rules.summary(v.campaign, unit=actors.other_town).weak == 0
    out = StringIO()
    call_command("partybuilding", "summary", "--campaign", "ZD", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "weak": 3, "still_weak": 2, "cleared": 1, "joint_branches": 2, "weak_in_joint_branches": 3,
        "tasks": 3, "tasks_signed_off": 2,
    }  # fmt: skip


def test_a_task_is_a_long_term_ledger_item_of_the_township(actors: Actors, villages: Villages) -> None:
    mark(actors, villages, "T1V2")
    j = joint(actors, villages, "东村联村党总支", ["T1V1"], ["T1V2"])
    issue = task(actors, j, "选优配强西村党组织书记").issue
    assert (issue.track, issue.lead_unit, issue.tags, issue.campaign) == (
        Track.LONG_TERM, actors.town, TASK_TAG, villages.campaign
    )  # fmt: skip
    long_term = {f.track: f for f in ledger_rules.summary(campaign=villages.campaign)}["long_term"]
    assert (long_term.total, long_term.closed) == (1, 0)
    assert AuditEvent.objects.filter(action="partybuilding.add_task").count() == 1


def test_a_branch_stays_weak_while_a_task_is_open_and_nothing_is_saved(
    actors: Actors, villages: Villages
) -> None:
    v = villages
    weak = mark(actors, v, "T1V2")
    with pytest.raises(ValidationError) as refused:  # no task yet
        rules.clear_weak(weak, actor=actors.dispatcher, decision="同意摘帽", cleared_on=v.past)
    assert refused.value.code == "no_tasks"
    j = joint(actors, v, "东村联村党总支", ["T1V1"], ["T1V2"])
    done, still_open = task(actors, j, "选优配强班子"), task(actors, j, "发展集体经济", TaskArea.ECONOMY)
    sign_off(actors, v, done.issue)
    ledger_rules.submit_for_signoff(still_open.issue, actor=actors.town_handler, evidence="已完成")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        rules.clear_weak(weak, actor=actors.dispatcher, decision="同意摘帽", cleared_on=v.past)
    assert refused.value.code == "open_tasks"
    assert (
        "发展集体经济" in refused.value.messages[0] and "1 rectification tasks" in refused.value.messages[0]
    )
    weak.refresh_from_db()
    assert weak.cleared_on is None and weak.decision == ""
    assert not AuditEvent.objects.filter(action="partybuilding.clear_weak").exists()
    ledger_rules.agree_signoff(still_open.issue, actor=v.town_head)
    ledger_rules.decide_signoff(still_open.issue, actor=actors.leader, approve=True)
    with pytest.raises(ValidationError) as refused:
        rules.clear_weak(weak, actor=actors.dispatcher, decision="  ", cleared_on=v.past)
    assert "decision" in refused.value.message_dict
    rules.clear_weak(weak, actor=actors.dispatcher, decision="经镇党委研究同意摘帽", cleared_on=v.past)
    weak.refresh_from_db()
    assert weak.cleared_on == v.past and weak.cleared_by == actors.dispatcher
    assert rules.open_mark(v.branches["T1V2"]) is None
    with pytest.raises(ValidationError):
        rules.clear_weak(weak, actor=actors.dispatcher, decision="再次摘帽", cleared_on=v.past)
    # History is kept: the branch may be marked again later, as a new mark.
    again = mark(actors, v, "T1V2", "整顿后反弹")
    assert WeakMark.objects.filter(branch=v.branches["T1V2"]).count() == 2 and again.is_open


def test_marking_refuses_bad_input_and_saves_nothing(actors: Actors, villages: Villages) -> None:
    v = villages
    future = timezone.localdate() + timedelta(days=1)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"branch": actors.village}, "branch"),  # the village, not its branch
        ({"reasons": "  "}, "reasons"),
        ({"marked_on": future}, "marked_on"),
    ]
    for change, field in cases:
        arguments = {"branch": v.branches["T1V2"], "reasons": "班子软弱", "marked_on": v.past, **change}
        with pytest.raises(ValidationError) as refused:
            rules.mark_weak(actor=actors.dispatcher, **arguments)
        assert field in refused.value.message_dict
    assert not WeakMark.objects.exists()
    mark(actors, v, "T1V2")
    with pytest.raises(ValidationError) as refused:
        mark(actors, v, "T1V2")
    assert "branch" in refused.value.message_dict
    assert WeakMark.objects.count() == 1


def test_who_may_manage(actors: Actors, villages: Villages) -> None:
    for user in (actors.town_handler, actors.auditor, actors.leader, villages.town_head, actors.nobody):
        with pytest.raises(PermissionDenied):
            rules.mark_weak(
                villages.branches["T1V2"], actor=user, reasons="班子软弱", marked_on=villages.past
            )
    assert not WeakMark.objects.exists()


def test_forming_a_joint_branch_refuses_bad_input_and_saves_nothing(
    actors: Actors, villages: Villages
) -> None:
    v = villages
    mark(actors, v, "T1V2")
    mark(actors, v, "T1V3")
    rules.mark_weak(v.branches["T2V1"], actor=actors.dispatcher, reasons="班子软弱", marked_on=v.past)
    cases = [
        (["T1V1"], ["T1V4"], "weak"),  # not marked weak
        (["T1V3"], ["T1V2"], "advanced"),  # a weak branch cannot lead
        ([], ["T1V2"], "advanced"),
        (["T1V1"], [], "weak"),
        (["T1V1"], ["T2V1"], "weak"),  # of another township
        (["T1V1"], ["T1V1"], "weak"),
    ]
    for advanced, weak, field in cases:
        with pytest.raises(ValidationError) as refused:
            joint(actors, v, "东村联村党总支", advanced, weak)
        assert field in refused.value.message_dict, (advanced, weak)
    with pytest.raises(ValidationError) as refused:
        joint(actors, v, " ", ["T1V1"], ["T1V2"])
    assert "name" in refused.value.message_dict
    assert not JointBranch.objects.exists()
    joint(actors, v, "东村联村党总支", ["T1V1"], ["T1V2"])
    with pytest.raises(ValidationError) as refused:  # 西村 is in 东村's joint branch already
        joint(actors, v, "上村联村党总支", ["T1V5"], ["T1V2", "T1V3"])
    assert "西村" in str(refused.value.message_dict["weak"])
    assert JointBranch.objects.count() == 1


def test_a_task_needs_an_area_and_what_the_ledger_asks(actors: Actors, villages: Villages) -> None:
    mark(actors, villages, "T1V2")
    j = joint(actors, villages, "东村联村党总支", ["T1V1"], ["T1V2"])
    with pytest.raises(ValidationError):
        task(actors, j, "选优配强班子", area="sports")
    with pytest.raises(ValidationError):
        task(actors, j, " ")
    with pytest.raises(ValidationError):  # the supervising leader must be a leader
        rules.add_task(j, actor=actors.dispatcher, area=TaskArea.TEAM, title="选优配强班子",
                       leader=actors.town_handler, deadline=timezone.localdate())  # fmt: skip
    with pytest.raises(PermissionDenied):
        rules.add_task(j, actor=actors.town_handler, area=TaskArea.TEAM, title="选优配强班子",
                       leader=actors.leader, deadline=timezone.localdate())  # fmt: skip
    assert not JointBranchTask.objects.exists()
    assert not Issue.objects.exists()  # nothing reached the ledger either
