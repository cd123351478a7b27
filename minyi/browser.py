"""Playwright fixtures for browser tests: Debian's Chromium, one context per test, and a screenshot
of the page in var/test-screenshots/ whenever a test fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from minyi.testing import PASSWORD

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "test-screenshots"
# Flags that keep Chromium from calling home on this closed network (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


# One browser per test module, not per session: while Playwright runs, its sync API marks this thread as
# running an event loop, and a later test of the same worker that calls async code (async_to_sync, as
# the login guard's test does) would be refused.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium) or install it with apt"
        )
    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make between
    # browser steps are synchronous and safe, so Django's async guard is relaxed for browser tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright  # only when a browser test runs (its start-up is slow)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


DESKTOP = {"width": 1280, "height": 900}


def staff_browser(
    browser: Any, base_url: str, username: str, viewport: dict[str, int] = DESKTOP, **device: Any
) -> tuple[Any, Any]:
    """A user's own browser context (own cookies) on a desk screen (or ``viewport`` and ``device``
    options such as ``is_mobile``), logged in with the test password; returns (context, page). Close the
    context when done."""
    context = browser.new_context(locale="zh-CN", viewport=viewport, **device)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{base_url}/")
    return context, page
