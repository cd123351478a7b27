"""A member checks in by code on the phone-sized page, and the session shows the attendance."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from minyi.browser import PHONE, staff_browser
from minyi.study import rules
from minyi.study.models import Attendance
from minyi.study.tests.conftest import build_study
from minyi.testing import make_actors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_checks_in_by_code_on_a_phone(browser: Any, live_server: Any) -> None:
    actors = make_actors()
    study = build_study(actors, attendances=False)
    session = rules.add_session(
        study.tour, starts_at=timezone.now(), topic="今日宣讲", place="东村", actor=None
    )
    context, page = staff_browser(browser, live_server.url, "member")
    try:
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/study/check-in/")
        page.locator("#id_code").fill(session.code.lower())
        page.locator("#check-in-form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/study/check-in/")
        assert "今日宣讲" in page.locator(".messages").inner_text()
    finally:
        context.close()
    assert Attendance.objects.filter(session=session, person=study.member.person).count() == 1
    organiser, page = staff_browser(browser, live_server.url, "cadre")
    try:
        page.goto(f"{live_server.url}/study/sessions/{session.pk}/")
        assert "陈党员" in page.locator("#attendances").inner_text()
    finally:
        organiser.close()
