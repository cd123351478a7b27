"""What a stranger may send, checked once for every request before any view reads it.

No text the site stores or looks up may hold a NUL byte (PostgreSQL refuses it in any string) or a lone
UTF-16 surrogate (it cannot be encoded as UTF-8, so hashing or storing it fails); JSON bodies are nested at
most ``MAX_JSON_DEPTH`` deep (a deeper body overflows Python's stack when parsed); and a body larger than
DATA_UPLOAD_MAX_MEMORY_SIZE or with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS is refused. The refusal
is a 400 (413 for the size) in the format of the endpoint that was called: the Open311 error list (XML or
JSON, after the URL's suffix), the API's JSON error, or a page for everything else (docs/security.md,
"Stranger input").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from minyi.open311.formats import Open311Error, render_error

#: Deeper JSON is refused: no message of ours nests more than a few levels.
MAX_JSON_DEPTH = 32
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the two direction
# marks (U+200E, U+200F): in public text they reorder what readers see ("Trojan Source").
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class StrangerInput(Exception):
    """The request cannot be taken: its HTTP status and the message in the user's language."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def has_forbidden_characters(text: str) -> bool:
    """Whether ``text`` holds a NUL byte or a lone surrogate (no other character is refused here)."""
    return _FORBIDDEN.search(text) is not None


def strip_bidi_controls(text: str) -> str:
    """``text`` without the bidirectional control characters that can disguise public text."""
    return _BIDI_CONTROLS.sub("", text)


def _bad_characters() -> StrangerInput:
    return StrangerInput(
        400, "invalid_characters", _("The request contains characters that are not allowed (such as NUL).")
    )


def _too_deep() -> StrangerInput:
    return StrangerInput(
        400,
        "too_deep",
        _("The JSON body is nested too deeply (at most %(n)s levels).") % {"n": MAX_JSON_DEPTH},
    )


def _check_texts(texts: Iterable[str]) -> None:
    if any(has_forbidden_characters(text) for text in texts):
        raise _bad_characters()


def _form_texts(form: QueryDict) -> Iterator[str]:
    for name, values in form.lists():
        yield name
        yield from values


def _json_texts(data: Any) -> Iterator[str]:
    """Every key and string of a parsed JSON document, walked without recursion; too deep raises."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            yield value
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            yield from value.keys()
            stack.extend((child, depth + 1) for child in value.values())
        else:
            stack.extend((child, depth + 1) for child in value)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def check(request: HttpRequest) -> None:
    """Raise StrangerInput when the request's address, cookies, query or body cannot be taken."""
    _check_texts([request.path])
    _check_texts(text for pair in request.COOKIES.items() for text in pair)  # the session key is looked up
    try:
        _check_texts(_form_texts(request.GET))
        if request.method not in _BODY_METHODS:
            return
        content_type = request.content_type or ""
        if _is_json(content_type):
            body = request.body
            if not body:
                return
            try:
                data = json.loads(body)
            except RecursionError as exc:
                raise _too_deep() from exc
            except ValueError:
                return  # not JSON: the view answers that in its own words
            _check_texts(_json_texts(data))
        elif content_type in _FORM_TYPES:
            form = request.POST if request.method == "POST" else QueryDict(request.body)
            _check_texts(_form_texts(form))
    except RequestDataTooBig as exc:
        raise StrangerInput(413, "too_large", _("The request body is too large.")) from exc
    except TooManyFieldsSent as exc:
        raise StrangerInput(400, "too_many_fields", _("The request has too many fields.")) from exc
    except MultiPartParserError:
        return  # the view answers an unreadable form in its own words


def refusal(request: HttpRequest, error: StrangerInput) -> HttpResponse:
    """The refusal in the format of the endpoint that was called."""
    path = request.path_info
    if path.startswith("/open311/"):
        fmt = "json" if path.endswith(".json") else "xml"
        return render_error(fmt, Open311Error.one(error.status, error.message))
    if path.startswith("/api/"):
        return JsonResponse(
            {"code": error.code, "message": error.message, "fields": {}},
            status=error.status,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "400.html", {"message": error.message}, status=error.status)


class StrangerInputMiddleware:
    """Refuse, before any view runs, what no view could take (see the module's docstring). Placed after
    LocaleMiddleware (the message is in the user's language) and before AuthenticationMiddleware (the
    refusal page reads neither the session nor the user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check(request)
        except StrangerInput as error:
            return refusal(request, error)
        return self.get_response(request)
