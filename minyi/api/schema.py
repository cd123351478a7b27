"""What the OpenAPI schema says beyond the serializers: the error shape, the Idempotency-Key header
and the token scheme (drf-spectacular finds ``TokenScheme`` by its ``target_class``). Kept apart from
minyi.api.auth, which DRF imports while its own views module loads and so must not import this."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every error: a stable code, a message in the request's language, and each field's messages."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]  # the field is named "fields" in every error body


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers of an operation, for ``extend_schema(responses=…)``."""
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="1 to 200 characters: a retry with the same key and body gets the first answer.",
)


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "minyi.api.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <key>"}
