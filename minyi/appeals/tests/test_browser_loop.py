"""The whole appeal loop in a real browser (issue 3, "Done when"): a citizen on a phone, an operator
at the keyboard, the dispatcher, handlers of two units, the unit head, and the citizen again.

Selectors use names and ids rather than visible words, so the journey reads the same in any
language; the pages themselves speak Chinese (the contexts are zh-CN).
"""

from __future__ import annotations

from typing import Any

import pytest

from minyi.appeals.choices import State
from minyi.appeals.models import Appeal
from minyi.browser import PHONE, staff_browser
from minyi.testing import Actors, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Staff:
    """One staff member's own browser (own cookies), logged in."""

    def __init__(self, browser: Any, live_server: Any, username: str) -> None:
        self.url = live_server.url
        self.context, self.page = staff_browser(browser, self.url, username)

    def open(self, number: str) -> None:
        self.page.goto(f"{self.url}/appeals/{number}/")

    def act(self, action: str, fields: dict[str, str] | None = None, button: str | None = None) -> None:
        """Open the action's panel, fill its fields (by name), press its button, and land back."""
        panel = self.page.locator(f'details[id^="act-{action}"]').first
        if panel.get_attribute("open") is None:
            panel.locator("summary").click()
        for name, value in (fields or {}).items():
            field = panel.locator(f'[name="{name}"]').first
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        submit = panel.locator(f'button[value="{button}"]' if button else "button[type=submit]").first
        with self.page.expect_navigation():
            submit.click()
        alerts = self.page.locator(".error[role=alert]")
        assert alerts.count() == 0, alerts.first.inner_text()

    def close(self) -> None:
        self.context.close()


def _citizen_rates(page: Any, live_server: Any, number: str, result: str) -> None:
    page.goto(f"{live_server.url}/appeal/track/{number}/")
    page.locator(f"input[name=result][value={result}]").check()
    with page.expect_navigation():
        page.locator("form[action$='/rate/'] button[type=submit]").click()


def test_the_loop_from_a_phone_to_the_second_reply(browser: Any, page: Any, live_server: Any) -> None:
    actors: Actors = make_actors()
    # A citizen leaves a message on a phone and gets the number and the query code.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/appeal/new/")
    page.locator("input[name=kind][value=complaint]").check()
    page.locator("#id_title").fill("东村路灯坏了三个月")
    page.locator("#id_body").fill("东村三组村口的路灯坏了三个月，晚上出行很不方便，请尽快修好。")
    page.locator("#id_village").select_option(str(actors.village.pk))
    page.locator("#id_phone").fill("13900001111")
    page.locator("form.public-form button[type=submit]").click()
    page.wait_for_url("**/appeal/done/")
    number = page.locator("#number").inner_text().strip()
    assert len(page.locator("#code").inner_text().strip()) == 8

    # An operator records a call with the keyboard alone.
    operator = Staff(browser, live_server, "operator")
    operator.page.goto(f"{live_server.url}/appeals/intake/new/")
    keys = operator.page.keyboard
    # The phone field takes the focus by itself (autofocus); type only once it has it, or the first
    # digit goes nowhere (this lost the "1" of the number on a busy machine).
    operator.page.wait_for_function("document.activeElement && document.activeElement.id === 'id_phone'")
    keys.type("13800005555")  # the phone field has the focus
    keys.press("Enter")  # on to the name; leaving the number looks the caller up (htmx)
    operator.page.wait_for_load_state("networkidle")  # type on only once that panel has come back
    keys.type("李先生")
    for text in (
        "",
        "",
        "西村水管破裂",
        "西村二组水管破裂，整条街停水一天了。",
    ):  # kind, urgency, title, body
        keys.press("Tab")
        keys.type(text)
    operator.page.wait_for_load_state("networkidle")  # the similar-appeals hint has come back
    with operator.page.expect_navigation():
        keys.press("Control+Enter")
    refused = operator.page.locator(".error")
    assert refused.count() == 0, refused.all_inner_texts()  # say which field was refused, if one was
    assert "受理编号" in operator.page.locator(".messages").inner_text()  # number and code, read out
    assert Appeal.objects.filter(citizen_phone="13800005555", title="西村水管破裂").exists()
    operator.close()

    # The dispatcher hands the citizen's appeal to the wrong unit; its handler returns it.
    dispatcher = Staff(browser, live_server, "dispatcher")
    dispatcher.open(number)
    dispatcher.act("dispatch", {"lead": str(actors.housing.pk)})
    housing = Staff(browser, live_server, "handler_housing")
    housing.open(number)
    housing.act("return", {"reason": "路灯维护属于教育局校园周边整治项目，不属于住建局。"})
    housing.close()
    assert Appeal.objects.get(number=number).state == State.RECEIVED

    # Dispatched again, accepted, more time asked for and granted, replied, approved.
    dispatcher.open(number)
    dispatcher.act("dispatch", {"lead": str(actors.edu.pk)})
    handler = Staff(browser, live_server, "handler_edu")
    handler.open(number)
    handler.act("accept")
    handler.act("request_extension", {"days": "3", "reason": "需要协调供电公司更换线路"})
    dispatcher.open(number)
    dispatcher.act("decide_extension", button="approve")
    handler.open(number)
    handler.act("draft_reply", {"body": "已更换一盏路灯。"})
    head = Staff(browser, live_server, "head_edu")
    head.open(number)
    head.act("approve_reply")
    assert Appeal.objects.get(number=number).state == State.REPLIED

    # The citizen reads the reply on the phone and is not satisfied: the appeal reopens.
    page.goto(f"{live_server.url}/appeal/track/{number}/")
    assert "已更换一盏路灯。" in page.content()
    _citizen_rates(page, live_server, number, "unsatisfied")
    assert Appeal.objects.get(number=number).state == State.REOPENED

    # The second round closes it.
    dispatcher.open(number)
    dispatcher.act("dispatch", {"lead": str(actors.edu.pk)})
    handler.open(number)
    handler.act("accept")
    handler.act("draft_reply", {"body": "三组村口三盏路灯已全部更换，经回访夜间照明正常。"})
    head.open(number)
    head.act("approve_reply")
    _citizen_rates(page, live_server, number, "satisfied")
    appeal = Appeal.objects.get(number=number)
    assert appeal.state == State.CLOSED
    assert "三盏路灯已全部更换" in page.content() or appeal.replies.filter(body__contains="三盏").exists()
    for staff in (dispatcher, handler, head):
        staff.close()
