"""Likely duplicates in a real browser (issues 5 and 18): the dispatcher sees the mark in the inbox, opens
the appeal, reads why it looks like the earlier one, confirms the merge on a page that shows both appeals
and the reply, and sees it merged; another hint is dismissed ("不是重复") and stays gone; and at intake,
records a repeat call and merges it with one click on the hint beside the form.

Selectors use classes, names and links, so the journey reads the same in any language (the pages speak
Chinese).
"""

from __future__ import annotations

from typing import Any

import pytest

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind, State
from minyi.appeals.models import Appeal
from minyi.browser import staff_browser
from minyi.insight.duplicates import record_hints
from minyi.testing import Actors, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_merges_a_marked_duplicate_from_the_inbox(browser: Any, live_server: Any) -> None:
    actors: Actors = make_actors()

    def call(title: str, body: str) -> Appeal:
        return appeal_rules.submit(
            channel=Channel.HOTLINE, kind=Kind.COMPLAINT, title=title, body=body, village=actors.village,
            citizen_name="王大海", citizen_phone="13900001111", actor=actors.operator,
        ).appeal  # fmt: skip

    earlier = call("东村路灯坏了三个月", "东村三组村口的路灯坏了三个月，晚上出行很不方便，请尽快修好。")
    again = call("东村路灯还是不亮", "上次反映的村口路灯还没修，晚上看不见路。")
    record_hints(again)  # what the worker does when the call arrives

    context, page = staff_browser(browser, live_server.url, "dispatcher")
    try:
        page.goto(f"{live_server.url}/appeals/")
        row = page.locator("tr", has=page.locator(f'a[href="/appeals/{again.number}/"]'))
        mark = row.locator(".duplicate-mark")
        assert earlier.number in mark.inner_text()

        with page.expect_navigation():
            row.locator(f'a[href="/appeals/{again.number}/"]').first.click()
        duplicate = page.locator(f'#duplicates li[data-number="{earlier.number}"]')
        assert duplicate.count() == 1
        assert "路灯" in duplicate.locator(".duplicate-why").inner_text()  # why, beside the appeal
        assert duplicate.locator("button.merge-into").count() == 0  # no merge in one click
        with page.expect_navigation():
            duplicate.locator("a.merge-into").click()
        assert page.locator(".merge-pair .card").count() == 2  # both appeals, side by side
        assert Appeal.objects.get(pk=again.pk).state == State.RECEIVED  # asking changed nothing
        with page.expect_navigation():
            page.locator("form.merge-confirm button[type=submit]").click()

        assert page.locator(".error[role=alert]").count() == 0
        assert page.url.endswith(f"/appeals/{again.number}/")
        assert page.locator(f'.facts a[href="/appeals/{earlier.number}/"]').count() == 1  # merged into
        assert page.locator("#duplicates").count() == 0  # nothing left to merge
        assert Appeal.objects.get(pk=again.pk).state == State.MERGED

        page.goto(f"{live_server.url}/appeals/{earlier.number}/")
        assert page.locator(f'a[href="/appeals/{again.number}/"]').count() == 1  # merged into this one
    finally:
        context.close()


def test_dispatcher_dismisses_a_hint_and_it_stays_gone(browser: Any, live_server: Any) -> None:
    actors: Actors = make_actors()

    def call(title: str, body: str, phone: str) -> Appeal:
        return appeal_rules.submit(
            channel=Channel.HOTLINE, kind=Kind.COMPLAINT, title=title, body=body, village=actors.village,
            citizen_name="李四", citizen_phone=phone, actor=actors.operator,
        ).appeal  # fmt: skip

    earlier = call(
        "东村工地夜间施工噪音扰民", "东村小区旁边的建筑工地每天晚上十点以后还在施工。", "13700007777"
    )
    again = call("东村建筑工地晚上施工太吵", "东村小区旁工地夜里还在施工打桩，吵得睡不着。", "13700008888")
    record_hints(again)

    context, page = staff_browser(browser, live_server.url, "dispatcher")
    try:
        page.goto(f"{live_server.url}/appeals/{again.number}/")
        duplicate = page.locator(f'#duplicates li[data-number="{earlier.number}"]')
        with page.expect_navigation():
            duplicate.locator("button.not-duplicate").click()
        assert page.locator(".error[role=alert]").count() == 0
        assert page.locator("#duplicates").count() == 0
        page.reload()
        assert page.locator("#duplicates").count() == 0
        assert Appeal.objects.get(pk=again.pk).state == State.RECEIVED
    finally:
        context.close()


def test_dispatcher_records_a_repeat_call_and_merges_it_in_one_click(browser: Any, live_server: Any) -> None:
    actors: Actors = make_actors()
    earlier = appeal_rules.submit(
        channel=Channel.HOTLINE, kind=Kind.COMPLAINT, title="东村路灯坏了三个月",
        body="东村三组村口的路灯坏了三个月，晚上出行很不方便，请尽快修好。", village=actors.village,
        citizen_name="王大海", citizen_phone="13900001111",
    ).appeal  # fmt: skip

    context, page = staff_browser(browser, live_server.url, "dispatcher")
    try:
        page.goto(f"{live_server.url}/appeals/intake/new/")
        page.locator("#id_phone").fill("139 0000 1111")
        page.locator("#id_body").fill("上次反映的村口路灯还没修，晚上看不见路。")
        page.locator("#id_title").fill("东村路灯还是不亮")
        page.locator("#id_title").press("End")  # the hint follows typing (a key released)
        button = page.locator(f'#similar button[name="merge_into"][value="{earlier.number}"]')
        button.wait_for()
        with page.expect_navigation():
            button.click()

        assert page.locator(".error[role=alert]").count() == 0
        recorded = Appeal.objects.exclude(pk=earlier.pk).get()
        assert recorded.state == State.MERGED
        assert recorded.master_id == earlier.pk
        assert f"{recorded.number}" in page.content()  # the receipt: number and query code
    finally:
        context.close()


FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [360, 1440])
def test_the_hints_and_the_confirmation_fit_the_screen(browser: Any, live_server: Any, width: int) -> None:
    actors: Actors = make_actors()
    long_body = "东村小区旁边的建筑工地每天晚上十点以后还在施工，噪音很大，" * 8
    earlier = appeal_rules.submit(
        channel=Channel.HOTLINE, kind=Kind.COMPLAINT, title="东村工地夜间施工噪音扰民", body=long_body,
        village=actors.village, citizen_name="李四", citizen_phone="13700007777",
    ).appeal  # fmt: skip
    again = appeal_rules.submit(
        channel=Channel.HOTLINE, kind=Kind.COMPLAINT, title="东村建筑工地晚上施工太吵",
        body="东村小区旁工地夜里还在施工打桩，吵得睡不着。", village=actors.village,
        citizen_name="王五", citizen_phone="13700008888",
    ).appeal  # fmt: skip
    record_hints(again)
    viewport = {"width": width, "height": 900}
    context, page = staff_browser(browser, live_server.url, "dispatcher", viewport=viewport)
    try:
        page.goto(f"{live_server.url}/appeals/{again.number}/")
        assert page.locator("#duplicates .duplicate-why").count() == 1
        assert page.evaluate(FITS)
        page.goto(f"{live_server.url}/appeals/{again.number}/duplicates/merge/?into={earlier.number}")
        assert page.locator(".merge-pair .card").count() == 2
        assert page.evaluate(FITS)
        for date in page.locator(".merge-pair .nowrap").all():
            box = date.bounding_box()
            assert box is not None and box["height"] < 40  # one line: the date never wraps
    finally:
        context.close()
