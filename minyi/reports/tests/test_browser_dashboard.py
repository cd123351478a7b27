"""The dashboard in a real browser (issue 8, "Done when"): a unit head and a leader each see every chart
drawn (the map too) with the figures of their own scope, screenshots are kept, and the leader clicks
from a number through to the list behind it and exports that list to Excel.

Selectors use ids and data attributes, so the journey reads the same in any language."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal
from minyi.browser import SCREENSHOTS, staff_browser
from minyi.reports import geo
from minyi.reports.tests.test_map import good_set
from minyi.testing import Actors, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _seed(actors: Actors) -> dict[str, list[Appeal]]:
    """Hotline appeals led by 教育局 (two) and 住建局 (one, in the other township), and a mailbox
    appeal not dispatched yet."""

    def submit(channel: str, village: Any, lead: Any = None) -> Appeal:
        appeal = appeal_rules.submit(
            channel=channel, kind=Kind.HELP, title="路灯不亮", body="村口路灯坏了", village=village,
            citizen_name="张三丰", citizen_phone="13912345678",
        ).appeal  # fmt: skip
        if lead is not None:
            appeal_rules.dispatch(appeal, lead=lead, actor=actors.dispatcher)
        return appeal

    edu = [
        submit(Channel.HOTLINE, actors.village, actors.edu),
        submit(Channel.HOTLINE, actors.village2, actors.edu),
    ]
    housing = [submit(Channel.HOTLINE, actors.other_village, actors.housing)]
    mailbox = [submit(Channel.MAILBOX, actors.village)]
    return {"edu": edu, "hotline": edu + housing, "mailbox": mailbox}


def _every_chart_drawn(page: Any) -> None:
    from playwright.sync_api import expect

    charts = page.locator("[data-chart]")
    assert charts.count() >= 5
    # The JS marks each chart it drew; none is left undrawn, and each holds its SVG.
    expect(page.locator("[data-chart]:not([data-drawn=true])")).to_have_count(0)
    expect(page.locator("[data-chart] > div > svg, [data-chart] svg")).not_to_have_count(0)
    assert page.locator("[data-chart][data-drawn=true]").count() == charts.count()


def _labels_inside(page: Any, panel: str) -> None:
    """Every figure of the chart lies within its drawing (a "100%" at the end of a full bar included)."""
    svg = page.locator(f"{panel} [data-chart] svg").first
    box = svg.bounding_box()
    texts = svg.locator("text")
    assert texts.count() > 0
    for i in range(texts.count()):
        text = texts.nth(i).bounding_box()
        if text is not None and texts.nth(i).text_content().strip():
            assert text["x"] >= box["x"] - 1 and text["x"] + text["width"] <= box["x"] + box["width"] + 1, (
                texts.nth(i).text_content()
            )


def _channel_table(page: Any) -> dict[str, str]:
    rows = page.locator("#panel-channel table tbody tr")
    return {
        rows.nth(i).locator("th").text_content().strip(): rows.nth(i).locator("td").text_content().strip()
        for i in range(rows.count())
    }


def test_unit_head_and_leader_see_their_dashboards_and_export_a_list(browser: Any, live_server: Any) -> None:
    actors = make_actors()
    appeals = _seed(actors)
    geo.upload(good_set(), actor=actors.admin)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    context, page = staff_browser(browser, live_server.url, "head_edu")
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("#panel-channel [data-drawn=true]")
    page.wait_for_selector("#panel-map [data-drawn=true]")
    _every_chart_drawn(page)
    assert _channel_table(page) == {str(Channel.HOTLINE.label): "2"}  # only what the bureau leads
    map_rows = page.locator("#panel-map table tbody tr")
    assert map_rows.count() == 2 and "2" in map_rows.first.text_content()  # 海城镇: the bureau's two appeals
    # The map's legend names its ranges: 0, 1 and 2 appeals (the most a township has here).
    assert {"0", "1", "2"} <= {t.strip() for t in page.locator("#panel-map svg text").all_text_contents()}
    _labels_inside(page, "#panel-channel")
    page.screenshot(path=str(SCREENSHOTS / "dashboard-unit-head.png"), full_page=True)
    context.close()

    context, page = staff_browser(browser, live_server.url, "leader")
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("#panel-channel")
    # Their own part first: no items and no pairings in this seed, so no appeals of theirs.
    assert page.locator("#panel-channel > p.muted").count() == 1
    page.locator("select[name=view]").select_option("district")  # a leader's page opens on their own part
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    page.wait_for_selector("#panel-channel [data-drawn=true]")
    page.wait_for_selector("#panel-map [data-drawn=true]")
    _every_chart_drawn(page)
    assert _channel_table(page) == {str(Channel.HOTLINE.label): "3", str(Channel.MAILBOX.label): "1"}
    page.locator("[data-map-measure=overdue]").click()
    page.wait_for_selector("#panel-map [data-measure=overdue]")
    page.locator("[data-map-measure=appeals]").click()
    page.screenshot(path=str(SCREENSHOTS / "dashboard-leader.png"), full_page=True)

    # Click through from the number to the list behind it.
    page.locator("#panel-channel details summary").click()
    with page.expect_navigation():
        page.locator("#panel-channel table tbody th a", has_text=str(Channel.HOTLINE.label)).click()
    assert re.search(r"/appeals/\?channel=hotline&received_from=\d{4}-\d\d-\d\d&received_to=", page.url)
    listed = page.locator("table.appeals tbody tr td:first-child > a:not(.duplicate-mark)").all_inner_texts()
    expected = sorted(str(a.number) for a in appeals["hotline"])
    assert sorted(str(n) for n in listed) == expected

    # Export that list: a small one downloads at once, with the same rows.
    with page.expect_download() as download:
        page.locator("#export-list").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    content = Path(download.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sorted(str(row[0]) for row in rows[1:]) == expected
    assert all(row[rows[0].index("电话")] == "139****5678" for row in rows[1:])  # masked unless asked
    context.close()
