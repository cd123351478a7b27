"""Answering an evaluation form in a real phone-sized browser (issue 7): a citizen types the code from
the paper slip, rates, writes a comment and sends; the same code is refused the second time; the comment
is an anonymous appeal (channel evaluation, no name, no phone).

Selectors use names and ids, so the journey reads the same in any language (the pages speak Chinese).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal
from minyi.evaluation import rules
from minyi.evaluation.models import AnswerCode, Response, Score
from minyi.evaluation.tests.conftest import definition
from minyi.testing import make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_answers_with_a_paper_code_once(page: Any, live_server: Any) -> None:
    actors = make_actors()
    form = rules.create_form(definition(actors), actor=actors.dispatcher)
    rules.open_form(form, actor=actors.dispatcher)
    [code] = rules.generate_codes(form, actor=actors.dispatcher, count=1)
    criteria = [c.pk for c in form.criteria.all()]
    town = actors.town.pk

    page.goto(f"{live_server.url}/evaluation/answer/")
    page.locator("#id_code").fill(rules.printed(code))
    with page.expect_navigation():
        page.locator("button[name=check]").click()
    expect(page.locator(f"#unit-{town} legend").first).to_have_text("海城镇")
    for criterion, value in zip(criteria, (5, 4, 3), strict=True):
        page.locator(f'input[name="u{town}_c{criterion}"][value="{value}"]').check()
    page.locator(f"#id_u{town}_comment").fill("希望镇里多开几场群众座谈会")
    with page.expect_navigation():
        page.locator("button[name=submit]").click()
    expect(page.locator("#thanks")).to_be_visible()
    assert Response.objects.count() == 1
    assert sorted(Score.objects.values_list("value", flat=True)) == [3, 4, 5]
    assert AnswerCode.objects.get().used

    page.goto(f"{live_server.url}/evaluation/answer/")
    page.locator("#id_code").fill(code)
    with page.expect_navigation():
        page.locator("button[name=check]").click()
    expect(page.locator("#form-error")).to_be_visible()
    assert page.locator(f"#unit-{town}").count() == 0
    assert Response.objects.count() == 1

    appeal = Appeal.objects.get(channel=Channel.EVALUATION)
    assert appeal.body == "希望镇里多开几场群众座谈会"
    assert appeal.citizen_name == "" and appeal.citizen_phone == "" and appeal.recorded_by is None
