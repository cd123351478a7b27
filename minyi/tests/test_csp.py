"""The Content-Security-Policy and the API docs (issue 16, item 11; docs/security.md): every page is sent
with a strict policy, no template carries an inline script or handler, the production profile sends the
policy and keeps the schema and Swagger UI for signed-in staff unless API_DOCS_PUBLIC says otherwise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from minyi.testing import Actors
from minyi.tests.test_settings import GOOD_KEY, _manage

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = {"accept": "application/vnd.oai.openapi+json"}


def policy(response: Any) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources}."""
    parts = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def assert_strict(csp: dict[str, list[str]]) -> None:
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other origin
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/echo/", "/appeal/new/", "/api/docs/"])
def test_pages_are_sent_with_the_strict_policy(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert_strict(policy(response))


@pytest.mark.django_db
def test_refusals_of_strangers_input_carry_the_policy_too(client: Client) -> None:
    assert_strict(policy(client.get("/echo/a%00b/")))


def _templates() -> list[Path]:
    return sorted(path for path in ROOT.rglob("templates/**/*.html"))


def test_no_template_has_an_inline_script_handler_or_javascript_url() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in _templates()
        for pattern in (inline_script, handler, re.compile("javascript:", re.IGNORECASE))
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert _templates() and found == []


# --- the API's schema and docs page ------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_and_docs_are_for_staff_only_when_not_public(
    client: Client, actors: Actors, settings: Any
) -> None:
    settings.API_DOCS_PUBLIC = False
    schema = client.get("/api/schema/", headers={**SCHEMA, "accept-language": "en"})
    assert schema.status_code in (401, 403)
    assert schema.json()["code"] == "not_authenticated"
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"] == "/accounts/login/?next=/api/docs/"
    assert client.get("/api/docs/?script=").status_code == 302
    client.force_login(actors.handler_edu)
    assert client.get("/api/schema/", headers=SCHEMA).json()["info"]["title"] == "Minyi API"
    page = client.get("/api/docs/")
    assert page.status_code == 200 and "<script>" not in page.content.decode()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()


@pytest.mark.django_db
def test_schema_is_public_when_the_setting_says_so(client: Client, settings: Any) -> None:
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/schema/", headers=SCHEMA).status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_production_profile_sends_the_policy_and_keeps_the_docs_for_staff() -> None:
    # Pages need collectstatic's manifest in production; the API's answers carry the same header.
    code = (
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='minyi.example.gov.cn')\n"
        "schema = c.get('/api/schema/', secure=True)\n"
        "print(schema['Content-Security-Policy'])\n"
        "print(schema.status_code)\n"
        "print(c.get('/api/docs/', secure=True).headers.get('Location'))\n"
    )
    production = {
        "DJANGO_SETTINGS_MODULE": "minyi.settings_production",
        "ALLOWED_HOSTS": "minyi.example.gov.cn",
        "SECRET_KEY": GOOD_KEY,
        "CACHE_URL": "redis://127.0.0.1:6379/0",  # production refuses a per-process cache
    }
    result = _manage(production, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    header, schema_status, docs_location = result.stdout.strip().splitlines()[-3:]
    csp = {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}
    assert_strict(csp)
    assert schema_status in ("401", "403")
    assert docs_location == "/accounts/login/?next=/api/docs/"
    schema_only = code.rsplit("print(c.get('/api/docs/'", 1)[0]  # the page needs the manifest
    opened = _manage({**production, "API_DOCS_PUBLIC": "true"}, "shell", "-c", schema_only)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.strip().splitlines()[-1] == "200"
