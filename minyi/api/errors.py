"""Every API error in one JSON shape, ``{"code", "message", "fields"}``, with the message in the request's
language (set as REST_FRAMEWORK's EXCEPTION_HANDLER, so every API view answers the same way).

Rule functions raise Django's ValidationError and PermissionDenied, and views raise Http404 for
records the user may not see; all of them come out here as JSON with the right status."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApiError(exceptions.APIException):
    """An error answered as ``{"code", "message", "fields"}``."""

    def __init__(self, status_code: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(detail=message, code=code)
        self.status_code, self.code, self.message, self.fields = status_code, code, message, fields or {}


def from_validation(error: ValidationError, status_code: int = 400) -> ApiError:
    """A rule's ValidationError as a 400 (or ``status_code``) with each field's messages."""
    fields = (
        {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
        if hasattr(error, "error_dict")
        else {}
    )
    code = getattr(error, "code", None) or "invalid"
    return ApiError(status_code, str(code), " ".join(str(m) for m in error.messages), fields)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ValidationError):
        exc = from_validation(exc)
    elif isinstance(exc, Http404):
        exc = ApiError(404, "not_found", _("Not found, or not yours to see."))
    elif isinstance(exc, PermissionDenied):
        exc = ApiError(403, "permission_denied", str(exc) or _("You may not do this."))
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
