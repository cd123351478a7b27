"""Units and people over the REST API, scoped like the organisation pages (``minyi/org/views.py``).

- Units: read with ``org.view_unit``, only those in the user's scope; one outside it is a 404.
- People: read with ``org.view_person``, only those in scope. Lists always mask phones and e-mail (as
  the people page does); reading one person shows them in full only to a user with
  ``org.view_personal_data`` for that person, and that read is audited (``record_personal_view``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minyi.api.pagination import ApiCursorPagination
from minyi.api.resources_common import (
    ID_PARAMETER,
    LIST_ERRORS,
    READ_ERRORS,
    UnitRefSerializer,
    checked_query,
    record_id,
)
from minyi.audit.rules import record_personal_view
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Person, Unit
from minyi.org.permissions import AnyUser, OrgPerm, can, require, scope_filter
from minyi.privacy import mask_email, mask_name, mask_phone

# --- output shapes ---------------------------------------------------------------------------------


class UnitSerializer(serializers.Serializer):
    """A unit of the tree, flat: its parent's code and its path of codes from the root."""

    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    parent = serializers.CharField(source="parent.code", allow_null=True)  # type: ignore[assignment]  # field named like a Field attribute
    path = serializers.CharField()
    depth = serializers.IntegerField()


class UnitDetailSerializer(UnitSerializer):
    ancestors = UnitRefSerializer(many=True, help_text="From the root down to the parent.")
    children = UnitRefSerializer(many=True, help_text="Active units directly below, in the tree's order.")


class PersonSerializer(serializers.Serializer):
    """A person of a unit; ``phone`` and ``email`` are masked unless ``personal_data_shown``."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = UnitRefSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    title = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    personal_data_shown = serializers.BooleanField()


# --- input shapes ----------------------------------------------------------------------------------


class UnitFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False)
    parent = serializers.CharField(required=False, max_length=32, help_text="Units directly below this one.")  # type: ignore[assignment]  # field named like a Field attribute


class PersonFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=50, help_text="Part of the name, the position or the unit's name."
    )
    unit = serializers.CharField(required=False, max_length=32, help_text="People of this unit or below it.")
    role = serializers.ChoiceField(choices=Role.choices, required=False)


# --- helpers ---------------------------------------------------------------------------------------

UNKNOWN_UNIT = gettext_lazy("No unit in your scope has the code “%(code)s”.")


def _units_in_scope(user: AnyUser) -> QuerySet[Unit]:
    return scope_filter(user, Unit.objects.filter(is_active=True), "path")


def _scoped_unit(user: AnyUser, code: str, field: str) -> Unit:
    """A filter's unit: unknown and out-of-scope codes are the same 400 (no hint of what exists)."""
    unit = _units_in_scope(user).filter(code=code).first()
    if unit is None:
        raise serializers.ValidationError({field: [str(UNKNOWN_UNIT) % {"code": code}]})
    return unit


def person_row(person: Person, *, reveal: bool) -> dict[str, Any]:
    """What PersonSerializer shows of ``person``: personal data in full only when ``reveal``."""
    return {
        "id": person.pk,
        "name": person.name,
        "unit": person.unit,
        "role": person.role,
        "title": person.title,
        "phone": person.phone if reveal else mask_phone(person.phone),
        "email": person.email if reveal else mask_email(person.email),
        "personal_data_shown": reveal,
    }


# --- units -----------------------------------------------------------------------------------------


class UnitPagination(ApiCursorPagination):
    # The tree's order: every parent before its children, on the path index.
    ordering = ("path",)
    page_size = 200


@extend_schema(
    tags=["organisation"],
    parameters=[UnitFilterSerializer],
    responses={200: UnitSerializer(many=True), **LIST_ERRORS},
    summary="List the units in your scope",
)
class UnitListView(generics.ListAPIView):
    """``GET /api/v1/units/``: the unit tree in your scope as a flat list, in tree order."""

    serializer_class = UnitSerializer
    pagination_class = UnitPagination

    def get_queryset(self) -> QuerySet[Unit]:
        if getattr(self, "swagger_fake_view", False):
            return Unit.objects.none()
        user = self.request.user
        require(user, OrgPerm.VIEW_UNIT)
        filters = checked_query(self.request, UnitFilterSerializer)
        units = _units_in_scope(user).select_related("parent")
        if kind := filters.get("kind"):
            units = units.filter(kind=kind)
        if parent := filters.get("parent"):
            units = units.filter(parent=_scoped_unit(user, parent, "parent"))
        return units


@extend_schema(
    tags=["organisation"], responses={200: UnitDetailSerializer, **READ_ERRORS}, summary="Read one unit"
)
class UnitDetailView(APIView):
    """``GET /api/v1/units/<code>/``: one unit with its ancestors and children; 404 outside your scope."""

    def get(self, request: Request, code: str) -> Response:
        require(request.user, OrgPerm.VIEW_UNIT)
        unit = Unit.objects.select_related("parent").filter(code=code).first()
        if unit is None or not can(request.user, OrgPerm.VIEW_UNIT, unit):
            raise Http404
        codes = unit.path.strip("/").split("/")[:-1]
        ancestors = sorted(Unit.objects.filter(code__in=codes), key=lambda u: u.depth)
        children = unit.children.filter(is_active=True).order_by("sort", "code")
        body = {
            **UnitSerializer(unit).data,
            "ancestors": UnitRefSerializer(ancestors, many=True).data,
            "children": UnitRefSerializer(children, many=True).data,
        }
        return Response(body)


# --- people ----------------------------------------------------------------------------------------


class PersonPagination(ApiCursorPagination):
    ordering = ("id",)  # the primary key: unique and unchanging


@extend_schema(
    tags=["organisation"],
    parameters=[PersonFilterSerializer],
    responses={200: PersonSerializer(many=True), **LIST_ERRORS},
    summary="List the people in your scope (phones and e-mail masked)",
)
class PersonListView(generics.ListAPIView):
    """``GET /api/v1/people/``: people of the units in your scope, personal data always masked (read
    one person for the full data, if you may see it)."""

    serializer_class = PersonSerializer
    pagination_class = PersonPagination

    def get_queryset(self) -> QuerySet[Person]:
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        user = self.request.user
        require(user, OrgPerm.VIEW_PERSON)
        filters = checked_query(self.request, PersonFilterSerializer)
        people = scope_filter(user, Person.objects.filter(is_active=True), "unit__path")
        if query := filters.get("q", "").strip():
            people = people.filter(
                Q(name__icontains=query) | Q(title__icontains=query) | Q(unit__name__icontains=query)
            )
        if code := filters.get("unit"):
            people = people.filter(unit__path__startswith=_scoped_unit(user, code, "unit").path)
        if role := filters.get("role"):
            people = people.filter(role=role)
        return people.select_related("unit")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [person_row(person, reveal=False) for person in page or []]
        return self.get_paginated_response(PersonSerializer(rows, many=True).data)


@extend_schema(
    tags=["organisation"],
    parameters=[ID_PARAMETER],
    responses={200: PersonSerializer, **READ_ERRORS},
    summary="Read one person (personal data in full only if you may see it; audited)",
)
class PersonDetailView(APIView):
    """``GET /api/v1/people/<id>/``: one person; 404 outside your scope. Phone and e-mail in full for
    a user with ``org.view_personal_data`` for this person, and that read is audited."""

    def get(self, request: Request, pk: str) -> Response:
        require(request.user, OrgPerm.VIEW_PERSON)
        person = Person.objects.select_related("unit").filter(pk=record_id(pk), is_active=True).first()
        if person is None or not can(request.user, OrgPerm.VIEW_PERSON, person):
            raise Http404
        reveal = can(request.user, OrgPerm.VIEW_PERSONAL_DATA, person)
        shown = [name for name in ("phone", "email") if getattr(person, name)]
        if reveal and shown:
            record_personal_view(actor=request.user, obj=person, subject=mask_name(person.name), fields=shown)
        return Response(PersonSerializer(person_row(person, reveal=reveal)).data)
