"""The OpenAPI schema and the docs page, and a bounded schemathesis run against the schema: generated
requests as a dispatcher (token) never get a 5xx, and every answer matches the schema."""

from __future__ import annotations

import re
from collections.abc import Iterator

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
    assert "/api/schema/" in html


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
    return create_token(user=actors.dispatcher, name="schemathesis", actor=None).key


# Loaded at collection: generating the schema reads no table (pytest-django has set Django up by then).
# The coverage phase (thousands of boundary cases) is off: fuzzing with max_examples below keeps the run
# at a few hundred requests in all.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/",
    application,
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}),
)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_never_break_the_api(case: schemathesis.Case, dispatcher_key: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {dispatcher_key}", "Accept-Language": "en"})
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
