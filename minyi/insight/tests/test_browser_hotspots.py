"""The hotspot board in a real browser: a dispatcher asks for the board of a period, the worker computes
it, the dispatcher reloads, reads the hotspot and the heat formula, makes a rectification item of it
and lands on the item, which lists the hotspot's appeals.

Selectors use names and ids, so the journey reads the same in any language (the pages speak Chinese)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.browser import staff_browser
from minyi.insight.hotspots import HEAT_FORMULA
from minyi.insight.models import HotspotCluster
from minyi.insight.tests.test_board import LAMPS
from minyi.ledger.models import Campaign, Issue
from minyi.testing import Actors, make_actors
from minyi.worker.rules import work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dispatcher_turns_a_hotspot_into_a_rectification_item(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MINYI_SMS_FILE = tmp_path / "sms.jsonl"  # the worker also delivers the citizens' receipts
    actors: Actors = make_actors()
    Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                            ends_on=date(2027, 12, 31))  # fmt: skip
    today = timezone.localdate()
    zone = timezone.get_default_timezone()
    appeals = [
        appeal_rules.submit(
            channel=Channel.MAILBOX, kind=Kind.COMPLAINT, title=title, body=body, village=actors.village,
            citizen_phone=phone, received_at=datetime.combine(today - timedelta(days=9 - n), time(12), zone),
        ).appeal
        for n, (title, body, phone) in enumerate(LAMPS)
    ]  # fmt: skip
    context, page = staff_browser(browser, live_server.url, "dispatcher")

    # From the home page to the board; ask for the last two weeks.
    page.locator('#main a[href="/insight/hotspots/"]').click()  # the home page's link, not the menu's
    page.wait_for_url(f"{live_server.url}/insight/hotspots/")
    page.locator("#id_starts_on").fill((today - timedelta(days=13)).isoformat())
    page.locator("#id_ends_on").fill(today.isoformat())
    with page.expect_navigation():
        page.locator("#request-board button[type=submit]").click()
    assert page.locator("#board-pending").is_visible()

    # The worker computes it; the refresh link shows the board.
    assert work("test-worker", once=True) >= 1
    with page.expect_navigation():
        page.locator("#board-pending a").click()
    cluster = HotspotCluster.objects.get()
    row = page.locator(f"#cluster-{cluster.pk}")
    assert cluster.title in row.inner_text()
    assert page.locator("#heat-formula").text_content() == HEAT_FORMULA  # behind its 怎么算的 disclosure

    # Make an item of it: the title comes prefilled with the hotspot's.
    with page.expect_navigation():
        row.locator('a[href$="#make-issue"]').click()
    assert page.locator("#id_title").input_value() == cluster.title
    page.locator("#id_campaign").select_option(label="群众路线教育实践活动")
    page.locator("#id_track").select_option("fix_now")
    page.locator("#id_lead_unit").select_option(str(actors.town.pk))
    page.locator("#id_leader").select_option(str(actors.leader.pk))
    page.locator("#id_deadline").fill((today + timedelta(days=20)).isoformat())
    with page.expect_navigation():
        page.locator("#make-issue button[type=submit]").click()

    issue = Issue.objects.get()
    page.wait_for_url(f"{live_server.url}/ledger/{issue.pk}/")
    linked = page.locator('section[aria-labelledby="h-appeals"]').inner_text()
    for appeal in appeals:
        assert appeal.number in linked
    assert set(issue.appeals.all()) == set(appeals)
    context.close()
