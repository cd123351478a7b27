"""Every API error in one JSON shape, ``{"code", "message", "fields"}``, with the message in the request's
language (set as REST_FRAMEWORK's EXCEPTION_HANDLER, so every API view answers the same way).

Rules refuse with the family of minyi.errors (and Django's ValidationError and PermissionDenied), each
answered with its own status and code; views raise Http404 for records the user may not see."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from minyi.errors import code_of, fields_of, messages_of, status_of


class ApiError(exceptions.APIException):
    """An error answered as ``{"code", "message", "fields"}``."""

    def __init__(self, status_code: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(detail=message, code=code)
        self.status_code, self.code, self.message, self.fields = status_code, code, message, fields or {}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ValidationError | PermissionDenied):
        exc = ApiError(status_of(exc), code_of(exc), " ".join(messages_of(exc)), fields_of(exc))
    elif isinstance(exc, Http404):
        exc = ApiError(404, "not_found", _("Not found, or not yours to see."))
    if isinstance(exc, ApiError):
        return Response(
            {"code": exc.code, "message": exc.message, "fields": exc.fields}, status=exc.status_code
        )
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        detail = exc.detail
        fields: dict[str, list[str]] = {}
        if isinstance(detail, dict) and "detail" not in detail:
            fields = {
                name: [str(m) for m in (v if isinstance(v, list) else [v])] for name, v in detail.items()
            }
            message = _("Some fields are not valid.")
            code = "invalid"
        else:
            message = str(detail.get("detail", "")) if isinstance(detail, dict) else str(detail)
            codes = exc.get_codes()
            code = str(codes.get("detail", exc.default_code)) if isinstance(codes, dict) else str(codes)
        response.data = {"code": code, "message": message, "fields": fields}
    return response
