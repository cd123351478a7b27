"""Assistance in a real browser (issue 9, "Done when"): a visit finds a family needing medical and
education help; a case is opened from the visit's difficulty, the coordinator opens it and hands both
parts out, the two units record delivery with evidence, the coordinator sees the full history and
another unit sees only its own part.

Selectors use names and ids, so the journey reads the same in any language (the pages speak Chinese).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from minyi.assistance.choices import PartState
from minyi.assistance.models import Case, CasePart
from minyi.assistance.tests.fixtures import build
from minyi.browser import staff_browser
from minyi.demo.assistance import PNG
from minyi.outreach import rules as outreach_rules
from minyi.outreach.rules import DifficultyInput
from minyi.testing import make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def deliver(browser: Any, base: str, username: str, part: CasePart, service: str) -> None:
    context, page = staff_browser(browser, base, username)
    page.goto(f"{base}/assistance/parts/")
    with page.expect_navigation():
        page.locator(f"#part-{part.pk} a").click()
    page.locator("#id_amount").fill("1500")
    page.locator("#id_service").fill(service)
    page.locator("#id_evidence").set_input_files(
        {"name": "签收单.png", "mimeType": "image/png", "buffer": PNG}
    )
    with page.expect_navigation():
        page.locator("button[name=deliver]").click()
    assert page.locator("#part-state").inner_text() == PartState.DELIVERED.label
    context.close()


def test_a_family_found_on_a_visit_gets_medical_and_education_help_across_departments(
    browser: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    base = live_server.url
    actors = make_actors()
    assist = build(actors)
    visit = outreach_rules.record_visit(
        actor=actors.cadre, visited_on=timezone.localdate(), village=actors.village,
        household=actors.household,
        difficulties=[DifficultyInput("老人住院医药费负担重，孩子上高中学费困难")],
    )  # fmt: skip
    difficulty = visit.difficulties.get()

    # The visitor asks for help from the visit's page.
    context, page = staff_browser(browser, base, "cadre")
    page.goto(f"{base}/outreach/visits/{visit.pk}/")
    with page.expect_navigation():
        page.locator(f"#assist-{difficulty.pk}").click()
    assert page.locator("#id_household_code").input_value() == actors.household.code
    page.locator("input[name=types][value=medical]").check()
    page.locator("input[name=types][value=education]").check()
    with page.expect_navigation():
        page.locator("button[name=open-case]").click()
    assert page.url.endswith(f"/outreach/visits/{visit.pk}/")
    context.close()
    case = Case.objects.get()
    medical, education = case.parts.get(type="medical"), case.parts.get(type="education")

    # The coordinator opens the case from the desk and hands both parts out.
    context, page = staff_browser(browser, base, "coordinator")
    page.goto(f"{base}/assistance/")
    with page.expect_navigation():
        page.locator(f"#waiting a[href='/assistance/cases/{case.pk}/']").first.click()
    for part, unit in ((medical, assist.health), (education, actors.edu)):
        form = page.locator(f"#part-{part.type} form.hand-out")
        form.locator("select").select_option(str(unit.pk))
        with page.expect_navigation():
            form.locator("button[name=hand-out]").click()
        assert page.locator(f"#part-{part.type} .part-unit").inner_text() == unit.name
    context.close()

    # The two units record what they gave, with evidence.
    deliver(browser, base, "handler_health", medical, "住院医疗费用救助")
    deliver(browser, base, "handler_edu", education, "高中助学金")

    # The coordinator sees the whole case across departments.
    context, page = staff_browser(browser, base, "coordinator")
    page.goto(f"{base}/assistance/cases/{case.pk}/")
    assert page.locator("#part-medical .part-state").inner_text() == PartState.DELIVERED.label
    assert page.locator("#part-education .part-state").inner_text() == PartState.DELIVERED.label
    assert "住院医疗费用救助" in page.locator("#part-medical").inner_text()
    assert "高中助学金" in page.locator("#part-education").inner_text()
    context.close()

    # The education bureau sees only its own part: not the medical part, not the case.
    context, page = staff_browser(browser, base, "handler_edu")
    page.goto(f"{base}/assistance/parts/?show=all")
    assert page.locator(f"#part-{education.pk}").count() == 1
    assert page.locator(f"#part-{medical.pk}").count() == 0
    assert page.goto(f"{base}/assistance/parts/{medical.pk}/").status == 404
    assert page.goto(f"{base}/assistance/cases/{case.pk}/").status == 404
    page.goto(f"{base}/assistance/parts/{education.pk}/")
    assert "住院医疗费用救助" not in page.content()
    context.close()
