"""Appeals over the REST API: the list (cursor-paged, filtered), one appeal, and every step of the loop.

- ``GET /api/v1/appeals/``: the appeals the user may see, newest first (``-received_at, -id``, an
  index), filtered by ``state`` (a state or a group: triage, working, open, answered, finished),
  ``unit`` (lead unit code, with the units below it), ``category`` (code, with its sub-categories),
  ``received_from``/``received_to`` (local dates), ``overdue=true``, ``channel`` and ``kind``.
  Personal data is always masked in lists. ``POST`` submits an appeal (minyi.appeals.api).
- ``GET /api/v1/appeals/<number>/``: one appeal; its citizen's name, phone, e-mail and address are shown
  to staff allowed to see personal data (and that reading is audited), masked for everyone else.
- ``POST /api/v1/appeals/<number>/<action>/``: one transition through its function in
  minyi.appeals.rules, with a JSON body mirroring the staff page's form (units and categories by
  code). ``version`` is the appeal's version the client saw: required where the page's rule checks
  it (dispatch, correct, reject, merge, close), checked when given elsewhere; a stale one is 409.
  Every action accepts an ``Idempotency-Key``, so a retried request gets the first answer.

An appeal the user may not see (another unit's, or one about their own unit's officials, 回避) is a
404 on every endpoint, exactly as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minyi.api.errors import ApiError, from_validation
from minyi.api.idempotency import idempotent
from minyi.api.pagination import ApiCursorPagination
from minyi.api.schema import IDEMPOTENCY_KEY, errors
from minyi.api.schema import ErrorSerializer as ErrorSerializer  # re-exported: resources_common uses it
from minyi.appeals import rules
from minyi.appeals.access import citizen_details, reply_seen_by
from minyi.appeals.api import AppealSubmitSerializer, AppealSubmitView
from minyi.appeals.categories import usual_units
from minyi.appeals.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    AssignmentRole,
    AssignmentState,
    Channel,
    DueStatus,
    ExtensionState,
    FollowupBy,
    Kind,
    RejectReason,
    ReplyState,
    Satisfaction,
    State,
    Urgency,
    WaitingFor,
)
from minyi.appeals.filters import STATE_GROUPS, apply_filters, with_due_status
from minyi.appeals.forms.staff import DISPATCH_KINDS, MAX_EXTENSION_DAYS, NOTE_MAX, REPLY_MAX
from minyi.appeals.models import Appeal, Assignment, Category, Extension, Reply
from minyi.org.models import Unit
from minyi.org.permissions import acts_for, can, visible
from minyi.privacy import mask_text
from minyi.workdays.rules import end_of_day

AnyUser = User | AnonymousUser
VIEW = "appeals.view_appeal"
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
    if not can(user, VIEW):
        raise ApiError(403, "permission_denied", _("Log in as staff who may read appeals."))
    return visible(user, Appeal.objects.select_related(*RELATED))


def visible_appeal(user: AnyUser, number: str) -> Appeal:
    """The appeal with this number if ``user`` may see it; a 404 otherwise (its existence is not told)."""
    appeal = with_due_status(_readable(user).filter(number=number), timezone.now()).first()
    if appeal is None or not can(user, VIEW, appeal):
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
    queryset = _readable(request.user).defer("body")
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


def _text(*, required: bool = True, max_length: int = NOTE_MAX, **kwargs: Any) -> serializers.CharField:
    if not required:
        kwargs.setdefault("default", "")
    return serializers.CharField(
        required=required, allow_blank=not required, max_length=max_length, trim_whitespace=False, **kwargs
    )


class ActionIn(serializers.Serializer):
    """Every action takes the version of the appeal the client saw (optional where the rule does not
    check it): a stale version is refused with 409."""

    version = serializers.IntegerField(min_value=1, required=False)


class VersionedIn(ActionIn):
    version = serializers.IntegerField(min_value=1)


class DispatchIn(VersionedIn):
    lead = serializers.CharField(max_length=40, help_text="Code of the lead unit.")
    co_units = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )
    instructions = _text(required=False)
    deadline = serializers.DateField(
        required=False, allow_null=True, help_text="Local date; empty: the deadline rules decide."
    )
    category = serializers.CharField(
        max_length=40, required=False, allow_null=True, allow_blank=True, help_text="Confirmed category code."
    )


class CorrectIn(VersionedIn):
    category = serializers.CharField(max_length=40, required=False, allow_null=True, help_text="null: none.")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)


class RejectIn(VersionedIn):
    reason = serializers.ChoiceField(choices=[RejectReason.OUT_OF_SCOPE, RejectReason.ABUSIVE])
    note = _text(help_text="Explanation the citizen will read.")


class MergeIn(VersionedIn):
    into = serializers.CharField(max_length=20, help_text="Tracking number of the earlier appeal.")


class CloseIn(VersionedIn):
    note = _text(help_text="Why it is closed without a follow-up.")


class FollowUpIn(ActionIn):
    result = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = _text(required=False)


class DecideExtensionIn(ActionIn):
    extension = serializers.IntegerField(required=False, help_text="Default: the pending request.")
    decision = serializers.ChoiceField(choices=["approve", "deny"])
    note = _text(required=False)


class AssignmentIn(ActionIn):
    assignment = serializers.IntegerField(
        required=False, help_text="Default: the open assignment of the user's unit (the lead first)."
    )


class ReturnIn(AssignmentIn):
    reason = _text(help_text="Why this appeal is not for the unit.")


class RequestExtensionIn(AssignmentIn):
    days = serializers.IntegerField(min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = _text()


class ProgressIn(ActionIn):
    note = _text(help_text="What was done.")


class PauseIn(ActionIn):
    waiting_for = serializers.ChoiceField(choices=WaitingFor.choices)
    reason = _text(help_text="What information is awaited.")


class ResumeIn(ActionIn):
    note = _text(required=False)


class DraftReplyIn(ActionIn):
    body = _text(max_length=REPLY_MAX)
    publish = serializers.BooleanField(required=False, default=False, help_text="On the echo wall (masked).")


class ReplyIn(ActionIn):
    reply = serializers.IntegerField(required=False, help_text="Default: the reply waiting for approval.")


class ApproveReplyIn(ReplyIn):
    body = serializers.CharField(
        required=False, allow_null=True, max_length=REPLY_MAX, help_text="Corrected text, if any."
    )


class SendBackReplyIn(ReplyIn):
    note = _text(help_text="What the reply lacks.")


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "invalid", _("Some fields are not valid."), {field: [message]})


def _dispatch_unit(appeal: Appeal, code: str, field: str) -> Unit:
    """A unit a dispatcher may hand the appeal to (a department or township, or the suggested unit).
    A unit the appeal concerns is let through, for the rule to refuse it with its reason (回避)."""
    unit = Unit.objects.filter(code=code, is_active=True).first()
    suggested = usual_units().get(appeal.category_id) if appeal.category_id else None
    if unit is None or not (
        unit.kind in DISPATCH_KINDS or (suggested is not None and unit.pk == suggested.pk)
    ):
        raise _invalid(field, _("Unknown unit code %(code)s.") % {"code": code})
    return unit


def _category(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise _invalid("category", _("Unknown category code %(code)s.") % {"code": code})
    return category


def _assignment(user: AnyUser, appeal: Appeal, pk: int | None) -> Assignment:
    assignments = Assignment.objects.filter(appeal=appeal).select_related("unit", "appeal")
    if pk is not None:
        found = assignments.filter(pk=pk).first()
        if found is None:
            raise _invalid("assignment", _("This appeal has no such assignment."))
        return found
    mine = [a for a in assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES) if acts_for(user, a.unit)]
    mine.sort(key=lambda a: (a.role != AssignmentRole.LEAD, a.state != AssignmentState.PENDING, a.pk))
    if not mine:
        raise _invalid("assignment", _("Your unit holds no open assignment of this appeal."))
    return mine[0]


def _reply(appeal: Appeal, pk: int | None) -> Reply:
    waiting = Reply.objects.filter(appeal=appeal, state=ReplyState.SUBMITTED).select_related("unit", "appeal")
    found = waiting.filter(pk=pk).first() if pk is not None else waiting.first()
    if found is None:
        raise _invalid("reply", _("This reply is not waiting for approval."))
    return found


def _extension(appeal: Appeal, pk: int | None) -> Extension:
    pending = Extension.objects.filter(assignment__appeal=appeal, state=ExtensionState.PENDING)
    found = pending.filter(pk=pk).first() if pk is not None else pending.first()
    if found is None:
        raise _invalid("extension", _("This request has already been decided."))
    return found


Data = dict[str, Any]


def _do_dispatch(user: AnyUser, appeal: Appeal, data: Data) -> str:
    lead = _dispatch_unit(appeal, data["lead"], "lead")
    co_units = [_dispatch_unit(appeal, code, "co_units") for code in dict.fromkeys(data["co_units"])]
    if any(unit.pk == lead.pk for unit in co_units):
        raise _invalid("co_units", _("The lead unit cannot also be a co-handling unit."))
    rules.dispatch(
        appeal,
        lead=lead,
        co_units=co_units,
        instructions=data["instructions"],
        deadline=end_of_day(data["deadline"]) if data.get("deadline") else None,
        actor=user,
        expected_version=data["version"],
        category=_category(data.get("category")),
    )
    return _("The appeal was dispatched to %(unit)s.") % {"unit": lead.name}


def _do_correct(user: AnyUser, appeal: Appeal, data: Data) -> str:
    changes: dict[str, Any] = {}
    if "category" in data:
        category = _category(data["category"])
        if category != appeal.category:
            changes["category"] = category
    for name in ("urgency", "kind"):
        if name in data and data[name] != getattr(appeal, name):
            changes[name] = data[name]
    if not changes:
        raise ValidationError(_("Nothing was changed."), code="unchanged")
    rules.correct(appeal, actor=user, expected_version=data["version"], **changes)
    return _("The details were corrected.")


def _do_reject(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.reject(
        appeal, actor=user, reason=data["reason"], note=data["note"], expected_version=data["version"]
    )
    return _("The appeal was rejected.")


def _do_merge(user: AnyUser, appeal: Appeal, data: Data) -> str:
    master = visible(user, Appeal.objects.filter(number=data["into"].strip())).first()
    if master is None:
        raise _invalid("into", _("No appeal you may see has this tracking number."))
    rules.merge(appeal, into=master, actor=user, expected_version=data["version"])
    return _("The appeal was merged into %(number)s.") % {"number": master.number}


def _do_unmerge(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.unmerge(appeal, actor=user)
    return _("The merge was undone; the appeal is back in the inbox.")


def _do_close(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.close(appeal, actor=user, note=data["note"], expected_version=data["version"])
    return _("The appeal was closed.")


def _do_follow_up(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.follow_up(appeal, result=data["result"], by=FollowupBy.CALL, actor=user, comment=data["comment"])
    if data["result"] == Satisfaction.UNSATISFIED:
        return _("The follow-up was recorded; the appeal is reopened for dispatch.")
    return _("The follow-up was recorded and the appeal closed.")


def _do_decide_extension(user: AnyUser, appeal: Appeal, data: Data) -> str:
    approve = data["decision"] == "approve"
    rules.decide_extension(
        _extension(appeal, data.get("extension")), actor=user, approve=approve, note=data["note"]
    )
    return _("The extension was approved.") if approve else _("The extension was denied.")


def _do_accept(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.accept(_assignment(user, appeal, data.get("assignment")), actor=user)
    return _("Accepted.")


def _do_return(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.return_to_dispatcher(
        _assignment(user, appeal, data.get("assignment")), actor=user, reason=data["reason"]
    )
    return _("The appeal was returned to the dispatcher.")


def _do_request_extension(user: AnyUser, appeal: Appeal, data: Data) -> str:
    assignment = _assignment(user, appeal, data.get("assignment"))
    rules.request_extension(assignment, actor=user, days=data["days"], reason=data["reason"])
    return _("The extension was requested; the dispatcher decides.")


def _do_progress(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.report_progress(appeal, actor=user, note=data["note"])
    return _("The progress note was saved.")


def _do_pause(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.pause_clock(appeal, actor=user, waiting_for=data["waiting_for"], reason=data["reason"])
    return _("The deadline clock is paused.")


def _do_resume(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.resume_clock(appeal, actor=user, note=data["note"])
    return _("The deadline clock runs again.")


def _do_draft_reply(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.draft_reply(appeal, actor=user, body=data["body"], publish=data["publish"])
    return _("The reply was submitted to the unit head.")


def _do_approve_reply(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.approve_reply(_reply(appeal, data.get("reply")), actor=user, body=data.get("body"))
    return _("The reply was approved and sent.")


def _do_send_back_reply(user: AnyUser, appeal: Appeal, data: Data) -> str:
    rules.send_back_reply(_reply(appeal, data.get("reply")), actor=user, note=data["note"])
    return _("The reply was sent back for rework.")


@dataclass(frozen=True)
class ApiAction:
    slug: str
    body: type[ActionIn]
    perform: Callable[[AnyUser, Appeal, Data], str]
    summary: str


#: The transitions, by URL slug (the same slugs as the staff pages' action URLs).
ACTIONS: list[ApiAction] = [
    ApiAction("dispatch", DispatchIn, _do_dispatch, "Dispatch to a lead unit (and co-units)"),
    ApiAction("correct", CorrectIn, _do_correct, "Correct the category, urgency or kind"),
    ApiAction("reject", RejectIn, _do_reject, "Reject (out of scope, abusive)"),
    ApiAction("merge", MergeIn, _do_merge, "Merge a duplicate into an earlier appeal"),
    ApiAction("unmerge", ActionIn, _do_unmerge, "Undo a merge"),
    ApiAction("close", CloseIn, _do_close, "Close a replied appeal without a follow-up"),
    ApiAction("follow-up", FollowUpIn, _do_follow_up, "Record the follow-up call (closes or reopens)"),
    ApiAction("decide-extension", DecideExtensionIn, _do_decide_extension, "Approve or deny an extension"),
    ApiAction("accept", AssignmentIn, _do_accept, "Accept the unit's assignment"),
    ApiAction("return", ReturnIn, _do_return, "Return a misrouted appeal to the dispatcher"),
    ApiAction("request-extension", RequestExtensionIn, _do_request_extension, "Ask for more working days"),
    ApiAction("progress", ProgressIn, _do_progress, "Report progress"),
    ApiAction("pause", PauseIn, _do_pause, "Pause the deadline clock"),
    ApiAction("resume", ResumeIn, _do_resume, "Resume the deadline clock"),
    ApiAction("draft-reply", DraftReplyIn, _do_draft_reply, "Draft the reply for the unit head"),
    ApiAction("approve-reply", ApproveReplyIn, _do_approve_reply, "Approve and send the reply"),
    ApiAction("send-back-reply", SendBackReplyIn, _do_send_back_reply, "Send the draft reply back"),
]


def _conflict() -> ApiError:
    return ApiError(
        409,
        "conflict",
        _("Someone else changed this appeal while you were working on it. Reload it and try again."),
    )


def run_action(request: Request, number: str, action: ApiAction) -> Response:
    """Check the body, then run the rule; each refusal as a JSON error with its status."""
    user = request.user
    appeal = visible_appeal(user, number)

    def perform() -> Response:
        body = action.body(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if data.get("version") is not None and data["version"] != appeal.version:
            raise _conflict()
        try:
            message = action.perform(user, appeal, data)
        except rules.VersionConflict as exc:
            raise _conflict() from exc
        except rules.IllegalTransition as exc:
            raise from_validation(exc, status.HTTP_409_CONFLICT) from exc
        except PermissionDenied as exc:
            raise ApiError(
                403, "permission_denied", str(exc) or _("You may not do this to this appeal.")
            ) from exc
        except ValidationError as exc:
            raise from_validation(exc) from exc
        fresh = with_due_status(Appeal.objects.select_related(*RELATED).filter(pk=appeal.pk), timezone.now())
        result = {"message": message, "appeal": detail_data(user, fresh.get(), reveal_personal=False)}
        return Response(result)

    return idempotent(request, perform)


def _action_view(action: ApiAction) -> type[APIView]:
    @extend_schema(
        operation_id=f"appeal_{action.slug.replace('-', '_')}",
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


ACTION_VIEWS: dict[str, type[APIView]] = {action.slug: _action_view(action) for action in ACTIONS}
