"""The ledger over the REST API: rectification items (list, read, create, every step to sign-off),
campaigns and their summary figures.

The views call the same rules as the ledger pages (``minyi.ledger.rules``) and see exactly what the
pages show: the list is the ledger page's scoped query (``LedgerFilters.apply``), one item is readable
by whoever ``ledger.access.may_view`` admits, and an item outside the user's scope is a 404 (its existence
is never confirmed). The steps of an item are the ledger's actions (``minyi.ledger.actions``, the same
as the item page's); a rule's refusal comes back as JSON through ``minyi.api.errors``, with the status
and code of its kind (minyi.errors).

Every POST goes through ``idempotent`` (an ``Idempotency-Key`` replays the first answer), and a step may
carry the item's ``version`` as the client saw it: a stale one is refused with 409 ``conflict``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
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
from minyi.ledger import actions, rules
from minyi.ledger.access import LedgerPerm, may_view
from minyi.ledger.action_forms import StepSerializer, lead_units, leaders, unknown_code
from minyi.ledger.choices import OPEN_ISSUE_STATES, IssueSource, IssueState, Track
from minyi.ledger.filters import LedgerFilters
from minyi.ledger.models import Campaign, Issue, Milestone, ProgressReport, SignOff
from minyi.org.models import Unit
from minyi.org.permissions import require, visible

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

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=0, max_value=100))
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


class IssueFilterSerializer(serializers.Serializer):
    """The ledger's filters (as on the page, by the track items were planned on)."""

    campaign = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Campaign.objects.all(),
        required=False,
        error_messages=unknown_code(gettext_lazy("No campaign has the code “{value}”.")),
    )
    track = serializers.ChoiceField(choices=Track.choices, required=False)
    state = serializers.ChoiceField(choices=IssueState.choices, required=False)
    source = serializers.ChoiceField(choices=IssueSource.choices, required=False)  # type: ignore[assignment]  # field named like a Field attribute
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.all(),
        required=False,
        help_text="Items led by this unit or a unit below it.",
        error_messages=unknown_code(gettext_lazy("No unit has the code “{value}”.")),
    )
    leader = serializers.PrimaryKeyRelatedField(
        queryset=leaders(),
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
        error_messages=unknown_code(gettext_lazy("No campaign has the code “{value}”.")),
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    track = serializers.ChoiceField(choices=Track.choices)
    lead_unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=lead_units(),
        error_messages=unknown_code(gettext_lazy("No department or township has the code “{value}”.")),
    )
    co_units = serializers.SlugRelatedField(
        slug_field="code",
        queryset=lead_units(),
        many=True,
        required=False,
        error_messages=unknown_code(gettext_lazy("No department or township has the code “{value}”.")),
    )
    leader = serializers.PrimaryKeyRelatedField(
        queryset=leaders(),
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
        require(self.request.user, LedgerPerm.VIEW)
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
        rules.check_create_issue(request.user)  # before reading the body; the rule asks again

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


def _files(request: Request) -> list[Any]:
    """Evidence files of a multipart request (field ``attachments``), checked by content by the rule."""
    return list(request.FILES.getlist("attachments")) if request.FILES else []


def _step_view(action: actions.Action, body: type[StepSerializer]) -> type[APIView]:
    @extend_schema(
        tags=["ledger"],
        request=body,
        parameters=[ID_PARAMETER, IDEMPOTENCY_KEY],
        responses={200: IssueDetailSerializer, **errors(400, 401, 403, 404, 409, 422)},
        summary=action.summary,
    )
    def post(self: APIView, request: Request, pk: str) -> Response:
        issue = visible_issue(request, pk)

        def step() -> Response:
            serializer = body(data=request.data, context={"issue": issue})
            serializer.is_valid(raise_exception=True)
            data = {**serializer.validated_data, "attachments": _files(request)}
            actions.perform(action, request.user, issue, data)
            return issue_detail(request, issue.pk)

        return idempotent(request, step)

    name = "Issue" + "".join(part.title() for part in action.slug.split("-")) + "View"
    doc = "One step of an item (``POST /api/v1/issues/<id>/<step>/``) through its rule; answers the item."
    return type(name, (APIView,), {"post": post, "__doc__": doc})


#: An endpoint for each step of an item that the API offers, by its path.
STEP_VIEWS: dict[str, type[APIView]] = {
    action.api_path: _step_view(action, action.body) for action in actions.ACTIONS if action.body is not None
}


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
            require(self.request.user, LedgerPerm.VIEW)
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
        require(request.user, LedgerPerm.VIEW)
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
