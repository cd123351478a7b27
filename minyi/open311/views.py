"""The GeoReport v2 endpoints: thin views that read the call, ask rules.py, and answer in the format of
the URL's suffix. Errors are the spec's error list with HTTP 400, 403 or 404 (429 when a key is over
its rate limit)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from minyi import ratelimit
from minyi.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from minyi.api.idempotency import KEY_MAX as IDEMPOTENCY_KEY_MAX
from minyi.open311 import keys, rules
from minyi.open311.formats import FORMATS, Open311Error, render, render_error

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When the services or their definitions last changed shape (the discovery changeset).
CHANGESET = "2025-01-01T00:00:00Z"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

View = Callable[..., HttpResponse]


def open311_view(*methods: str) -> Callable[[View], View]:
    """Check the format and the method, and turn Open311Error into the spec's error answer."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return render_error("xml", Open311Error.one(400, _("Unknown format: use .xml or .json.")))
            if request.method not in methods:
                response = render_error(fmt, Open311Error.one(405, _("This method is not allowed here.")))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return render_error(fmt, error)

        return wrapper

    return decorate


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": CHANGESET,
        "contact": _("Questions about this interface: the appeals office of the district."),
        "key_service": _("API keys for submitting requests are issued by the site's administrator."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", data)


@open311_view("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", rules.services())


@open311_view("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    return render(fmt, "service_definition", rules.service_definition(code))


def _form(request: HttpRequest) -> dict[str, list[str]]:
    """The POSTed fields: form-encoded as the spec says (or multipart, or a JSON object)."""
    content_type = request.content_type or ""
    try:
        if content_type in FORM_TYPES:
            return {name: request.POST.getlist(name) for name in request.POST}
        if content_type == "application/json":
            payload = json.loads(request.body or b"null")
        else:
            raise Open311Error.one(
                400, _("Send the request form-encoded (Content-Type: application/x-www-form-urlencoded).")
            )
    except (MultiPartParserError, RequestDataTooBig, UnicodeDecodeError) as exc:
        raise Open311Error.one(400, _("The request body could not be read.")) from exc
    except json.JSONDecodeError as exc:
        raise Open311Error.one(400, _("The request body is not valid JSON.")) from exc
    if not isinstance(payload, dict):
        raise Open311Error.one(400, _("The request body must be a JSON object of fields."))
    data: dict[str, list[str]] = {}
    for name, value in payload.items():
        if name == "attribute" and isinstance(value, dict):
            for code, answer in value.items():
                data[f"attribute[{code}]"] = (
                    [str(v) for v in answer] if isinstance(answer, list) else [str(answer)]
                )
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = [str(value)]
    return data


@csrf_exempt  # a client system authenticates with its API key, never with a browser's cookie
@open311_view("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return render(fmt, "service_requests", rules.find_requests(request.GET))
    data = _form(request)
    raw_key = (data.get("api_key") or [""])[0] or request.GET.get("api_key", "")
    key = keys.authenticate(raw_key) if raw_key else None
    if key is None:
        description = _("api_key was not provided.") if not raw_key else _("Invalid api_key received.")
        raise Open311Error.one(403, description)
    if not ratelimit.hit(request, "open311_post", key=f"key:{key.prefix}"):
        raise Open311Error.one(429, _("Too many requests with this api_key; try again later."))
    answer, replayed = rules.create_request_once(
        key, data, idempotency_key=_idempotency_key(request), answer=_answer
    )
    response = render(fmt, "service_requests", [answer])
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _answer(created: rules.Created) -> dict[str, Any]:
    return {
        "service_request_id": created.appeal.number,
        "service_notice": _("Received as appeal %(number)s; it will be handed to the responsible unit.")
        % {"number": created.appeal.number},
        "account_id": created.account_id or None,
    }


def _idempotency_key(request: HttpRequest) -> str | None:
    """The client's Idempotency-Key header (as the REST API reads it), or None when it sent none."""
    if IDEMPOTENCY_HEADER not in request.headers:
        return None
    key = request.headers[IDEMPOTENCY_HEADER].strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX:
        raise Open311Error.one(
            400,
            _("The Idempotency-Key header must hold 1 to %(n)d characters.") % {"n": IDEMPOTENCY_KEY_MAX},
        )
    return key


@open311_view("GET")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    return render(fmt, "service_requests", [rules.find_request(service_request_id)])


@open311_view("GET")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    # Every service is realtime: a POST answers with the service_request_id and no token is ever
    # issued, so no token can be found.
    raise Open311Error.one(404, _("Token %(token)s was not found.") % {"token": token[:40]})


@open311_view("GET")
def service_request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "service_request_updates", rules.find_updates(request.GET))


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return render_error(fmt, Open311Error.one(404, _("There is no such Open311 resource.")))
