"""The ledger over the REST API: rectification items (list, read, create, every step to sign-off),
campaigns and their summary figures.

The views call the same rules as the ledger pages (``minyi.ledger.rules``) and see exactly what the
pages show: the list is the ledger page's scoped query (``LedgerFilters.apply``), one item is readable
by whoever ``ledger.access.may_view`` admits, and an item outside the user's scope is a 404 (its existence
is never confirmed). Serializers only describe shapes; a rule's refusal comes back as JSON through
``minyi.api.errors`` (ValidationError → 400, PermissionDenied → 403).

Every POST goes through ``idempotent`` (an ``Idempotency-Key`` replays the first answer), and a step may
carry the item's ``version`` as the client saw it: a stale one is refused with 409 ``conflict``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minyi.api.errors import ApiError
from minyi.api.idempotency import idempotent
from minyi.api.pagination import ApiCursorPagination
from minyi.api.resources_common import (
    ID_PARAMETER,
    LIST_ERRORS,
    READ_ERRORS,
    UnitRefSerializer,
    UserNameField,
    checked_query,
    record_id,
)
from minyi.api.schema import IDEMPOTENCY_KEY, errors
from minyi.appeals.models import Appeal
from minyi.ledger import rules
from minyi.ledger.access import may_view
from minyi.ledger.choices import LEAD_KINDS, OPEN_ISSUE_STATES, IssueSource, IssueState, Track
from minyi.ledger.filters import LedgerFilters
from minyi.ledger.models import Campaign, Issue, Milestone, ProgressReport, SignOff
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.permissions import require, visible

#: The ledger page's message for a stale version (already translated there).
CONFLICT = gettext_lazy(
    "Someone else changed this item while you were working on it. Reload it and try again."
)
VIEW = "ledger.view_issue"
ADD = "ledger.add_issue"


def _leaders() -> QuerySet[User]:
    return User.objects.filter(person__role=Role.LEADER, is_active=True)


def _lead_units() -> QuerySet[Unit]:
    return Unit.objects.filter(kind__in=LEAD_KINDS, is_active=True)


# --- output shapes ---------------------------------------------------------------------------------


class CampaignSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class LeaderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = UserNameField(source="*")


class MilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    owner = UnitRefSerializer()
    done_at = serializers.DateTimeField(allow_null=True)
    evidence = serializers.CharField()


class ProgressReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = UnitRefSerializer()
    text = serializers.CharField()
    reported_by = UserNameField()
    reported_at = serializers.DateTimeField()


class SignOffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    evidence = serializers.CharField()
    submitted_by = UserNameField()
    submitted_at = serializers.DateTimeField()
    agreed_by = UserNameField(allow_null=True)
    agreed_at = serializers.DateTimeField(allow_null=True)
    decided_by = UserNameField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    approved = serializers.BooleanField(allow_null=True)
    reason = serializers.CharField()


class IssueSerializer(serializers.Serializer):
    """One rectification item as the ledger lists it."""

    id = serializers.IntegerField()
    campaign = serializers.CharField(source="campaign.code")
    title = serializers.CharField()
    track = serializers.ChoiceField(choices=Track.choices)
    original_track = serializers.ChoiceField(choices=Track.choices)
    state = serializers.ChoiceField(choices=IssueState.choices)
    source = serializers.ChoiceField(choices=IssueSource.choices)  # type: ignore[assignment]  # field named like a Field attribute
    lead_unit = UnitRefSerializer()
    co_units = UnitRefSerializer(many=True, source="co_units.all")
    leader = LeaderSerializer()
    deadline = serializers.DateField()
    overdue = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    signed_off_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, issue: Issue) -> bool:
        # Derived from the deadline, never stored (as on the ledger page).
        today = self.context.get("today") or timezone.localdate()
        return issue.state in OPEN_ISSUE_STATES and issue.deadline < today

    @extend_schema_field(OpenApiTypes.INT)
    def get_progress(self, issue: Issue) -> int | None:
        """Percent of the plan's steps done; null without a plan."""
        return rules.progress(issue)


class IssueDetailSerializer(IssueSerializer):
    """One item with its plan, progress reports, sign-off requests and linked appeals (only the
    numbers of those the user may see; ``appeals_total`` counts them all)."""

    description = serializers.CharField()
    finding_ref = serializers.CharField()
    tags = serializers.CharField()
    converted_reason = serializers.CharField()
    milestones = MilestoneSerializer(many=True, source="milestones.all")
    reports = ProgressReportSerializer(many=True, source="reports.all")
    signoffs = SignOffSerializer(many=True, source="signoffs.all")
    appeals = serializers.SerializerMethodField()
    appeals_total = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_appeals(self, issue: Issue) -> list[str]:
        return list(self.context.get("appeals", []))

    @extend_schema_field(OpenApiTypes.INT)
    def get_appeals_total(self, issue: Issue) -> int:
        return int(self.context.get("appeals_total", 0))


class TrackFiguresSerializer(serializers.Serializer):
    track = serializers.ChoiceField(choices=Track.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # field named like a Field attribute
    total = serializers.IntegerField()
    closed = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    converted_to_long_term = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    campaign = CampaignSerializer()
    sentence = serializers.CharField(help_text="The line offices write in their reports.")
    tracks = TrackFiguresSerializer(many=True)


# --- input shapes ----------------------------------------------------------------------------------


def _unknown(what: Any) -> dict[str, Any]:
    return {"does_not_exist": what, "invalid": what}


class IssueFilterSerializer(serializers.Serializer):
    """The ledger's filters (as on the page, by the track items were planned on)."""

    campaign = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Campaign.objects.all(),
        required=False,
        error_messages=_unknown(gettext_lazy("No campaign has the code “{value}”.")),
    )
    track = serializers.ChoiceField(choices=Track.choices, required=False)
    state = serializers.ChoiceField(choices=IssueState.choices, required=False)
    source = serializers.ChoiceField(choices=IssueSource.choices, required=False)  # type: ignore[assignment]  # field named like a Field attribute
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.all(),
        required=False,
        help_text="Items led by this unit or a unit below it.",
        error_messages=_unknown(gettext_lazy("No unit has the code “{value}”.")),
    )
    leader = serializers.PrimaryKeyRelatedField(
        queryset=_leaders(),
        required=False,
        help_text="The supervising leader's user id.",
        error_messages={
            "does_not_exist": gettext_lazy("No supervising leader has the id {pk_value}."),
            "incorrect_type": gettext_lazy("A leader is given by the number of the login."),
        },
    )
    overdue = serializers.BooleanField(required=False, help_text="Only items past their deadline.")


class SummaryFilterSerializer(IssueFilterSerializer):
    campaign = None  # type: ignore[assignment]  # the campaign is in the path


class IssueCreateSerializer(serializers.Serializer):
    """A new item; the fields are named like the keyword arguments of ``rules.create_issue``."""

    campaign = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Campaign.objects.all(),
        error_messages=_unknown(gettext_lazy("No campaign has the code “{value}”.")),
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    track = serializers.ChoiceField(choices=Track.choices)
    lead_unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=_lead_units(),
        error_messages=_unknown(gettext_lazy("No department or township has the code “{value}”.")),
    )
    co_units = serializers.SlugRelatedField(
        slug_field="code",
        queryset=_lead_units(),
        many=True,
        required=False,
        error_messages=_unknown(gettext_lazy("No department or township has the code “{value}”.")),
    )
    leader = serializers.PrimaryKeyRelatedField(
        queryset=_leaders(),
        help_text="The supervising leader's user id.",
        error_messages={
            "does_not_exist": gettext_lazy("No supervising leader has the id {pk_value}."),
            "incorrect_type": gettext_lazy("A leader is given by the number of the login."),
        },
    )
    deadline = serializers.DateField()
    appeals = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=200,
        help_text="Tracking numbers of the appeals the item gathers (then its source is “appeals”).",
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]  # field named like a Field attribute
        choices=[(s.value, s.label) for s in (IssueSource.INSPECTION, IssueSource.OWN)],
        required=False,
        help_text="Without appeals: an inspection finding or found by the unit itself (the default).",
    )
    finding_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    tags = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_deadline(self, value: Any) -> Any:
        # The same input check as the page's form (IssueForm.clean_deadline).
        if value < timezone.localdate():
            raise serializers.ValidationError(_("The deadline cannot be in the past."))
        return value


class StepSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="The item's version as the client saw it; a stale one is refused (409).",
    )


class ReportInput(StepSerializer):
    text = serializers.CharField(allow_blank=True, help_text="What was done.")


class SubmitInput(StepSerializer):
    evidence = serializers.CharField(allow_blank=True, help_text="Evidence of what was done.")


class DecideInput(StepSerializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    reply = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="The reply every linked appeal still open gets on approval (default: the standard one).",
    )


class ConvertInput(StepSerializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why it becomes long-term work.")


class MilestoneInput(StepSerializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    due_on = serializers.DateField()
    owner = serializers.SlugRelatedField(
        slug_field="code",
        queryset=_lead_units(),
        required=False,
        help_text="The unit that does the step (default: the lead unit).",
        error_messages=_unknown(gettext_lazy("No department or township has the code “{value}”.")),
    )


class EditInput(StepSerializer):
    """The details to change (only those sent); named like the keyword arguments of ``rules.edit_issue``."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    finding_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tags = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lead_unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=_lead_units(),
        required=False,
        error_messages=_unknown(gettext_lazy("No department or township has the code “{value}”.")),
    )
    co_units = serializers.SlugRelatedField(
        slug_field="code",
        queryset=_lead_units(),
        many=True,
        required=False,
        error_messages=_unknown(gettext_lazy("No department or township has the code “{value}”.")),
    )
    leader = serializers.PrimaryKeyRelatedField(
        queryset=_leaders(),
        required=False,
        help_text="The supervising leader's user id.",
        error_messages={
            "does_not_exist": gettext_lazy("No supervising leader has the id {pk_value}."),
            "incorrect_type": gettext_lazy("A leader is given by the number of the login."),
        },
    )
    deadline = serializers.DateField(required=False)


class MilestoneDoneInput(StepSerializer):
    milestone = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The id of the step reported done."
    )
    evidence = serializers.CharField(allow_blank=True)


# --- queries ---------------------------------------------------------------------------------------


def _listed(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    return issues.select_related("campaign", "lead_unit", "leader__person").prefetch_related(
        "co_units", "milestones"
    )


def _detailed() -> QuerySet[Issue]:
    return Issue.objects.select_related("campaign", "lead_unit", "leader__person").prefetch_related(
        "co_units",
        Prefetch("milestones", queryset=Milestone.objects.select_related("owner")),
        Prefetch("reports", queryset=ProgressReport.objects.select_related("unit", "reported_by__person")),
        Prefetch(
            "signoffs",
            queryset=SignOff.objects.select_related(
                "submitted_by__person", "agreed_by__person", "decided_by__person"
            ),
        ),
    )


def visible_issue(request: Request, pk: str) -> Issue:
    """The item if the user may see it (as on its page), else 404 — never a hint that it exists."""
    issue = (
        Issue.objects.select_related("lead_unit")
        .prefetch_related("co_units")
        .filter(pk=record_id(pk))
        .first()
    )
    if issue is None or not may_view(request.user, issue):
        raise Http404
    return issue


def issue_detail(request: Request, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    issue = _detailed().get(pk=pk)
    appeals = issue.appeals.all()
    context = {
        "appeals": list(visible(request.user, appeals).order_by("number").values_list("number", flat=True)),
        "appeals_total": appeals.count(),
    }
    return Response(IssueDetailSerializer(issue, context=context).data, status=status_code)


# --- views -----------------------------------------------------------------------------------------


class IssuePagination(ApiCursorPagination):
    # Newest first by primary key: unique and unchanging, so a cursor never skips or repeats an item
    # (a deadline can be edited, which would move an item between pages).
    ordering = ("-id",)


@extend_schema(tags=["ledger"])
class IssueListView(generics.ListAPIView):
    """``GET /api/v1/issues/``: the ledger; ``POST``: open a new rectification item."""

    serializer_class = IssueSerializer
    pagination_class = IssuePagination

    def get_queryset(self) -> QuerySet[Issue]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Issue.objects.none()
        require(self.request.user, VIEW)
        chosen = LedgerFilters(**checked_query(self.request, IssueFilterSerializer))
        return _listed(chosen.apply(self.request.user))

    @extend_schema(
        parameters=[IssueFilterSerializer],
        responses={200: IssueSerializer(many=True), **LIST_ERRORS},
        summary="List the rectification items in your scope",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=IssueCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: IssueDetailSerializer, **errors(400, 401, 403, 422)},
        summary="Open a rectification item (Idempotency-Key supported)",
    )
    def post(self, request: Request) -> Response:
        require(request.user, ADD)

        def create() -> Response:
            serializer = IssueCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            numbers = list(dict.fromkeys(data.pop("appeals", [])))
            appeals = list(visible(request.user, Appeal.objects.filter(number__in=numbers)))
            if missing := sorted(set(numbers) - {a.number for a in appeals}):
                raise ValidationError(
                    {"appeals": _("No appeal you may see has the number %(numbers)s.")
                     % {"numbers": ", ".join(missing)}}
                )  # fmt: skip
            if appeals:
                # Made of appeals: create_issue sets the source, and no inspection notice is asked for.
                data.pop("source", None)
                data.pop("finding_ref", None)
            issue = rules.create_issue(**data, appeals=appeals, actor=request.user)
            return issue_detail(request, issue.pk, status_code=status.HTTP_201_CREATED)

        return idempotent(request, create)


@extend_schema(
    tags=["ledger"],
    parameters=[ID_PARAMETER],
    responses={200: IssueDetailSerializer, **READ_ERRORS},
    summary="Read one rectification item",
)
class IssueDetailView(APIView):
    """``GET /api/v1/issues/<id>/``: one item with its plan, reports, sign-offs and linked appeals."""

    def get(self, request: Request, pk: str) -> Response:
        return issue_detail(request, visible_issue(request, pk).pk)


class IssueStepView(APIView):
    """One step of an item (``POST /api/v1/issues/<id>/<step>/``) through its rule; answers the item."""

    input: type[StepSerializer] = StepSerializer

    def perform(self, request: Request, issue: Issue, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: str) -> Response:
        issue = visible_issue(request, pk)

        def step() -> Response:
            serializer = self.input(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            expected = data.get("version")
            if expected is not None and expected != issue.version:
                raise ApiError(409, "conflict", str(CONFLICT))
            self.perform(request, issue, data)
            return issue_detail(request, issue.pk)

        return idempotent(request, step)


def _files(request: Request) -> list[Any]:
    """Evidence files of a multipart request (field ``attachments``), checked by content by the rule."""
    return list(request.FILES.getlist("attachments")) if request.FILES else []


def _step(input_: type[StepSerializer], summary: str) -> Callable[[type[IssueStepView]], type[IssueStepView]]:
    def decorate(view: type[IssueStepView]) -> type[IssueStepView]:
        view.input = input_
        return extend_schema(
            tags=["ledger"],
            request=input_,
            parameters=[ID_PARAMETER, IDEMPOTENCY_KEY],
            responses={200: IssueDetailSerializer, **errors(400, 401, 403, 404, 409, 422)},
            summary=summary,
        )(view)

    return decorate


@_step(ReportInput, "Report progress on an item (its lead or a co-handling unit)")
class ReportView(IssueStepView):
    def perform(self, request: Request, issue: Issue, data: dict[str, Any]) -> None:
        rules.report_progress(issue, actor=request.user, text=data["text"], files=_files(request))


@_step(SubmitInput, "Submit an item for sign-off, with evidence (the lead unit)")
class SubmitView(IssueStepView):
    def perform(self, request: Request, issue: Issue, data: dict[str, Any]) -> None:
        rules.submit_for_signoff(issue, actor=request.user, evidence=data["evidence"], files=_files(request))


@_step(StepSerializer, "Agree to a sign-off request (the lead unit's head)")
class AgreeView(IssueStepView):
    def perform(self, request: Request, issue: Issue, data: dict[str, Any]) -> None:
        rules.agree_signoff(issue, actor=request.user)


@_step(DecideInput, "Approve or reject a sign-off (the supervising leader)")
class DecideView(IssueStepView):
    def perform(self, request: Request, issue: Issue, data: dict[str, Any]) -> None:
        rules.decide_signoff(
            issue,
            actor=request.user,
            approve=data["decision"] == "approve",
            reason=data["reason"],
            reply=data["reply"],
        )


@_step(ConvertInput, "Make a fix-while-learning item long-term work")
class ConvertView(IssueStepView):
    def perform(self, request: Request, issue: Issue, data: dict[str, Any]) -> None:
        rules.convert_to_long_term(issue, actor=request.user, reason=data["reason"])


@_step(EditInput, "Change an item's details (its lead unit, supervising leader or the district office)")
class EditView(IssueStepView):
    def perform(self, request: Request, issue: Issue, data: dict[str, Any]) -> None:
        if not rules.may_plan(request.user, issue):
            raise PermissionDenied(_("You may not change this item."))
        fields = {name: value for name, value in data.items() if name != "version"}
        if not fields:
            raise ValidationError(_("Nothing was changed."), code="unchanged")
        rules.edit_issue(issue, actor=request.user, expected_version=data.get("version"), **fields)


@_step(MilestoneInput, "Add a dated step to an item's plan")
class MilestoneView(IssueStepView):
    def perform(self, request: Request, issue: Issue, data: dict[str, Any]) -> None:
        owner = data.get("owner") or issue.lead_unit
        rules.add_milestone(
            issue, actor=request.user, title=data["title"], due_on=data["due_on"], owner=owner
        )


@_step(MilestoneDoneInput, "Report a step of the plan done, with evidence")
class MilestoneDoneView(IssueStepView):
    def perform(self, request: Request, issue: Issue, data: dict[str, Any]) -> None:
        milestone = issue.milestones.filter(pk=data["milestone"]).first()
        if milestone is None:
            raise ValidationError({"milestone": _("This item's plan has no such step.")})
        rules.complete_milestone(
            milestone, actor=request.user, evidence=data["evidence"], files=_files(request)
        )


class CampaignPagination(ApiCursorPagination):
    ordering = ("-id",)


@extend_schema(
    tags=["ledger"],
    responses={200: CampaignSerializer(many=True), **LIST_ERRORS},
    summary="List the campaigns",
)
class CampaignListView(generics.ListAPIView):
    """``GET /api/v1/campaigns/``: every campaign (they scope items, they are not owned by a unit)."""

    serializer_class = CampaignSerializer
    pagination_class = CampaignPagination

    def get_queryset(self) -> QuerySet[Campaign]:
        if not getattr(self, "swagger_fake_view", False):
            require(self.request.user, VIEW)
        return Campaign.objects.all()


@extend_schema(
    tags=["ledger"],
    parameters=[SummaryFilterSerializer],
    responses={200: SummarySerializer, **LIST_ERRORS},
    summary="The ledger summary of a campaign, of the items in your scope",
)
class CampaignSummaryView(APIView):
    """``GET /api/v1/campaigns/<code>/summary/``: per planned track, total, closed, open, overdue and
    converted items, with the sentence offices write — of the items in the user's scope that match the
    filters (the ledger page's summary line)."""

    def get(self, request: Request, code: str) -> Response:
        require(request.user, VIEW)
        campaign = get_object_or_404(Campaign, code=code)
        chosen = LedgerFilters(campaign=campaign, **checked_query(request, SummaryFilterSerializer))
        today = timezone.localdate()
        figures = rules.summary(issues=chosen.apply(request.user, today), today=today)
        labels = dict(Track.choices)
        body = {
            "campaign": campaign,
            "sentence": rules.summary_sentence(figures),
            "tracks": [{**vars(f), "label": str(labels[f.track])} for f in figures],
        }
        return Response(SummarySerializer(body).data)
