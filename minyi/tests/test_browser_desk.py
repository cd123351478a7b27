"""The staff desk in a real browser (issue 17, "Done when"): each staff role of the demo opens its home
and list pages at 1440×900 and at 390×844, in Chinese, and the pages are measured for what a day at the
desk runs into: sideways scrolling, a date, state or short name broken over two lines in a list, a link
that answers 403/404 to the user it is shown to (every link of those pages, followed one level down with
the test client as that user), and English words on a zh-hans page (names, codes and product names
aside). Each page is saved under var/test-screenshots/desk-<role>-<page>-<width>.png.

The journey visits every page once and keeps what it measured; each kind of finding is then its own test,
so that a finding that belongs to another part of issue 17 is an expected failure naming it, while the
others keep guarding the frame."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from minyi.appeals import rules as appeal_rules
from minyi.appeals.models import Appeal, Category
from minyi.appeals.tests.factories import dispatched, in_progress, lead_assignment, new_appeal
from minyi.browser import SCREENSHOTS, staff_browser
from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign
from minyi.org.choices import UnitKind
from minyi.org.rules import create_unit
from minyi.testing import Actors, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("desk-browser")]

DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
ROLES = ["dispatcher", "handler_edu", "head_edu", "leader", "cadre", "operator", "admin"]
#: The pages each role opens besides its home (those it may open: the others answer 403/404 and are
#: not shown to it).
LISTS = {"appeals": "/appeals/", "ledger": "/ledger/", "review": "/review/", "people": "/org/people/"}

#: Words that are not English prose on a Chinese page: product names, formats and the language switch.
#: Key names are written as on the keyboard.
ALLOWED_WORDS = {"Excel", "PDF", "API", "Open311", "GeoReport", "ECharts", "Swagger", "QR", "SMS", "English",
                 "KPI", "PNG", "JPG", "JPEG", "GIF", "WebP", "CSV", "JSON", "OpenAPI", "Minyi", "JavaScript",
                 "WeChat",
                 "Ctrl", "Enter", "Alt", "Shift", "Esc", "Tab"}  # fmt: skip

#: What the journey found, by kind: (role, width, page) → details (width 0: a page one link down, read
#: with the test client). Filled by the journey test.
Found = dict[str, dict[tuple[str, int, str], list[str]]]
FOUND: Found = {}

#: Findings that belong to other parts of issue 17 (not the desk's frame): a pattern of the finding's
#: text → why it is expected to fail here until that part lands.
ELSEWHERE: dict[str, dict[str, str]] = {
    "links": {},
    "english": {
        r"/kpi/: .*Wilson": "issue 17, English and jargon (another slice): "
        "'95% Wilson 区间下界' on the KPI ranking",
        r"/insight/classifier/: ": "issue 17, English and jargon (another slice): the classifier page "
        "tells to run 'manage.py insight train' in its Chinese sentence",
        r"/reports/boundaries/: ": "issue 17, charts and map (another slice): the map boundaries page "
        "names GeoJSON fields (FeatureCollection, Polygon, properties) in running text",
        r"/admin/: ": "Django's admin site (IT staff, not a desk page): "
        "model and action names it shows in English",
    },
    "wrapped": {},
    "sideways": {},
}

WRAPPED_CELLS = """() => {
  // Cells of the staff lists that hold a date, a state or a short name: more than one line is a break.
  const found = [];
  for (const cell of document.querySelectorAll('main table td, main table th')) {
    const text = cell.innerText.trim();
    if (!text || text.includes('\\n')) continue;
    const dated = /\\d{4}-\\d{2}-\\d{2}/.test(text) && [...text].length <= 24;
    if (!dated && [...text].length > 8) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0)
      .map(r => r.top).sort((a, b) => a - b);
    let lines = tops.length ? 1 : 0;
    for (let i = 1; i < tops.length; i++) if (tops[i] - tops[i - 1] > 8) lines++;
    if (lines > 1) found.push(text);
  }
  return found;
}"""


def _district() -> Actors:
    """The named actors with a day's work for each role: new appeals, late ones, a draft reply, an
    extension request, and rectification items waiting for the unit head and for the leader."""
    actors = make_actors()
    parent = Category.objects.create(code="edu", name="教育文体", default_unit=actors.edu)
    school = Category.objects.create(code="school", name="校园周边安全", parent=parent)
    for title in ("东村路灯坏了三个月", "学校门口早晚高峰拥堵严重"):
        new_appeal(actors, title=title, category=school)
    late = dispatched(actors, title="校车停靠点没有遮雨棚", category=school)
    Appeal.objects.filter(pk=late.pk).update(deadline=timezone.now() - dt.timedelta(days=2))
    drafted = in_progress(actors, title="学校门口积水", category=school)
    appeal_rules.draft_reply(drafted, actor=actors.handler_edu, body="已疏通排水管，积水已排除。")
    asking = in_progress(actors, title="校园周边流动摊贩", category=school)
    appeal_rules.request_extension(
        lead_assignment(asking), actor=actors.handler_edu, days=3, reason="需联合执法"
    )
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="QZLX", name="群众路线教育实践活动", starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
    )  # fmt: skip
    for title, agreed in (("校园周边交通整治", False), ("学校食堂卫生整改", True)):
        issue = ledger_rules.create_issue(
            campaign=campaign, title=title, track=Track.FIX_NOW, lead_unit=actors.edu, leader=actors.leader,
            deadline=today + dt.timedelta(days=20), actor=actors.dispatcher, appeals=[drafted],
        )  # fmt: skip
        ledger_rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="已整改完毕，附照片")
        if agreed:
            ledger_rules.agree_signoff(issue, actor=actors.head_edu)
    return actors


def _links(page: Any, base: str) -> list[str]:
    """The site's own addresses the page links to (path and query), each once."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found: dict[str, None] = {}
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or not parts.path:
            continue
        found[parts.path + (f"?{parts.query}" if parts.query else "")] = None
    return list(found)


def _english(text: str) -> list[str]:
    """English words in a page's text: Latin words of three letters or more that are not codes (with
    digits, or upper-case abbreviations) and not product or format names."""
    words = re.findall(r"(?<![\w./-])[A-Za-z][A-Za-z'-]{2,}(?![\w/-])", text)
    return sorted({w for w in words if w not in ALLOWED_WORDS and not w.isupper()})


def _visit(page: Any, base: str, url: str, name: str) -> dict[str, Any]:
    response = page.goto(base + url)
    page.wait_for_load_state("networkidle")  # the menu's counts arrive after the page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return {
        "status": response.status if response else 0,
        "sideways": int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth")),
        "wrapped": page.evaluate(WRAPPED_CELLS),
        "english": _english(page.evaluate("document.body.innerText")),
        "links": _links(page, base),
    }


@pytest.mark.django_db(transaction=True)
def test_each_role_opens_its_desk_pages_at_both_sizes(browser: Any, live_server: Any) -> None:
    actors = _district()
    base = live_server.url
    found: Found = {kind: {} for kind in ELSEWHERE}
    for role in ROLES:
        user = getattr(actors, role)
        client = Client()
        client.force_login(user)
        pages = {"home": "/"} | {
            name: url for name, url in LISTS.items() if client.get(url).status_code == 200
        }
        followed: dict[str, int] = {}
        context, page = staff_browser(browser, base, role, DESK)
        try:
            for viewport in (DESK, PHONE):
                page.set_viewport_size(viewport)
                width = viewport["width"]
                for name, url in pages.items():
                    seen = _visit(page, base, url, f"desk-{role}-{name}-{width}")
                    assert seen["status"] == 200, (role, url, seen["status"])
                    key = (role, width, name)
                    if seen["sideways"] > 0:
                        found["sideways"][key] = [f"{seen['sideways']} px wider than the screen"]
                    if seen["wrapped"]:
                        found["wrapped"][key] = seen["wrapped"]
                    if seen["english"]:
                        found["english"][key] = seen["english"]
                    for link in seen["links"]:
                        if link not in followed:
                            followed[link] = _follow(client, link, found, role)
                    dead = [f"{link} → {followed[link]}" for link in seen["links"] if followed[link] in DEAD]
                    if dead:
                        found["links"][key] = dead
        finally:
            context.close()
    FOUND.update(found)
    # What was found, for the reader of the screenshots (and the closing note of issue 17).
    named = {kind: {" ".join(map(str, key)): v for key, v in rows.items()} for kind, rows in found.items()}
    (SCREENSHOTS / "desk-findings.json").write_text(json.dumps(named, ensure_ascii=False, indent=1), "utf-8")


DEAD = (403, 404)


def _follow(
    client: Client, link: str, found: dict[str, dict[tuple[str, int, str], list[str]]], role: str
) -> int:
    """Open a link one level down as the page's reader; the English words of the page it opens are
    findings too (its text read from the HTML: tags, scripts and styles left out)."""
    response = client.get(link)
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        # Scripts, styles, comments and code (commands, file and field names) are not prose.
        unread = r"<(script|style|code|kbd|pre|samp)\b.*?</\1>|<!--.*?-->"
        markup = re.sub(unread, " ", response.content.decode(), flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
        if words := _english(text):
            found["english"][(role, 0, link)] = words
    return response.status_code


def _check(kind: str) -> None:
    """Fail on the findings of ``kind`` that are the desk's; an expected failure naming the part of issue 17
    each remaining one belongs to."""
    if not FOUND:
        pytest.skip("the journey did not run (test_each_role_opens_its_desk_pages_at_both_sizes)")
    ours: list[str] = []
    theirs: dict[str, list[str]] = {}
    for (role, width, name), details in FOUND[kind].items():
        for detail in details:
            line = f"{role} {width}px {name}: {detail}"
            reason = next((why for pattern, why in ELSEWHERE[kind].items() if re.search(pattern, line)), None)
            if reason is None:
                ours.append(line)
            else:
                theirs.setdefault(reason, []).append(line)
    assert ours == []
    if theirs:
        pytest.xfail("; ".join(f"{why}: {', '.join(lines)}" for why, lines in theirs.items()))


def test_no_desk_page_scrolls_sideways() -> None:
    _check("sideways")


def test_no_list_cell_breaks_a_date_a_state_or_a_short_name() -> None:
    _check("wrapped")


def test_no_link_on_a_desk_page_answers_403_or_404_to_its_reader() -> None:
    _check("links")


def test_no_english_words_on_the_chinese_desk_pages() -> None:
    _check("english")


@pytest.mark.django_db(transaction=True)
def test_the_kpi_table_and_the_co_unit_checkboxes_fit_the_desk(browser: Any, live_server: Any) -> None:
    """At 1440×900 the KPI table shows its last column (整改销号率) without scrolling, the dispatch form's
    co-unit checkboxes are a grid of several columns, no name on two lines, and the lists take the
    screen's width at 1440 and 1920; at 360 px the menu folds behind its switch. The journey's own
    detectors are tried on a page made to fail, so that a clean journey means clean pages."""
    actors = make_actors()
    for n, name in enumerate(
        ["区教育体育局", "区市场监督管理局", "区农业农村局", "区自然资源局", "区卫生健康委员会"]
    ):
        create_unit(code=f"DEPT{n}", name=name, kind=UnitKind.DEPARTMENT, parent=actors.district, actor=None)
    waiting = new_appeal(actors)
    context, page = staff_browser(browser, live_server.url, "dispatcher", DESK)
    try:
        page.goto(f"{live_server.url}/kpi/")
        last = page.locator("table.kpi thead th").last
        assert "整改销号率" in last.inner_text()
        box, wrap = last.bounding_box(), page.locator("table.kpi").locator("xpath=..").bounding_box()
        assert (
            box is not None and wrap is not None and box["x"] + box["width"] <= wrap["x"] + wrap["width"] + 1
        )
        assert box["x"] + box["width"] <= DESK["width"]
        page.screenshot(path=str(SCREENSHOTS / "desk-kpi-1440.png"), full_page=True)

        page.goto(f"{live_server.url}/appeals/{waiting.number}/")
        labels = page.locator(
            "fieldset.choices:has(input[name=co_units]) label:has(input)"
        )  # not group names
        assert labels.count() >= 8
        page.locator("fieldset.choices:has(input[name=co_units])").screenshot(
            path=str(SCREENSHOTS / "desk-co-units-1440.png")
        )
        heights = labels.evaluate_all("ls => ls.map(l => l.getBoundingClientRect().height)")
        tops = labels.evaluate_all("ls => ls.map(l => Math.round(l.getBoundingClientRect().top))")
        assert max(heights) < 2 * min(heights)  # no name on two lines
        assert len(set(tops)) <= len(tops) / 2  # at least two names a row

        # The lists use the screen's width beside the menu: no narrow centre column at 1440 or 1920.
        for width, height in ((1440, 900), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/appeals/?tab=all&state=")
            listed = page.locator("main .table-wrap").bounding_box()
            assert listed is not None and listed["width"] >= width - 260, (width, listed)
            page.screenshot(path=str(SCREENSHOTS / f"desk-dispatcher-appeals-{width}-wide.png"))

        # On a 360 px phone the menu folds behind its switch: the queues stay in view, nothing scrolls
        # sideways, and the switch opens the sections.
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(f"{live_server.url}/appeals/")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0
        menu = page.locator("nav.desk-menu")
        expect(menu.locator(".desk-queues").get_by_text("待交办")).to_be_visible()
        expect(menu.get_by_role("link", name="整改台账")).to_be_hidden()
        menu.locator("label.desk-toggle-label").click()
        expect(menu.get_by_role("link", name="整改台账")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0
        page.screenshot(path=str(SCREENSHOTS / "desk-menu-open-360.png"), full_page=True)
        menu.get_by_role("link", name="整改台账").click()
        page.wait_for_url(f"{live_server.url}/ledger/")

        page.set_content(
            '<main><table style="width:4rem"><tr><td>2026-12-07</td><td>教育文体</td></tr></table>'
            "<p>Sign-off pending (demo dispatches, 195 labels)</p></main>"
        )
        assert page.evaluate(WRAPPED_CELLS) == ["2026-12-07", "教育文体"]
        assert _english(page.evaluate("document.body.innerText")) == [
            "Sign-off",
            "demo",
            "dispatches",
            "labels",
            "pending",
        ]
    finally:
        context.close()
