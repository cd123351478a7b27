"""Shared pytest fixtures: fast password hashing and the named actors of minyi.testing."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from minyi.org import lookup
from minyi.testing import Actors, make_actors

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@pytest.fixture(autouse=True, scope="session")
def _fast_passwords() -> Iterator[None]:
    """A fast hasher for the whole run: logins made by module- and session-wide fixtures too."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


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


@pytest.fixture(scope="module")
def _shared_actors(_fast_passwords: None, django_db_setup: None, django_db_blocker: Any) -> Iterator[Actors]:
    """The named actors made once for a module's tests, in a transaction rolled back when the module is
    done. Each test works in its own savepoint above it (pytest-django), so what one test changes is
    undone before the next; ``actors`` hands each test its own copy of the Python objects."""
    with django_db_blocker.unblock(), transaction.atomic():
        made = make_actors()
        yield made
        transaction.set_rollback(True)


@pytest.fixture
def actors(request: pytest.FixtureRequest) -> Actors:
    """The named actors of minyi.testing: shared by the module's tests (made once, see
    ``_shared_actors``) except in tests that commit (live server, ``transaction=True``), which make their
    own."""
    if "_shared_actors" not in request.fixturenames:
        request.getfixturevalue("transactional_db")
        return make_actors()
    shared = request.getfixturevalue("_shared_actors")
    request.getfixturevalue("db")  # the test's own savepoint, above the shared actors
    return copy.deepcopy(shared)


def _uses_db(item: pytest.Item) -> bool:
    return bool({"db", "transactional_db", "live_server", "actors"} & set(getattr(item, "fixturenames", ())))


def _commits(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = marker is not None and (marker.kwargs.get("transaction") or (marker.args[:1] == (True,)))
    return bool(transactional) or "live_server" in fixtures or "transactional_db" in fixtures


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Share the actors in the modules where every test that uses the database uses them without
    committing (a test that expects an empty district would find them), and set them up before the
    test's own transaction opens (a fixture set up inside it is rolled back with it): first in the list
    of the test's fixtures."""
    by_module: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_module.setdefault(item.nodeid.split("::")[0], []).append(item)
    for module_items in by_module.values():
        db_items = [i for i in module_items if i.get_closest_marker("django_db") or _uses_db(i)]
        if db_items and all("actors" in getattr(i, "fixturenames", ()) and not _commits(i) for i in db_items):
            for item in db_items:
                item.fixturenames.insert(0, "_shared_actors")  # type: ignore[attr-defined]


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


from minyi.browser import browser, page  # noqa: E402, F401  fixtures shared by every app's browser tests
