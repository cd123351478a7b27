"""The reply desk in a real browser: the check follows the handler's typing (half a second after the
last key) as a level in words and colour, at a desk's width and a phone's, and the redraft after a
send-back starts from the draft with the head's note beside it. Screenshots: var/test-screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from minyi.appeals import rules
from minyi.appeals.tests.factories import in_progress
from minyi.browser import SCREENSHOTS, staff_browser
from minyi.testing import make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEAK = "已收悉，我们会研究。"
GOOD = (
    "您好！经核实，东村三组村口路灯因线路老化损坏。根据《海滨区城乡路灯管理办法》第八条，村内路灯由镇政府负责"
    "维护。海城镇政府已安排电力维修队于11月20日更换路灯3盏并修复线路，目前夜间照明恢复正常。"
)
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [1440, 360])
def test_the_check_follows_the_typing_and_the_redraft_keeps_the_note(
    browser: Any, live_server: Any, width: int
) -> None:
    actors = make_actors()
    appeal = in_progress(actors)
    sent_back = rules.draft_reply(appeal, actor=actors.handler_edu, body=WEAK)
    rules.send_back_reply(sent_back, actor=actors.head_edu, note="请写明核实情况、更换了几盏、哪天修好。")
    viewport = {"width": width, "height": 900 if width > 400 else 800}
    context, page = staff_browser(browser, live_server.url, "handler_edu", viewport=viewport)
    try:
        page.goto(f"{live_server.url}/appeals/{appeal.number}/")
        panel = page.locator("#act-draft_reply")
        assert panel.get_attribute("open") is not None  # the handler came back to redraft
        text = panel.locator("textarea[name=body]")
        assert text.input_value() == WEAK
        assert "请写明核实情况" in panel.locator(".sent-back").inner_text()
        check = panel.locator("#reply-check-draft")
        assert check.locator(".level-weak").count() == 1  # the check of the text it starts from

        text.fill(GOOD)  # an input event, as typing gives
        check.locator(".level-good").wait_for()
        assert "好" in check.locator(".reply-level strong").inner_text()
        assert page.evaluate(NO_SIDEWAYS)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"appeal-reply-check-{width}.png"), full_page=True)

        text.fill(WEAK)
        check.locator(".level-weak").wait_for()
        assert check.locator(".reply-missing li").count() >= 3
    finally:
        context.close()
