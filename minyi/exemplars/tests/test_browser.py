"""An organiser links a role model to a study activity in the browser, and the role model's page then
lists the activity."""

from __future__ import annotations

from typing import Any

import pytest

from minyi.browser import PHONE, staff_browser
from minyi.exemplars.models import ActivityExemplar
from minyi.exemplars.tests.conftest import build_library
from minyi.testing import make_actors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cadre_links_a_role_model_to_an_activity(browser: Any, live_server: Any) -> None:
    library = build_library(make_actors())
    research = library.study.research
    context, page = staff_browser(browser, live_server.url, "cadre")
    try:
        page.goto(f"{live_server.url}/study/activities/{research.pk}/")
        page.locator("#id_link_exemplar").select_option(str(library.yang.pk))
        page.locator("#link-exemplar button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/study/activities/{research.pk}/")
        assert "杨善洲" in page.locator("#exemplars ul").inner_text()
        page.set_viewport_size(PHONE)
        page.locator("#exemplars ul a", has_text="杨善洲").click()
        page.wait_for_url(f"{live_server.url}/exemplars/{library.yang.pk}/")
        assert research.title in page.locator("#activities").inner_text()
        assert "专题片《杨善洲》" in page.locator("#materials").inner_text()
    finally:
        context.close()
    assert ActivityExemplar.objects.filter(activity=research, exemplar=library.yang).count() == 1
