"""The ledger in a real browser (issue 4, "Done when"): a dispatcher makes a rectification item of
three appeals ticked in the inbox; the handler reports progress with a photo and submits it for
sign-off; the unit head agrees; the supervising leader rejects once, then approves; each of the three
citizens sees the reply on the tracking page.

Selectors use names and ids, so the journey reads the same in any language (the pages speak Chinese).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind, State
from minyi.appeals.models import Appeal
from minyi.browser import staff_browser
from minyi.ledger.choices import IssueState
from minyi.ledger.models import Campaign, Issue
from minyi.testing import Actors, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REPLY = "经整改，东村三组至五组路灯已全部更换，夜间照明恢复正常。"


class Staff:
    """One staff member's own browser (own cookies), logged in."""

    def __init__(self, browser: Any, live_server: Any, username: str) -> None:
        self.url = live_server.url
        self.context, self.page = staff_browser(browser, self.url, username)

    def act(self, issue: Issue, action: str, fields: dict[str, str] | None = None, **extra: Any) -> None:
        """Open the item, open the action's panel, fill it (by field name), submit, land back."""
        self.page.goto(f"{self.url}/ledger/{issue.pk}/")
        panel = self.page.locator(f"#panel-{action}")
        if panel.get_attribute("open") is None:
            panel.locator("summary").click()
        for name, value in (fields or {}).items():
            field = panel.locator(f'[name="{name}"]').first
            field.fill(value)
        for name, value in extra.get("check", {}).items():
            panel.locator(f'input[name="{name}"][value="{value}"]').check()
        if "files" in extra:
            panel.locator('input[type="file"]').set_input_files(extra["files"])
        with self.page.expect_navigation():
            panel.locator("button[type=submit]").click()
        alerts = self.page.locator(".error[role=alert]")
        assert alerts.count() == 0, alerts.first.inner_text()

    def close(self) -> None:
        self.context.close()


def test_an_item_from_three_appeals_to_sign_off_and_the_citizens_replies(
    browser: Any, page: Any, live_server: Any
) -> None:
    actors: Actors = make_actors()
    Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                            ends_on=date(2027, 12, 31))  # fmt: skip
    citizens = [
        appeal_rules.submit(
            channel=Channel.MAILBOX, kind=Kind.COMPLAINT, title=f"东村{group}组路灯不亮",
            body=f"东村{group}组的路灯坏了很久，晚上出行不便。", village=actors.village,
            citizen_name=name, citizen_phone=phone,
        )
        for group, name, phone in (("三", "王大海", "13900001111"), ("四", "李小红", "13900002222"),
                                   ("五", "张建国", "13900003333"))
    ]  # fmt: skip
    numbers = [c.appeal.number for c in citizens]

    # The dispatcher ticks the three appeals in the inbox and makes one item of them.
    dispatcher = Staff(browser, live_server, "dispatcher")
    dispatcher.page.goto(f"{live_server.url}/appeals/")
    for number in numbers:
        dispatcher.page.locator(f'input[name="appeal"][value="{number}"]').check()
    with dispatcher.page.expect_navigation():
        dispatcher.page.locator("#make-issue button[type=submit]").click()
    form = dispatcher.page
    form.locator("#id_title").fill("东村路灯整治")
    form.locator("#id_campaign").select_option(label="群众路线教育实践活动")
    form.locator("#id_track").select_option("fix_now")
    form.locator("#id_lead_unit").select_option(str(actors.edu.pk))
    form.locator("#id_leader").select_option(str(actors.leader.pk))
    form.locator("#id_deadline").fill((timezone.localdate() + timedelta(days=20)).isoformat())
    with form.expect_navigation():
        form.locator("form[method=post] button[type=submit]").last.click()
    issue = Issue.objects.get(title="东村路灯整治")
    assert set(issue.appeals.values_list("number", flat=True)) == set(numbers)
    dispatcher.close()

    # The handler reports progress with a photo, then submits for sign-off with evidence.
    handler = Staff(browser, live_server, "handler_edu")
    photo = {"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}
    handler.act(issue, "report", {"text": "已完成三组路灯更换，四组、五组本周内完成。"}, files=[photo])
    assert "现场照片.png" in handler.page.content()
    handler.act(issue, "submit", {"evidence": "三组至五组路灯已全部更换"})

    # The unit head agrees; the supervising leader rejects once with a reason.
    head = Staff(browser, live_server, "head_edu")
    head.act(issue, "agree")
    leader = Staff(browser, live_server, "leader")
    leader.act(issue, "decide", {"reason": "请补充夜间亮灯照片"}, check={"decision": "reject"})
    assert Issue.objects.get(pk=issue.pk).state == IssueState.OPEN

    # Round two: evidence with the night photo, agreed, approved with the reply edited.
    handler.act(issue, "submit", {"evidence": "补充夜间亮灯照片，三组至五组路灯已全部更换"}, files=[photo])
    head.act(issue, "agree")
    leader.act(issue, "decide", {"reply": REPLY}, check={"decision": "approve"})
    assert Issue.objects.get(pk=issue.pk).state == IssueState.SIGNED_OFF
    assert "请补充夜间亮灯照片" in leader.page.content()  # the rejection stays on the timeline
    for staff in (handler, head, leader):
        staff.close()

    # Each citizen looks up the appeal with number and query code and reads the reply.
    for submission in citizens:
        page.goto(f"{live_server.url}/appeal/track/")
        page.locator("#id_number").fill(submission.appeal.number)
        page.locator("#id_code").fill(submission.query_code)
        with page.expect_navigation():
            page.locator("form button[type=submit]").last.click()
        assert REPLY in page.content()
        assert Appeal.objects.get(pk=submission.appeal.pk).state == State.REPLIED
