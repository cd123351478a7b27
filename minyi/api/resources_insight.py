"""The insight suggestions over the REST API, for who may dispatch the appeal:

- ``GET /api/v1/appeals/<number>/suggestions/``: what the dispatch screen advises
  (``minyi.insight.routing.advice``): the model's top choices with their category, usual unit and
  confidence, the words that weighed most, the model version and whether it auto-dispatched.
- ``GET /api/v1/appeals/<number>/duplicates/``: the appeal's likely duplicates among the earlier appeals
  the user may see (``minyi.insight.duplicates.for_appeal``), titles masked as on the lists.

An appeal the user may not see (scope, 回避) is a 404; one they see but may not dispatch is a 403.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minyi.api.errors import ApiError
from minyi.api.resources_common import READ_ERRORS, UnitRefSerializer
from minyi.appeals.access import AppealPerm
from minyi.appeals.models import Appeal
from minyi.insight import routing
from minyi.insight.duplicates import for_appeal
from minyi.org.permissions import can, visible

# --- output shapes ---------------------------------------------------------------------------------


class CategoryRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ChoiceSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The model's label (a category path, e.g. 城乡建设/市政设施).")  # type: ignore[assignment]  # field named like a Field attribute
    confidence = serializers.FloatField(help_text="From 0 to 1.")
    percent = serializers.IntegerField()
    category = CategoryRefSerializer(allow_null=True)
    unit = UnitRefSerializer(allow_null=True, help_text="The unit that usually handles the category.")


class AdviceSerializer(serializers.Serializer):
    appeal = serializers.CharField(help_text="The appeal's tracking number.")
    choices = ChoiceSerializer(many=True)
    why = serializers.ListField(child=serializers.CharField(), help_text="The words that weighed most.")
    model_version = serializers.CharField(allow_null=True)
    auto_dispatched = serializers.BooleanField()


class DuplicateSerializer(serializers.Serializer):
    number = serializers.CharField(source="appeal.number")
    title = serializers.CharField(help_text="Personal data masked.")
    state = serializers.CharField(source="appeal.state")
    reason = serializers.CharField()
    reason_label = serializers.CharField()
    score = serializers.FloatField()
    places = serializers.ListField(
        child=serializers.CharField(), help_text="Places both appeals name (personal data masked)."
    )
    words = serializers.ListField(child=serializers.CharField(), help_text="Words of the problem both use.")


class DuplicatesSerializer(serializers.Serializer):
    appeal = serializers.CharField()
    duplicates = DuplicateSerializer(many=True)


# --- views -----------------------------------------------------------------------------------------


def dispatchable(request: Request, number: str) -> Appeal:
    """The appeal if the user may see it (else 404) and dispatch it (else 403)."""
    appeal = visible(request.user, Appeal.objects.filter(number=number)).first()
    if appeal is None:
        raise Http404
    if not can(request.user, AppealPerm.DISPATCH, appeal):
        raise ApiError(
            403, "permission_denied", _("Only those who may dispatch this appeal see its suggestions.")
        )
    return appeal


@extend_schema(
    tags=["insight"],
    responses={200: AdviceSerializer, **READ_ERRORS},
    summary="The dispatch suggestions for an appeal",
)
class SuggestionsView(APIView):
    def get(self, request: Request, number: str) -> Response:
        appeal = dispatchable(request, number)
        advice = routing.advice(appeal)
        body = {
            "appeal": appeal.number,
            "choices": advice.choices if advice is not None else [],
            "why": advice.why if advice is not None else [],
            "model_version": advice.model.version if advice is not None and advice.model else None,
            "auto_dispatched": advice.auto_dispatched if advice is not None else False,
        }
        return Response(AdviceSerializer(body).data)


@extend_schema(
    tags=["insight"],
    responses={200: DuplicatesSerializer, **READ_ERRORS},
    summary="The likely duplicates of an appeal",
)
class DuplicatesView(APIView):
    def get(self, request: Request, number: str) -> Response:
        appeal = dispatchable(request, number)
        body = {"appeal": appeal.number, "duplicates": for_appeal(request.user, appeal)}
        return Response(DuplicatesSerializer(body).data)
