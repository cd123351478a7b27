"""The cadre's phone in a real browser (issue 17, "Done when"): at 390×844 a cadre records a household
visit (village → household by name → five ones → a difficulty → saved) on the first try; a branch
secretary opens the offline study page and sees only their branch's members; and no page a cadre, a
member or a citizen opens scrolls sideways at 360 px. Each page is saved under var/test-screenshots/.

Selectors use names and ids; the words checked are the Chinese the pages show (contexts are zh-CN).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minyi.browser import PHONE, SCREENSHOTS, staff_browser
from minyi.ledger.models import Campaign
from minyi.org.choices import Role
from minyi.org.models import Household
from minyi.org.rules import create_person
from minyi.outreach import rules as outreach_rules
from minyi.outreach.models import Visit
from minyi.study import rules as study_rules
from minyi.study.choices import ActivityKind, BranchKind
from minyi.study.models import Branch, Membership
from minyi.study.tests.conftest import build_study
from minyi.testing import Actors, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 800}


def phone_login(browser: Any, base_url: str, username: str, viewport: dict[str, int]) -> tuple[Any, Any]:
    """A phone's own browser (own cookies), logged in; returns (context, page)."""
    return staff_browser(browser, base_url, username, viewport, is_mobile=True, has_touch=True)


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sideways(page: Any) -> int:
    """How many pixels the page is wider than the screen (0: it does not scroll sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _running_campaign() -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        code="NOW", name="群众路线教育实践活动", starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
    )  # fmt: skip


def test_a_cadre_records_a_household_visit_on_a_phone_first_try(browser: Any, live_server: Any) -> None:
    actors: Actors = make_actors()
    campaign = _running_campaign()
    Campaign.objects.create(
        code="OLD", name="已结束的活动", starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 6, 30)
    )
    Household.objects.create(
        code="T1V1-002", village=actors.village, head_name="王小明", address="东村三组19号"
    )
    Household.objects.create(
        code="T1V2-001", village=actors.village2, head_name="王大海", address="西村一组01号"
    )
    context, page = phone_login(browser, live_server.url, "cadre", PHONE)
    try:
        page.goto(f"{live_server.url}/outreach/visits/new/")
        expect(page.locator("#id_campaign")).to_have_value(
            str(campaign.pk)
        )  # running today, not the ended one
        assert sideways(page) == 0
        shot(page, "phone-visit-form-390")

        page.locator("#id_village").select_option(str(actors.village.pk))
        page.locator("#id_household_search").press_sequentially("王大", delay=30)
        match = page.locator("#household-results label.match")
        expect(match).to_have_count(1)
        expect(match).to_contain_text("王** · 三组18号")  # masked; the door number tells them apart
        match.click()
        expect(page.locator("input[name=household][value='T1V1-001']")).to_be_checked()

        five = page.locator("#five-ones")
        for word in ("留一张便民联系卡", "办一件群众急事", "写一本民情日记"):
            five.get_by_text(word, exact=True).click()
        page.locator("#id_urgent_matter_note").fill("帮助递交医保报销材料")
        page.locator("#id_diary_text").fill("王大海家三口人，屋顶漏雨，孩子上学路远。")
        page.locator("#id_difficulty-0-text").fill("屋顶漏雨，需要修缮")
        shot(page, "phone-visit-form-filled-390")
        assert sideways(page) == 0
        with page.expect_navigation():
            page.locator("#visit-form button.save").click()

        visit = Visit.objects.get()
        assert page.url.endswith(f"/outreach/visits/{visit.pk}/")  # saved on the first try
        assert visit.household == actors.household and visit.village == actors.village
        assert visit.campaign == campaign
        assert visit.contact_card and visit.urgent_matter and visit.diary
        assert [d.text for d in visit.difficulties.all()] == ["屋顶漏雨，需要修缮"]
        expect(page.locator("ul.checklist")).to_contain_text("✔ 办一件群众急事: 帮助递交医保报销材料")
        assert sideways(page) == 0
        shot(page, "phone-visit-saved-390")
    finally:
        context.close()


def _forty_member_branch(actors: Actors) -> tuple[Branch, Branch]:
    """东村's branch of 40 members (its secretary the demo-like "member" login) and a bigger branch of
    another village, both invited to sessions in scope of the township's cadre."""
    secretary, cadre = actors.member.person, actors.cadre.person
    west_secretary = create_person(name="西村书记", unit=actors.village2, role=Role.MEMBER, actor=None)
    east = study_rules.create_branch(
        code="T1V1P", name="东村党支部", kind=BranchKind.REGULAR, unit=actors.village, liaison=cadre,
        responsible=secretary, actor=None,
    )  # fmt: skip
    west = study_rules.create_branch(
        code="T1V2P", name="西村党支部", kind=BranchKind.REGULAR, unit=actors.village2, liaison=cadre,
        responsible=west_secretary, actor=None,
    )  # fmt: skip
    study_rules.enrol_member(secretary, home_branch=east, actor=None)
    study_rules.enrol_member(west_secretary, home_branch=west, actor=None)
    for n in range(39):
        person = create_person(name=f"东村党员{n:02d}", unit=actors.village, role=Role.MEMBER, actor=None)
        study_rules.enrol_member(person, home_branch=east, actor=None)
    for n in range(59):
        person = create_person(name=f"西村党员{n:02d}", unit=actors.village2, role=Role.MEMBER, actor=None)
        study_rules.enrol_member(person, home_branch=west, actor=None)
    return east, west


def test_a_secretary_sees_only_the_members_of_their_branch_on_the_offline_page(
    browser: Any, live_server: Any
) -> None:
    actors = make_actors()
    east, west = _forty_member_branch(actors)
    tour = study_rules.create_activity(
        kind=ActivityKind.LECTURE_TOUR, title="巡回宣讲进村", unit=actors.town, actor=None
    )
    now = timezone.now()
    both = study_rules.add_session(
        tour, starts_at=now - dt.timedelta(hours=1), topic="两村合学", place="村部", branches=[east, west],
        actor=None,
    )  # fmt: skip
    study_rules.add_session(
        tour,
        starts_at=now - dt.timedelta(hours=3),
        topic="西村专题",
        place="西村",
        branches=[west],
        actor=None,
    )
    context, page = phone_login(browser, live_server.url, "member", PHONE)
    try:
        page.goto(f"{live_server.url}/study/offline/")
        page.locator("#offline-session").select_option(str(both.pk))
        rows = page.locator("#offline-roll input[name=member]")
        expect(rows).to_have_count(40)
        expect(page.locator("#offline-roll fieldset legend")).to_have_text(["东村党支部 (常规党支部)"])
        expect(page.locator("#roll-count")).to_contain_text("40")
        page.locator("#offline-filter").fill("党员0")
        expect(page.locator("#offline-roll label:visible")).to_have_count(10)
        page.locator("#offline-filter").fill("")
        page.locator("#offline-all").click()
        expect(page.locator("#offline-roll input[name=member]:checked")).to_have_count(40)
        assert sideways(page) == 0
        shot(page, "phone-offline-secretary-390")
    finally:
        context.close()
    # The township's cadre (an organiser) sees every member, but per session only those invited.
    context, page = phone_login(browser, live_server.url, "cadre", PHONE)
    try:
        page.goto(f"{live_server.url}/study/offline/")
        page.locator("#offline-session").select_option(str(both.pk))
        expect(page.locator("#offline-roll input[name=member]")).to_have_count(100)
        expect(page.locator("#offline-roll fieldset legend")).to_have_count(2)
        shot(page, "phone-offline-cadre-390")
    finally:
        context.close()
    assert Membership.objects.count() == 100


def test_no_page_a_cadre_a_member_or_a_citizen_opens_scrolls_sideways_at_360(
    browser: Any, live_server: Any
) -> None:
    actors = make_actors()
    campaign = _running_campaign()
    study = build_study(actors, attendances=False)
    session = study_rules.add_session(
        study.tour, starts_at=timezone.now() - dt.timedelta(hours=1), topic="海上学习", ship="闽渔8号",
        branches=[study.branch_a], actor=None,
    )  # fmt: skip
    visit = outreach_rules.record_visit(
        actor=actors.cadre, visited_on=timezone.localdate(), household=actors.household, campaign=campaign,
        checklist={"contact_card": True, "contact_card_note": "留卡一张"}, diary_text="",
    )  # fmt: skip
    wide: dict[str, int] = {}

    def check(page: Any, name: str, path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        wide[name] = sideways(page)
        shot(page, f"narrow-360-{name}")

    context, page = phone_login(browser, live_server.url, "cadre", NARROW)
    try:
        check(page, "cadre-home", "/")
        check(page, "visit-form", "/outreach/visits/new/")
        page.locator("#id_village").select_option(str(actors.village.pk))
        page.locator("#id_household_search").fill("王")
        expect(page.locator("#household-results label.match")).to_have_count(1)
        wide["visit-form-with-results"] = sideways(page)
        with page.expect_navigation():
            page.locator("#visit-form button.save").click()  # the only match is picked: saved as it is
        assert "/outreach/visits/new/" not in page.url
        check(page, "visit-list", "/outreach/visits/")
        check(page, "visit-detail", f"/outreach/visits/{visit.pk}/")
        check(page, "cadre-offline", "/study/offline/")
        check(page, "my-pairings", "/outreach/pairings/mine/")
    finally:
        context.close()
    context, page = phone_login(browser, live_server.url, "member", NARROW)
    try:
        check(page, "member-home", "/")
        check(page, "member-offline", "/study/offline/")
        check(page, "check-in", "/study/check-in/")
        check(page, "session-check-in", f"/study/sessions/{session.pk}/check-in/")
    finally:
        context.close()
    context = browser.new_context(locale="zh-CN", viewport=NARROW, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        check(page, "citizen-submit", "/appeal/new/")
        page.locator("input[name=kind][value=complaint]").check()
        page.locator("#id_title").fill("东村路灯坏了三个月")
        page.locator("#id_body").fill("东村三组村口的路灯坏了三个月，晚上出行很不方便，请尽快修好。")
        page.locator("#id_village").select_option(str(actors.village.pk))
        page.locator("form.public-form button[type=submit]").click()
        page.wait_for_url("**/appeal/done/")
        number = page.locator("#number").inner_text().strip()
        wide["citizen-done"] = sideways(page)
        shot(page, "narrow-360-citizen-done")
        check(page, "citizen-track", "/appeal/track/")
        check(page, "citizen-status", f"/appeal/track/{number}/")
        check(page, "echo-wall", "/echo/")
    finally:
        context.close()
    assert {name: px for name, px in wide.items() if px > 0} == {}
