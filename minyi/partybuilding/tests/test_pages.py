"""The village party organisation pages through HTTP: who sees what (a township's head its own, the
district office everything), the forms, and refusals shown with nothing saved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from minyi.ledger.models import Issue
from minyi.partybuilding import rules
from minyi.partybuilding.choices import TaskArea
from minyi.partybuilding.models import JointBranch, JointBranchTask, WeakMark
from minyi.partybuilding.tests.conftest import Villages, sign_off
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def joint(actors: Actors, villages: Villages) -> JointBranch:
    v = villages
    rules.mark_weak(v.branches["T1V2"], actor=actors.dispatcher, reasons="班子软弱涣散", marked_on=v.past,
                    campaign=v.campaign)  # fmt: skip
    made = rules.form_joint_branch(
        actor=actors.dispatcher, name="东村联村党总支", township=actors.town, campaign=v.campaign,
        advanced=[v.branches["T1V1"]], weak=[v.branches["T1V2"]], formed_on=v.past,
    )  # fmt: skip
    for title in ("选优配强西村党组织班子", "发展西村集体经济"):
        rules.add_task(made, actor=actors.dispatcher, area=TaskArea.TEAM, title=title, leader=actors.leader,
                       deadline=timezone.localdate() + timedelta(days=30))  # fmt: skip
    return made


def test_the_office_sees_the_figures_and_the_tasks_with_links_to_the_ledger(
    actors: Actors, villages: Villages, joint: JointBranch, django_assert_max_num_queries: Any
) -> None:
    sign_off(actors, villages, joint.tasks.first().issue)  # type: ignore[union-attr]
    client = client_of("dispatcher")
    with django_assert_max_num_queries(20):
        page = client.get("/partybuilding/").content.decode()
    assert rules.summary_sentence(rules.summary()) in page
    assert "东村联村党总支" in page and "西村党支部" in page and "班子软弱涣散" in page
    for task in joint.tasks.all():
        assert f'href="/ledger/{task.issue.pk}/"' in page
    assert "/partybuilding/mark/" in page


def test_a_townships_head_sees_its_own_and_another_township_sees_none(
    actors: Actors, villages: Villages, joint: JointBranch
) -> None:
    own = client_of("town_head").get("/partybuilding/").content.decode()
    assert "东村联村党总支" in own and "西村党支部" in own
    assert "/partybuilding/mark/" not in own  # viewing only
    other = client_of("other_head").get("/partybuilding/")
    assert other.status_code == 200
    assert "东村联村党总支" not in other.content.decode() and "西村党支部" not in other.content.decode()
    assert client_of("handler_edu").get("/partybuilding/").status_code == 403
    assert client_of("member").get("/partybuilding/").status_code == 403
    assert client_of("auditor").post("/partybuilding/mark/", {}).status_code == 403


def test_marking_through_the_form_and_refusing_bad_input(actors: Actors, villages: Villages) -> None:
    client = client_of("dispatcher")
    data = {"branch": villages.branches["T1V3"].pk, "campaign": villages.campaign.pk,
            "marked_on": villages.past.isoformat(), "reasons": ""}  # fmt: skip
    assert client.post("/partybuilding/mark/", data).status_code == 400
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = client.post("/partybuilding/mark/", {**data, "reasons": "书记不胜任", "marked_on": future})
    assert refused.status_code == 400
    assert translation.gettext("The date cannot be in the future.") in refused.content.decode()
    assert not WeakMark.objects.exists()
    assert client.post("/partybuilding/mark/", {**data, "reasons": "书记不胜任"}).status_code == 302
    assert WeakMark.objects.get().branch == villages.branches["T1V3"]


def test_forming_a_joint_branch_and_adding_a_task_through_the_forms(
    actors: Actors, villages: Villages
) -> None:
    v = villages
    rules.mark_weak(v.branches["T1V4"], actor=actors.dispatcher, reasons="集体经济薄弱", marked_on=v.past)
    client = client_of("dispatcher")
    data = {
        "name": "上村联村党总支",
        "township": actors.town.pk,
        "campaign": v.campaign.pk,
        "advanced": [v.branches["T1V5"].pk],
        "weak": [v.branches["T1V1"].pk],
        "formed_on": v.past.isoformat(),
    }
    refused = client.post("/partybuilding/joint/new/", data)  # 东村 is not marked weak
    assert refused.status_code == 400 and "东村党支部" in refused.content.decode()
    assert not JointBranch.objects.exists()
    assert (
        client.post("/partybuilding/joint/new/", {**data, "weak": [v.branches["T1V4"].pk]}).status_code == 302
    )
    joint = JointBranch.objects.get()
    task = {
        "area": TaskArea.ECONOMY,
        "title": "发展中村集体经济",
        "track": "long_term",
        "leader": actors.leader.pk,
        "deadline": (timezone.localdate() + timedelta(days=60)).isoformat(),
    }
    assert client.post(f"/partybuilding/joint/{joint.pk}/task/", task).status_code == 302
    issue = Issue.objects.get()
    assert JointBranchTask.objects.get(issue=issue).joint_branch == joint and issue.lead_unit == actors.town
    assert client_of("other_head").get(f"/partybuilding/joint/{joint.pk}/task/").status_code == 403


def test_the_clear_page_refuses_while_tasks_are_open_and_lists_them(
    actors: Actors, villages: Villages, joint: JointBranch
) -> None:
    mark = WeakMark.objects.get()
    client = client_of("dispatcher")
    page = client.get(f"/partybuilding/weak/{mark.pk}/clear/").content.decode()
    assert "选优配强西村党组织班子" in page and "发展西村集体经济" in page
    refused = client.post(f"/partybuilding/weak/{mark.pk}/clear/",
                          {"decision": "同意摘帽", "cleared_on": villages.past.isoformat()})  # fmt: skip
    assert refused.status_code == 400 and "发展西村集体经济" in refused.content.decode()
    mark.refresh_from_db()
    assert mark.cleared_on is None
    for task in joint.tasks.all():
        sign_off(actors, villages, task.issue)
    decision = {"decision": "经镇党委研究同意摘帽", "cleared_on": villages.past.isoformat()}
    done = client.post(f"/partybuilding/weak/{mark.pk}/clear/", decision)
    assert done.status_code == 302
    mark.refresh_from_db()
    assert mark.cleared_on == villages.past and mark.decision == "经镇党委研究同意摘帽"


def test_the_home_page_links_here_for_who_may_see_it(actors: Actors, villages: Villages) -> None:
    assert "/partybuilding/" in client_of("auditor").get("/").content.decode()
    assert "/partybuilding/" not in client_of("handler_edu").get("/").content.decode()
