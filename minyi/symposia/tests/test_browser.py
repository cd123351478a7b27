"""Symposia in a real browser (issue 7): a cadre records a symposium on a phone-sized page, enters
three opinions in the batch form, and sees the three appeals linked to it.

Selectors use names and ids, so the journey reads the same in any language (the pages speak Chinese).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal
from minyi.browser import staff_browser
from minyi.symposia.choices import Group
from minyi.symposia.models import Symposium
from minyi.testing import Actors, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cadre_records_a_symposium_and_enters_three_opinions(browser: Any, live_server: Any) -> None:
    actors: Actors = make_actors()
    context, page = staff_browser(browser, live_server.url, "cadre")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/symposia/new/")
    page.locator("#id_held_on").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.locator("#id_title").fill("村民代表恳谈会")
    page.locator("#id_host").select_option(str(actors.town.pk))
    page.locator("#id_group").select_option(Group.VILLAGERS)
    page.locator("#id_attendees").fill("18")
    page.locator("#id_township").select_option(str(actors.town.pk))
    page.locator("#id_village").select_option(str(actors.village.pk))
    page.locator("#id_minutes").fill("18位村民代表参加，围绕村里的难事急事发言。")
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").last.click()
    symposium = Symposium.objects.get()
    assert page.url.endswith(f"/symposia/{symposium.pk}/opinions/")

    page.locator("#id_opinion-0-text").fill("村道路灯坏了半年没人修")
    page.locator("#id_opinion-1-text").fill("医保报销太慢")
    page.locator("#id_opinion-1-kind").select_option(Kind.COMPLAINT)
    page.locator("#id_opinion-1-speaker").fill("王大海")
    page.locator("#id_opinion-2-text").fill("希望开办老年食堂")
    page.locator("#id_opinion-2-kind").select_option(Kind.HELP)
    with page.expect_navigation():
        page.locator("button[name=save]").click()
    assert page.url.endswith(f"/symposia/{symposium.pk}/")

    appeals = list(Appeal.objects.filter(symposium_opinion__symposium=symposium).order_by("pk"))
    assert len(appeals) == 3 and {a.channel for a in appeals} == {Channel.SYMPOSIUM}
    numbers = page.locator("#opinions .appeal-number").all_inner_texts()
    assert numbers == [a.number for a in appeals]
    # Not yet dispatched to the cadre's township: shown, not linked (a link would answer 404).
    assert page.locator("#opinions a.appeal-number").count() == 0
    context.close()
