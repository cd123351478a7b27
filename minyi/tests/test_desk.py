"""The staff desk through HTTP (issue 17): the menu every staff page keeps, its queues counted by the
lists' own filters, each role's own tabs over the appeal list, the review list (待审核) where unit heads
land, and a unit head sending a sign-off request back with a reason (page and API)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from minyi.appeals import rules as appeal_rules
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import dispatched, in_progress, lead_assignment, new_appeal
from minyi.audit.models import AuditEvent
from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import EventKind, IssueState, Track
from minyi.ledger.models import Campaign, Issue, SignOff
from minyi.org.choices import Role, UnitKind
from minyi.org.rules import create_person, create_unit
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def html(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def queues(client: Client) -> dict[str, int]:
    """The menu's queues with their counts, as the page fetches them after loading (label → count)."""
    page = html(client, "/desk/queues/")
    found = re.findall(r'<a href="[^"]+"[^>]*>([^<]+?)(?: <span class="count">(\d+)</span>)?</a>', page)
    return {label.strip(): int(count or 0) for label, count in found}


def tabs(page: str) -> list[str]:
    nav = page[page.index('class="tabs"') : page.index("</nav>", page.index('class="tabs"'))]
    return [label for label in re.findall(r">([^<>]+)</a>", nav)]


def no(appeal: Appeal) -> str:
    """The tracking number (every stored appeal has one)."""
    assert appeal.number
    return appeal.number


def overdue(appeal: Appeal) -> Appeal:
    """Pretend the deadline passed (time moves on; no rule sets a deadline in the past)."""
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - dt.timedelta(days=2))
    return appeal


def submitted_item(actors: Actors, title: str = "东村路灯长期不亮") -> Issue:
    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        code="DESK", defaults={"name": "群众路线教育实践活动", "starts_on": today - dt.timedelta(days=30),
                               "ends_on": today + dt.timedelta(days=60)},
    )  # fmt: skip
    issue = ledger_rules.create_issue(
        campaign=campaign, title=title, track=Track.FIX_NOW, lead_unit=actors.edu, leader=actors.leader,
        deadline=today + dt.timedelta(days=30), actor=actors.dispatcher,
    )  # fmt: skip
    ledger_rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="路灯已全部更换")
    issue.refresh_from_db()
    return issue


# --- the menu ----------------------------------------------------------------------------------


def test_every_staff_page_keeps_the_menu_of_the_role(client: Client, actors: Actors) -> None:
    client.force_login(actors.handler_edu)
    for url in ("/", "/appeals/", "/ledger/", "/org/people/"):
        page = html(client, url)
        assert 'class="desk-menu"' in page and 'aria-label="工作菜单"' in page
        menu = page[page.index('class="desk-menu"') : page.index("</nav>", page.index('class="desk-menu"'))]
        assert 'href="/appeals/"' in menu and 'href="/ledger/"' in menu
        assert "/appeals/intake/new/" not in menu  # a handler records no calls
        assert 'hx-get="/desk/queues/"' in menu  # the counts come after the page
    client.force_login(actors.dispatcher)
    menu = html(client, "/ledger/")
    assert "/appeals/intake/new/" in menu and "/kpi/" in menu


def test_public_pages_and_logins_without_work_have_no_menu(client: Client, actors: Actors) -> None:
    assert 'class="desk-menu"' not in html(client, "/")
    client.force_login(actors.nobody)
    assert 'class="desk-menu"' not in html(client, "/")


def test_queues_count_what_each_role_must_do(client: Client, actors: Actors) -> None:
    new_appeal(actors)
    new_appeal(actors, title="第二件")
    overdue(dispatched(actors, title="迟了"))
    working = in_progress(actors, title="在办")
    appeal_rules.draft_reply(working, actor=actors.handler_edu, body="已更换路灯三盏，现已恢复照明。")
    submitted_item(actors)

    client.force_login(actors.dispatcher)
    assert queues(client) == {"待交办": 2, "待审核": 0, "已超期": 1}  # it decides extension requests
    client.force_login(actors.handler_edu)
    assert queues(client) == {
        "待办理": 2,
        "已超期": 1,
    }  # its unit's open appeals: the late one and the one at work
    client.force_login(actors.head_edu)
    assert queues(client) == {"待审核": 2, "待办理": 2, "已超期": 1}  # a reply and a sign-off to decide
    client.force_login(actors.handler_housing)
    assert queues(client) == {"待办理": 0, "已超期": 0}
    client.force_login(actors.cadre)
    assert queues(client) == {}


def test_the_queue_counts_are_one_query_each(client: Client, actors: Actors) -> None:
    new_appeal(actors)
    client.force_login(actors.dispatcher)
    client.get("/desk/queues/")  # the session and permissions are read once per request
    with CaptureQueriesContext(connection) as few:
        client.get("/desk/queues/")
    for _ in range(5):
        new_appeal(actors)
    with CaptureQueriesContext(connection) as more:
        client.get("/desk/queues/")
    assert len(more) == len(few)  # as many queries for many appeals as for one
    counts = [
        q["sql"]
        for q in more.captured_queries
        if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "appeals_')
    ]
    assert len(counts) == 3  # one COUNT per queue: 待交办, 待审核 (extension requests), 已超期


def test_the_counts_are_the_lengths_of_the_lists_they_open(client: Client, actors: Actors) -> None:
    new_appeal(actors)
    overdue(dispatched(actors, title="迟了"))
    client.force_login(actors.dispatcher)
    page = html(client, "/desk/queues/")
    for url, count in re.findall(r'<a href="([^"]+)"[^>]*>[^<]+<span class="count">(\d+)</span>', page):
        listed = html(client, url.replace("&amp;", "&"))
        assert len(re.findall(r'<a href="/appeals/[^"/]+/">', listed)) == int(count), url


# --- the tabs ------------------------------------------------------------------------------------


def test_each_role_sees_its_own_tabs(client: Client, actors: Actors) -> None:
    expected = {
        "dispatcher": ["待审核", "待交办", "疑似重复", "已超期", "即将到期", "待回访", "全部诉求"],
        "handler_edu": ["待办理", "待签收", "办理中", "已超期", "全部诉求"],
        "head_edu": ["待审核", "待办理", "待签收", "办理中", "已超期", "全部诉求"],
        "operator": ["待回访", "已超期", "全部诉求"],
        "leader": ["待审核", "我联系的村企和事项", "已超期", "全部诉求"],
        "cadre": ["在办", "已超期", "全部诉求"],
        "auditor": ["在办", "已超期", "全部诉求"],
    }
    for name, labels in expected.items():
        client.force_login(getattr(actors, name))
        assert tabs(html(client, "/appeals/")) == labels, name


def test_the_usual_tab_is_marked_and_a_chosen_tab_lists_its_appeals(client: Client, actors: Actors) -> None:
    waiting = dispatched(actors, title="待签收的")
    working = in_progress(actors, title="办理中的")
    client.force_login(actors.handler_edu)
    page = html(client, "/appeals/")
    assert '<a href="?tab=todo&amp;state=open&amp;mine=on" aria-current="page">待办理</a>' in page
    assert no(waiting) in page and no(working) in page
    page = html(client, "/appeals/", tab="working", state="in_progress", mine="on")
    assert 'aria-current="page">办理中</a>' in page
    assert no(working) in page and no(waiting) not in page
    assert "待交办" not in tabs(page)  # no dispatcher's tab for those who cannot dispatch


# --- the review list (待审核) ---------------------------------------------------------------------


def test_a_unit_head_lands_on_what_waits_for_a_decision(client: Client, actors: Actors) -> None:
    working = in_progress(actors, title="学校门口积水")
    appeal_rules.draft_reply(working, actor=actors.handler_edu, body="已疏通排水管，积水已排除。")
    asking = in_progress(actors, title="校车线路调整")
    appeal_rules.request_extension(
        lead_assignment(asking), actor=actors.handler_edu, days=3, reason="需现场勘查"
    )
    item = submitted_item(actors, title="校园周边交通整治")
    client.force_login(actors.head_edu)
    home = html(client, "/")
    assert 'id="review-h"' in home
    for expected in (no(working), no(asking), "校园周边交通整治"):
        assert expected in home
    page = html(client, "/review/")
    assert "答复待审核" in page and "延期申请" in page and "销号待单位同意" in page
    assert f'href="/appeals/{no(working)}/"' in page and f'href="/ledger/{item.pk}/"' in page
    assert "待交办员审批" in page  # the dispatcher decides the unit's extension request
    for link in re.findall(r'<td class="wrap"><a href="([^"]+)"', page):
        assert client.get(link).status_code == 200  # each opens where it is decided
    client.force_login(actors.handler_housing)  # another unit: nothing of EDU's, and no review list
    assert client.get("/review/").status_code == 403
    client.force_login(actors.dispatcher)  # the dispatcher decides extension requests
    page = html(client, "/review/")
    assert no(asking) in page and no(working) not in page and "校园周边交通整治" not in page


# --- sending a sign-off request back -------------------------------------------------------------


def test_a_unit_head_sends_a_sign_off_request_back_with_a_reason_on_the_page(
    client: Client, actors: Actors
) -> None:
    issue = submitted_item(actors)
    client.force_login(actors.head_edu)
    page = html(client, f"/ledger/{issue.pk}/")
    assert "panel-send_back" in page and "退回销号申请" in page
    response = client.post(f"/ledger/{issue.pk}/send-back/", {"version": issue.version, "reason": " "})
    assert response.status_code == 400 and "退回理由" in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).state == IssueState.SUBMITTED  # nothing changed
    response = client.post(
        f"/ledger/{issue.pk}/send-back/", {"version": issue.version, "reason": "缺少现场照片"}
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.state == IssueState.OPEN
    signoff = SignOff.objects.get(issue=issue)
    assert (signoff.approved, signoff.reason, signoff.decided_by) == (False, "缺少现场照片", actors.head_edu)
    assert issue.events.filter(kind=EventKind.SENT_BACK, note="缺少现场照片").exists()
    assert AuditEvent.objects.filter(action="ledger.signoff.send_back", actor=actors.head_edu).exists()
    assert "缺少现场照片" in html(client, f"/ledger/{issue.pk}/")  # on the item's record
    client.force_login(actors.handler_edu)  # the unit works on and asks again
    ledger_rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="补充了照片")
    assert Issue.objects.get(pk=issue.pk).state == IssueState.SUBMITTED


def test_only_the_unit_head_sends_back_and_only_a_waiting_request(client: Client, actors: Actors) -> None:
    issue = submitted_item(actors)
    client.force_login(actors.handler_edu)
    assert "panel-send_back" not in html(client, f"/ledger/{issue.pk}/")
    refused = client.post(f"/ledger/{issue.pk}/send-back/", {"version": issue.version, "reason": "不行"})
    assert refused.status_code == 403
    ledger_rules.agree_signoff(issue, actor=actors.head_edu)
    issue.refresh_from_db()
    client.force_login(actors.head_edu)  # already agreed: the leader decides now
    late = client.post(f"/ledger/{issue.pk}/send-back/", {"version": issue.version, "reason": "不行"})
    assert late.status_code in (400, 409)
    assert Issue.objects.get(pk=issue.pk).state == IssueState.UNIT_AGREED


def test_the_api_sends_a_request_back_through_the_same_action(actors: Actors) -> None:
    issue = submitted_item(actors)
    api = APIClient()
    api.force_login(actors.head_edu)
    empty = api.post(f"/api/v1/issues/{issue.pk}/send-back/", {"reason": ""}, format="json")
    assert empty.status_code == 400 and "请写明退回理由" in empty.content.decode()
    done = api.post(f"/api/v1/issues/{issue.pk}/send-back/", {"reason": "缺少现场照片"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["state"] == IssueState.OPEN
    api.force_login(actors.handler_edu)
    ledger_rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="补充了照片")
    assert (
        api.post(f"/api/v1/issues/{issue.pk}/send-back/", {"reason": "再看看"}, format="json").status_code
        == 403
    )


def test_the_review_list_and_its_counts_keep_recusal(client: Client, actors: Actors) -> None:
    """回避 on the desk's new paths: an appeal about the office's own officials is never on its
    dispatchers' review list nor in their counts, though its extension request waits for a decision."""
    petitions = create_unit(
        code="XFJ", name="区信访局", kind=UnitKind.DEPARTMENT, parent=actors.district, actor=None
    )
    other = create_person(
        name="信访交办员", unit=petitions, role=Role.DISPATCHER, username="xf", actor=None
    ).user
    about_office = new_appeal(actors, title="办公室人员态度差", concerns_unit=actors.office)
    appeal_rules.dispatch(about_office, lead=actors.edu, actor=other)
    appeal_rules.accept(lead_assignment(about_office), actor=actors.handler_edu)
    appeal_rules.request_extension(
        lead_assignment(about_office), actor=actors.handler_edu, days=2, reason="需要调查核实"
    )
    new_appeal(actors, title="关于办公室的投诉", concerns_unit=actors.office)
    client.force_login(actors.dispatcher)
    assert no(about_office) not in html(client, "/review/")
    assert queues(client) == {"待交办": 0, "待审核": 0, "已超期": 0}
    client.force_login(actors.head_edu)  # EDU holds it: its head sees the request waiting
    assert no(about_office) in html(client, "/review/")
