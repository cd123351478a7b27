"""Appeals over the REST API: the list (cursor-paged, filtered), one appeal, and every step of the loop.

- ``GET /api/v1/appeals/``: the appeals the user may see, newest first (``-received_at, -id``, an
  index), filtered by ``state`` (a state or a group: triage, working, open, answered, finished),
  ``unit`` (lead unit code, with the units below it), ``category`` (code, with its sub-categories),
  ``received_from``/``received_to`` (local dates), ``overdue=true``, ``channel`` and ``kind``.
  Personal data is always masked in lists. ``POST`` submits an appeal (minyi.appeals.api).
- ``GET /api/v1/appeals/<number>/``: one appeal; its citizen's name, phone, e-mail and address are shown
  to staff allowed to see personal data (and that reading is audited), masked for everyone else.
- ``POST /api/v1/appeals/<number>/<action>/``: one transition (minyi.appeals.actions: the same
  actions, guards and messages as the staff page), with a JSON body mirroring the staff page's form
  (units and categories by code, assignments, extensions and replies by id). ``version`` is the
  appeal's version the client saw: required where the page's rule checks it (dispatch, correct,
  reject, merge, close), checked when given elsewhere; a stale one is 409.
  Every action accepts an ``Idempotency-Key``, so a retried request gets the first answer.

An appeal the user may not see (another unit's, or one about their own unit's officials, 回避) is a
404 on every endpoint, exactly as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minyi.api.errors import ApiError
from minyi.api.idempotency import idempotent
from minyi.api.pagination import ApiCursorPagination
from minyi.api.schema import IDEMPOTENCY_KEY, errors
from minyi.api.schema import ErrorSerializer as ErrorSerializer  # re-exported: resources_common uses it
from minyi.appeals import actions
from minyi.appeals.access import AppealPerm, citizen_details, reply_seen_by
from minyi.appeals.api import AppealSubmitSerializer, AppealSubmitView
from minyi.appeals.choices import (
    AssignmentRole,
    AssignmentState,
    Channel,
    DueStatus,
    ExtensionState,
    Kind,
    ReplyState,
    State,
    Urgency,
)
from minyi.appeals.filters import STATE_GROUPS, apply_filters, with_due_status
from minyi.appeals.models import Appeal, Category, Extension
from minyi.org.models import Unit
from minyi.org.permissions import can, visible
from minyi.privacy import mask_text

AnyUser = User | AnonymousUser
RELATED = ("category", "township", "village", "lead_unit", "concerns_unit", "master")


# --- shapes ------------------------------------------------------------------------------------------


class MaskedText(serializers.CharField):
    """Free text with phone and ID numbers written in it masked."""

    def to_representation(self, value: Any) -> str:
        return mask_text(str(value))


class AppealSerializer(serializers.Serializer):
    """An appeal as listed (personal data never appears in lists)."""

    number = serializers.CharField()
    title = MaskedText()
    kind = serializers.ChoiceField(choices=Kind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    state = serializers.ChoiceField(choices=State.choices)
    category = serializers.CharField(source="category.code", allow_null=True)
    category_name = serializers.CharField(source="category.name", allow_null=True)
    township = serializers.CharField(source="township.code", allow_null=True)
    village = serializers.CharField(source="village.code", allow_null=True)
    lead_unit = serializers.CharField(source="lead_unit.code", allow_null=True)
    received_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    deadline_provisional = serializers.BooleanField()
    due_status = serializers.ChoiceField(choices=DueStatus.choices, source="due_state")
    version = serializers.IntegerField()


class AppealPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AppealSerializer(many=True)


class CitizenSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    masked = serializers.BooleanField(help_text="True when the values are masked for this user.")


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    role = serializers.ChoiceField(choices=AssignmentRole.choices)
    state = serializers.ChoiceField(choices=AssignmentState.choices)
    instructions = serializers.CharField(allow_blank=True)
    dispatched_at = serializers.DateTimeField()
    return_by = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)


class ExtensionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    days = serializers.IntegerField()
    reason = serializers.CharField()
    state = serializers.ChoiceField(choices=ExtensionState.choices)
    requested_at = serializers.DateTimeField()


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code")
    state = serializers.ChoiceField(choices=ReplyState.choices)
    body = serializers.CharField()
    publish = serializers.BooleanField()
    drafted_at = serializers.DateTimeField()
    decision_note = serializers.CharField(allow_blank=True)
    sent_at = serializers.DateTimeField(allow_null=True)


class AppealDetailSerializer(AppealSerializer):
    """One appeal with what staff need to act on it: its units' assignments, extension requests and
    replies (drafts only to the drafting unit and to dispatchers)."""

    body = serializers.SerializerMethodField()
    citizen = serializers.SerializerMethodField()
    concerns_unit = serializers.CharField(source="concerns_unit.code", allow_null=True)
    master = serializers.CharField(source="master.number", allow_null=True)
    assignments = serializers.SerializerMethodField()
    extensions = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_body(self, appeal: Appeal) -> str:
        return str(self.context["body"])

    @extend_schema_field(CitizenSerializer)
    def get_citizen(self, appeal: Appeal) -> dict[str, Any]:
        return dict(self.context["citizen"])

    @extend_schema_field(AssignmentSerializer(many=True))
    def get_assignments(self, appeal: Appeal) -> Any:
        return AssignmentSerializer(self.context["assignments"], many=True).data

    @extend_schema_field(ExtensionSerializer(many=True))
    def get_extensions(self, appeal: Appeal) -> Any:
        return ExtensionSerializer(self.context["extensions"], many=True).data

    @extend_schema_field(ReplySerializer(many=True))
    def get_replies(self, appeal: Appeal) -> Any:
        return ReplySerializer(self.context["replies"], many=True).data


class ActionResultSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What was done, in the request's language.")
    appeal = AppealDetailSerializer(help_text="The appeal after the change (personal data masked).")


# --- reading ----------------------------------------------------------------------------------------


def _readable(user: AnyUser) -> QuerySet[Appeal]:
    """The appeals ``user`` may see (403 for users who may not read appeals at all)."""
    if not can(user, AppealPerm.VIEW):
        raise ApiError(403, "permission_denied", _("Log in as staff who may read appeals."))
    return visible(user, Appeal.objects.select_related(*RELATED))


def visible_appeal(user: AnyUser, number: str) -> Appeal:
    """The appeal with this number if ``user`` may see it; a 404 otherwise (its existence is not told)."""
    appeal = with_due_status(_readable(user).filter(number=number), timezone.now()).first()
    if appeal is None or not can(user, AppealPerm.VIEW, appeal):
        raise ApiError(404, "not_found", _("No appeal you may see has this tracking number."))
    return appeal


def detail_data(user: AnyUser, appeal: Appeal, *, reveal_personal: bool) -> dict[str, Any]:
    """The detail shape of ``appeal`` for ``user``; personal data shown (and the reading audited) only
    when ``reveal_personal`` and the user may see it, as on the staff page."""
    citizen = citizen_details(user, appeal, reveal=reveal_personal)
    assignments = list(appeal.assignments.select_related("unit").order_by("dispatched_at", "id"))
    extensions = list(Extension.objects.filter(assignment__appeal=appeal).order_by("requested_at", "id"))
    replies = [
        reply
        for reply in appeal.replies.select_related("unit").order_by("drafted_at", "id")
        if reply_seen_by(user, reply)
    ]
    context = {
        "body": citizen.body,
        "citizen": {**citizen.personal, "masked": not citizen.revealed},
        "assignments": assignments,
        "extensions": extensions,
        "replies": replies,
    }
    return dict(AppealDetailSerializer(appeal, context=context).data)


class AppealFilterSerializer(serializers.Serializer):
    """The list's filters (all optional, all combined)."""

    state = serializers.ChoiceField(
        choices=[*State.values, *STATE_GROUPS], required=False, help_text="A state, or a group of states."
    )
    unit = serializers.CharField(required=False, max_length=40, help_text="Lead unit code (and below).")
    category = serializers.CharField(required=False, max_length=40, help_text="Category code (and below).")
    received_from = serializers.DateField(required=False, help_text="Received on or after (local date).")
    received_to = serializers.DateField(required=False, help_text="Received on or before (local date).")
    overdue = serializers.BooleanField(required=False, help_text="true: only overdue appeals.")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("received_from"), attrs.get("received_to")
        if start and end and end < start:
            raise serializers.ValidationError({"received_to": _("The end date is before the start date.")})
        if code := attrs.get("unit"):
            unit = Unit.objects.filter(code=code).first()
            if unit is None:
                raise serializers.ValidationError({"unit": _("Unknown unit code %(code)s.") % {"code": code}})
            attrs["unit"] = unit
        if code := attrs.get("category"):
            category = Category.objects.filter(code=code).first()
            if category is None:
                raise serializers.ValidationError(
                    {"category": _("Unknown category code %(code)s.") % {"code": code}}
                )
            attrs["category"] = category
        return attrs


class AppealCursor(ApiCursorPagination):
    ordering: tuple[str, ...] = ("-received_at", "-id")  # the appeal_received index


def appeal_list(request: Request, view: APIView) -> Response:
    """The filtered, cursor-paged list of the appeals the user may see."""
    queryset = _readable(request.user).defer("body", "search_words")
    filters = AppealFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    data = dict(filters.validated_data)
    now = timezone.now()
    if data.pop("overdue", False):
        data["due"] = DueStatus.OVERDUE
    unit = data.pop("unit", None)
    queryset = apply_filters(queryset, data, user=request.user, now=now)
    if unit is not None:
        queryset = queryset.filter(lead_unit__in=Unit.objects.filter(path__startswith=unit.path).values("pk"))
    paginator = AppealCursor()
    page = paginator.paginate_queryset(with_due_status(queryset, now), request, view=view)
    return paginator.get_paginated_response(AppealSerializer(page, many=True).data)


class SubmittedSerializer(serializers.Serializer):
    number = serializers.CharField()
    query_code = serializers.CharField(allow_null=True, help_text="Shown once; null on a replayed retry.")
    status = serializers.ChoiceField(choices=State.choices)
    replayed = serializers.BooleanField()


class AppealsView(AppealSubmitView):
    """``/api/v1/appeals/``: the list (GET) and submission (POST, see minyi.appeals.api)."""

    pagination_class = AppealCursor

    @extend_schema(
        operation_id="appeals_list",
        summary="List appeals",
        parameters=[
            AppealFilterSerializer,
            OpenApiParameter("cursor", str, description="From the next/previous link."),
            OpenApiParameter("page_size", int, description="Up to 200 (default 50)."),
        ],
        responses={200: AppealPageSerializer, **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        return appeal_list(request, self)

    @extend_schema(
        operation_id="appeals_submit",
        summary="Submit an appeal",
        request=AppealSubmitSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: SubmittedSerializer,
            200: SubmittedSerializer,
            **errors(400, 401, 403, 415, 422, 429),
        },
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class AppealDetailView(APIView):
    """``GET /api/v1/appeals/<number>/``: one appeal (404 when the user may not see it)."""

    @extend_schema(
        operation_id="appeals_read",
        summary="Read an appeal",
        responses={200: AppealDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        appeal = visible_appeal(request.user, number)
        return Response(detail_data(request.user, appeal, reveal_personal=True))


# --- actions ---------------------------------------------------------------------------------------


def run_action(request: Request, number: str, action: actions.Action) -> Response:
    """Check the body, then run the action's rule; a refusal comes back as the JSON error of its status
    and code (minyi.api.errors)."""
    user = request.user
    appeal = visible_appeal(user, number)

    def perform() -> Response:
        body = action.body(data=request.data, context={"appeal": appeal, "user": user})
        body.is_valid(raise_exception=True)
        message = actions.perform(action, user, appeal, dict(body.validated_data))
        fresh = with_due_status(Appeal.objects.select_related(*RELATED).filter(pk=appeal.pk), timezone.now())
        result = {"message": message, "appeal": detail_data(user, fresh.get(), reveal_personal=False)}
        return Response(result)

    return idempotent(request, perform)


def _action_view(action: actions.Action) -> type[APIView]:
    @extend_schema(
        operation_id=f"appeal_{action.key}",
        summary=action.summary,
        request=action.body,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ActionResultSerializer, **errors(400, 401, 403, 404, 409, 422)},
        tags=["appeal actions"],
    )
    def post(self: APIView, request: Request, number: str) -> Response:
        return run_action(request, number, action)

    name = "Appeal" + "".join(part.title() for part in action.slug.split("-")) + "View"
    return type(name, (APIView,), {"post": post, "__doc__": f"POST /api/v1/appeals/<number>/{action.slug}/"})


#: An endpoint for each action of the loop, by URL slug (the same slugs as the staff pages' action URLs).
ACTION_VIEWS: dict[str, type[APIView]] = {action.slug: _action_view(action) for action in actions.ACTIONS}
