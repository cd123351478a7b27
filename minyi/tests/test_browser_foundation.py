"""Key journeys of the foundation in a real browser (Chromium through Playwright, phone-sized)."""

from __future__ import annotations

import pytest

from minyi.testing import PASSWORD, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_dispatcher_logs_in_and_sees_the_home_page_in_chinese(page, live_server) -> None:
    make_actors()
    _log_in(page, live_server, "dispatcher")
    heading = page.get_by_role("heading", name="你的角色：交办员")
    heading.wait_for()
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert page.get_by_role("link", name="单位树").is_visible()
    # fits a phone screen: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_wrong_password_is_explained(page, live_server) -> None:
    make_actors()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("dispatcher")
    page.get_by_label("密码").fill("not-the-password")
    page.keyboard.press("Enter")
    assert "用户名或密码错误" in page.get_by_role("alert").inner_text()


def test_outsider_is_refused_a_page_of_another_unit(page, live_server) -> None:
    make_actors()
    _log_in(page, live_server, "outsider")
    page.get_by_role("heading", name="你的角色：承办人").wait_for()
    response = page.goto(f"{live_server.url}/org/units/T1V1/")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="无权访问").is_visible()
    assert "超出了你的单位范围" in page.get_by_role("alert").inner_text()
