"""Every role's main pages in a real browser under the production Content-Security-Policy (issue 16,
item 11): the home page and each link of its menu, and the citizens' pages; any violation the browser
reports (a console message or a ``securitypolicyviolation`` event) fails the test.

The policy is settings.CONTENT_SECURITY_POLICY, which the production profile inherits unchanged."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from minyi.appeals import rules
from minyi.appeals.tests.factories import in_progress
from minyi.browser import staff_browser
from minyi.testing import Actors, make_actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("operator", "dispatcher", "handler_edu", "head_edu", "leader", "cadre", "member", "auditor", "admin")
CITIZEN_PAGES = ("/", "/appeal/new/", "/appeal/track/", "/echo/")
# Links that download a file or change something when followed; every other link of the menu is loaded.
SKIPPED = ("export", "download", "logout", ".xlsx", ".pdf")
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = e.sourceFile + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + where);
});
"""


def production_policy() -> str:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def some_work(actors: Actors) -> None:
    """An appeal answered and published, so that lists, the echo wall and the dashboards have rows."""
    appeal = in_progress(actors)
    reply = rules.draft_reply(
        appeal, actor=actors.handler_edu, body="已更换路灯三盏，现已恢复照明。", publish=True
    )
    rules.approve_reply(reply, actor=actors.head_edu)


class Watcher:
    """Collects what the browser says about the policy on one page (context)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.messages: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.messages.append(message.text)

    def visit(self, url: str) -> list[str]:
        response = self.page.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        header = response.headers.get("content-security-policy", "")
        assert sorted(header.split("; ")) == sorted(production_policy().split("; ")), (url, header)
        self.page.wait_for_load_state("load")
        events = self.page.evaluate("window.__csp || []")
        found, self.messages = [*self.messages, *events], []
        return [f"{urlsplit(url).path}: {text}" for text in found]


def menu_links(page: Any, base_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    return sorted(
        {
            base_url + href
            for href in hrefs
            if href.startswith("/") and not any(word in href for word in SKIPPED)
        }
    )


def test_every_roles_main_pages_run_under_the_policy_without_a_violation(
    browser: Any, live_server: Any
) -> None:
    actors = make_actors()
    some_work(actors)
    violations: list[str] = []
    visited = 0
    context = browser.new_context(locale="zh-CN")
    watcher = Watcher(context.new_page())
    for path in CITIZEN_PAGES:
        violations += watcher.visit(live_server.url + path)
        visited += 1
    context.close()
    for username in ROLES:
        context, page = staff_browser(browser, live_server.url, username)
        watcher = Watcher(page)
        violations += watcher.visit(live_server.url + "/")
        for url in menu_links(page, live_server.url):
            violations += [f"{username} {text}" for text in watcher.visit(url)]
            visited += 1
        context.close()
    assert violations == []
    assert visited > 40  # the menus were really followed
