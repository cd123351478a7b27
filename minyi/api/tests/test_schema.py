"""The OpenAPI schema and the docs page, and a bounded schemathesis run against the schema: generated
requests as a dispatcher (token) never get a 5xx, and every answer matches the schema."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from minyi.api.tokens import create_token
from minyi.appeals.tests.factories import dispatched, in_progress, new_appeal
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign, Issue
from minyi.ledger.rules import create_issue
from minyi.testing import Actors
from minyi.wsgi import application

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_and_describes_the_appeal_loop(client: Client) -> None:
    response = client.get("/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Minyi API"
    paths = schema["paths"]
    assert {"/api/v1/appeals/", "/api/v1/appeals/{number}/", "/api/v1/appeals/{number}/dispatch/"} <= set(
        paths
    )
    dispatch = paths["/api/v1/appeals/{number}/dispatch/"]["post"]
    assert "409" in dispatch["responses"] and "404" in dispatch["responses"]
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Authorization: Bearer <key>",
    }


def test_docs_page_uses_only_our_own_static_files(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assets = [url for url in urls if url.endswith((".js", ".css", ".png"))]
    assert assets, html
    assert not re.search(r"https?://", " ".join(urls)), urls  # no CDN
    for url in assets:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")) is not None, url
    # No inline script (the Content-Security-Policy refuses it): the start-up script is a file of its own.
    assert "<script>" not in html and "/api/docs/?script=" in urls
    assert "/api/schema/" in client.get("/api/docs/?script=").content.decode()


def test_issue_progress_is_a_nullable_integer_in_the_schema_and_null_without_a_plan(
    client: Client, actors: Actors
) -> None:
    schema = client.get("/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"}).json()
    progress = schema["components"]["schemas"]["Issue"]["properties"]["progress"]
    assert progress["type"] == "integer" and progress["nullable"] is True
    assert (progress["minimum"], progress["maximum"]) == (0, 100)
    issue = an_issue(actors)
    client.force_login(actors.leader)
    answer = client.get(f"/api/v1/issues/{issue.pk}/").json()
    assert answer["progress"] is None  # no plan and no quantity: nothing to count


def an_issue(actors: Actors) -> Issue:
    """An item with neither a plan nor a planned quantity (its progress is null)."""
    campaign = Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                                       ends_on=date(2026, 12, 31))  # fmt: skip
    return create_issue(
        campaign=campaign,
        title="东村路灯长期不亮",
        track=Track.FIX_NOW,
        lead_unit=actors.edu,
        leader=actors.leader,
        deadline=date(2026, 6, 30),
        actor=actors.dispatcher,
    )


# --- schemathesis ----------------------------------------------------------------------------------


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly sends request_started/finished, whose close_old_connections would
    close the test's connection mid-transaction on PostgreSQL; Django's test Client unhooks it too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def dispatcher_key(actors: Actors, _keep_test_connection: None) -> str:
    for appeal in (new_appeal(actors), dispatched(actors), in_progress(actors)):
        assert appeal.number
    an_issue(actors)  # its null progress is checked against the schema too
    return create_token(user=actors.dispatcher, name="schemathesis", actor=None).key


# The everyday run is a few hundred requests; `make test-schemathesis` (CI, on PostgreSQL) raises these
# for a run of a few minutes. Generated strings include NUL bytes (schemathesis' default, allow-x00).
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
STATEFUL_EXAMPLES = int(os.environ.get("SCHEMATHESIS_STATEFUL_EXAMPLES", "2"))
STATEFUL_STEPS = int(os.environ.get("SCHEMATHESIS_STATEFUL_STEPS", "4"))
SURROGATE = "\ud800"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Loaded at collection: generating the schema reads no table (pytest-django has set Django up by then).
# The coverage phase (thousands of boundary cases) is off: fuzzing with max_examples below keeps the run
# at a few hundred requests in all.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/",
    application,
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}),
)


def with_surrogate(body: Any) -> Any:
    """``body`` with a lone surrogate appended to its first string (None when it has no string)."""
    copy = json.loads(json.dumps(body))
    stack = [copy]
    while stack:
        item = stack.pop()
        pairs = (
            list(item.items())
            if isinstance(item, dict)
            else list(enumerate(item))
            if isinstance(item, list)
            else []
        )
        for key, value in pairs:
            if isinstance(value, str):
                item[key] = value + SURROGATE
                return copy
            stack.append(value)
    return None


def _headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Accept-Language": "en"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_never_break_the_api(case: schemathesis.Case, dispatcher_key: str) -> None:
    response = case.call(headers=_headers(dispatcher_key))
    case.validate_response(response, checks=CHECKS)
    # Schemathesis never draws a lone surrogate (it cannot be written as UTF-8), but JSON carries one as
    # an escape ("\\ud800"): each JSON body is sent again with one in its first string.
    spoiled = with_surrogate(case.body) if isinstance(case.body, dict | list) else None
    if spoiled is not None:
        again = case.call(
            headers={**_headers(dispatcher_key), "Content-Type": "application/json"},
            data=json.dumps(spoiled).encode(),
        )
        case.validate_response(again, checks=CHECKS)


def test_stateful_sequences_never_break_the_api(dispatcher_key: str) -> None:
    """Sequences of calls that feed one answer into the next (links schemathesis infers from the schema:
    a created appeal's number into its actions), with the same checks."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]  # a class made at run time
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": _headers(dispatcher_key)}

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    assert Workflow.bundles, "no links between operations: the stateful run would test nothing"
    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
