"""Pieces the API's resource modules share: small output shapes (a unit, a person's name) and the
helpers that turn query parameters into checked filters (a bad filter is a 400, never ignored)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from minyi.api.schema import errors

S = TypeVar("S", bound=serializers.Serializer)


#: What every list answers besides 200: a bad filter (400), no login (401), no right (403), a bad
#: cursor (404).
LIST_ERRORS = errors(400, 401, 403, 404)
#: What reading one record answers besides 200 (404 also when it lies outside the user's scope).
READ_ERRORS = errors(401, 403, 404)


#: The record id in a path (``<str:pk>`` in the URL, so that ``/issues/abc/`` is this API's JSON 404
#: rather than the site's HTML one; the schema still says integer).
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def record_id(raw: str) -> int:
    """A record id from the path: anything but a plain number that fits a bigint is a 404."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise Http404
    return int(raw)


class UnitRefSerializer(serializers.Serializer):
    """A unit as other records point to it."""

    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_field(OpenApiTypes.STR)
class UserNameField(serializers.Field):
    """A staff login shown by its person's name (the login name when it has no person record)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        if not isinstance(value, User):
            return ""
        person = getattr(value, "person", None)
        return person.name if person is not None else value.get_username()


def checked_query(request: Request, serializer_class: type[S]) -> dict[str, Any]:
    """The query parameters checked by ``serializer_class``: a 400 with every field's problem when
    one is malformed or unknown (the API never silently ignores a filter, unlike the pages)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
