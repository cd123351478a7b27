"""Shared pytest fixtures: fast password hashing and the named actors of minyi.testing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from minyi.org import lookup
from minyi.testing import Actors, make_actors

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Each test starts in the site's first language: a request made in English by an earlier test
    leaves English active in the thread (LocaleMiddleware activates, never deactivates)."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_unit_lookup() -> None:
    """Each test builds its own units: forget those an earlier test cached by code."""
    lookup.forget()


@pytest.fixture
def actors(db: None) -> Actors:
    return make_actors()


@pytest.fixture
def shared_data() -> Path:
    """The real citizen messages beside the repository (docs/data.md); skip when they are not there."""
    if not (SHARED_DATA / "appeals").is_dir():
        pytest.skip(f"real appeal data not found at {SHARED_DATA}/appeals (CI has it beside the checkout)")
    return SHARED_DATA


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the test item, so fixtures can react to a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


from minyi.browser import browser, page  # noqa: E402, F401  (fixtures shared by every app's browser tests)
