"""Smart dispatch in a real browser (issue 5): the dispatcher opens a new appeal, reads the three suggested
categories with their units, confidence and the words why, takes the second one with "use this",
dispatches, and the correction is stored as a label; the admin then sees the model's agreement figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minyi.appeals.choices import State
from minyi.appeals.models import Category
from minyi.appeals.tests.factories import new_appeal
from minyi.browser import staff_browser
from minyi.insight import registry
from minyi.insight.models import Label
from minyi.insight.tests.corpus_tiny import TINY
from minyi.testing import Actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_uses_a_suggestion_and_leaves_a_label(
    browser: Any, live_server: Any, actors: Actors, settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    Category.objects.create(code="L1-house", name="城乡建设", default_unit=actors.housing)
    Category.objects.create(code="L1-edu", name="教育文体", default_unit=actors.edu)
    Category.objects.create(code="L1-traffic", name="交通运输", default_unit=actors.office)
    model = registry.train(csv_rows=TINY, use_labels=False, taxonomy=[], sources="tiny")
    appeal = new_appeal(
        actors, title="学校食堂饭菜不卫生", body="学校食堂饭菜不卫生，学生吃了拉肚子，请教育局检查学校食堂。"
    )

    context, page = staff_browser(browser, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/appeals/{appeal.number}/")
    suggestions = page.locator(".suggestions li")
    assert suggestions.count() == 3
    first = suggestions.nth(0)
    assert first.get_attribute("data-label") == "教育文体"
    assert "区教育局" in first.inner_text() and "%" in first.inner_text()
    assert page.locator(".advice mark").count() > 0  # the words that weighed most
    # The dispatcher decides it is rather about the school's building: takes 城乡建设 instead.
    page.locator('.suggestions li[data-label="城乡建设"] a').click()
    page.wait_for_url("**?use=*")
    form = page.locator("form[action$='/dispatch/']")
    assert form.locator("select[name=lead]").input_value() == str(actors.housing.pk)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    appeal.refresh_from_db()
    assert appeal.state == State.DISPATCHED and appeal.lead_unit == actors.housing
    label = Label.objects.get(appeal=appeal)
    assert (label.label, label.predicted, label.source) == ("城乡建设", "教育文体", Label.Source.CORRECTED)
    context.close()

    context, page = staff_browser(browser, live_server.url, "admin")
    page.goto(f"{live_server.url}/insight/classifier/")
    assert model.version in page.locator("#current-version").inner_text()
    assert "(0%)" in page.locator("#live").inner_text()  # its one first suggestion was corrected
    context.close()
