"""Village party organisations in a real browser: the office marks a branch weak, groups it with an
advanced one into a joint general branch, gives it a task, and is told it cannot clear the branch while
the task is open. Selectors use ids, so the journey reads the same in any language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from minyi.browser import staff_browser
from minyi.partybuilding.models import JointBranch, WeakMark
from minyi.partybuilding.tests.conftest import Villages
from minyi.testing import Actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_marks_groups_and_cannot_clear_with_an_open_task(
    browser: Any, live_server: Any, actors: Actors, villages: Villages
) -> None:
    v = villages
    context, page = staff_browser(browser, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/partybuilding/mark/")
    page.locator("#id_branch").select_option(str(v.branches["T1V2"].pk))
    page.locator("#id_campaign").select_option(str(v.campaign.pk))
    page.locator("#id_marked_on").fill(v.past.isoformat())
    page.locator("#id_reasons").fill("组织生活不正常，班子软弱")
    with page.expect_navigation():
        page.locator("#pb-form button[type=submit]").click()
    assert page.locator("#weak-branches").inner_text().count("西村党支部") == 1
    mark = WeakMark.objects.get()

    page.goto(f"{live_server.url}/partybuilding/joint/new/")
    page.locator("#id_name").fill("东村联村党总支")
    page.locator("#id_township").select_option(str(actors.town.pk))
    page.locator("#id_campaign").select_option(str(v.campaign.pk))
    page.locator("#id_advanced").select_option([str(v.branches["T1V1"].pk)])
    page.locator("#id_weak").select_option([str(v.branches["T1V2"].pk)])
    page.locator("#id_formed_on").fill(v.past.isoformat())
    with page.expect_navigation():
        page.locator("#pb-form button[type=submit]").click()
    joint = JointBranch.objects.get()

    page.goto(f"{live_server.url}/partybuilding/joint/{joint.pk}/task/")
    page.locator("#id_area").select_option("team")
    page.locator("#id_title").fill("选优配强西村党组织书记")
    page.locator("#id_leader").select_option(str(actors.leader.pk))
    page.locator("#id_deadline").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    with page.expect_navigation():
        page.locator("#pb-form button[type=submit]").click()
    assert page.locator(".joint-branch").inner_text().count("选优配强西村党组织书记") == 1

    page.goto(f"{live_server.url}/partybuilding/weak/{mark.pk}/clear/")
    page.locator("#id_decision").fill("同意摘帽")
    page.locator("#id_cleared_on").fill(v.past.isoformat())
    with page.expect_navigation():
        page.locator("#pb-form button[type=submit]").click()
    assert "选优配强西村党组织书记" in page.locator("#form-error").inner_text()
    mark.refresh_from_db()
    assert mark.cleared_on is None
    context.close()
