"""Visits in a real browser (issue 7, "Done when"): a cadre records a visit with a difficulty on a
phone-sized page, turns the difficulty into an appeal, and the dispatcher finds it in the inbox.

Selectors use names and ids, so the journey reads the same in any language (the pages speak Chinese).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from minyi.appeals.choices import Channel
from minyi.browser import staff_browser
from minyi.outreach.models import Difficulty, Visit
from minyi.testing import Actors, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cadre_records_a_visit_and_the_difficulty_reaches_the_dispatcher(
    browser: Any, live_server: Any
) -> None:
    actors: Actors = make_actors()
    context, page = staff_browser(browser, live_server.url, "cadre")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/outreach/visits/new/")
    page.locator("#id_visited_on").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.locator("#id_village").select_option(str(actors.village.pk))
    page.locator("#id_household_search").fill(actors.household.code)
    page.locator("#id_contact_card").check()
    page.locator("#id_diary").check()
    page.locator("#id_diary_text").fill("王大海家三口人，屋顶漏雨，孩子上学路远。")
    page.locator("#id_difficulty-0-text").fill("屋顶漏雨，需要修缮")
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").last.click()
    visit = Visit.objects.get()
    assert page.url.endswith(f"/outreach/visits/{visit.pk}/")
    difficulty = Difficulty.objects.get(visit=visit)
    with page.expect_navigation():
        page.locator(f"#difficulty-{difficulty.pk} button[name=make-appeal]").click()
    appeal = Difficulty.objects.get(pk=difficulty.pk).appeal
    assert appeal is not None and appeal.channel == Channel.VISIT
    assert page.locator(f"#difficulty-{difficulty.pk} .appeal-number").inner_text() == appeal.number
    context.close()

    context, inbox = staff_browser(browser, live_server.url, "dispatcher")
    inbox.goto(f"{live_server.url}/appeals/")
    assert inbox.locator(f'input[name="appeal"][value="{appeal.number}"]').count() == 1
    context.close()
