"""The REST API of appeals: submission, with an Idempotency-Key so a retried request never duplicates.

``POST /api/v1/appeals/`` takes a JSON object and answers 201 with the tracking number and query code.
Staff clients (session login with ``appeals.record_appeal``) may set the channel; anyone else submits
as a citizen (channel ``api``, rate limited like the public form).

Idempotency: with an ``Idempotency-Key`` header (at most 200 characters), the key, a hash of the body
and the new appeal are stored in the appeal's own transaction. A retry with the same key and the same
body answers 200 with the same number, ``"replayed": true`` and ``"query_code": null`` — the code was
shown once and only its salted hash is stored, so it cannot be sent again. The same key with another
body is refused with 422 ``idempotency_key_reused``. Keys are per client (the user, or the address of
an anonymous client). Errors are JSON ``{"code", "message", "fields"}`` in the request's language.

Staff clients authenticate with their session or an API token (minyi.api.auth). Reading and every
transition of the loop are in minyi.api.appeals.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minyi import ratelimit
from minyi.api.errors import ApiError
from minyi.api.idempotency import body_hash, key_of
from minyi.appeals import rules
from minyi.appeals.access import AppealPerm
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.forms.intake import normalise_phone
from minyi.appeals.models import Appeal, IdempotencyRecord
from minyi.audit.middleware import client_ip
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.lookup import active_unit
from minyi.org.models import Unit
from minyi.org.permissions import can

#: Units whose officials an appeal may be about (not the district: then no one could handle it).
CONCERNS_KINDS: set[str] = {UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, *RESIDENTIAL_KINDS}


class AppealSubmitSerializer(serializers.Serializer):
    """The shape of a submission; the rules of the loop (text, place) are checked by ``rules.submit``."""

    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    township = serializers.CharField(required=False, allow_blank=True)
    village = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    email = serializers.EmailField(required=False, allow_blank=True)
    concerns_unit = serializers.CharField(required=False, allow_blank=True)

    def validate_phone(self, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return normalise_phone(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


def _unit(code: str, kinds: set[str], field: str, errors: dict[str, list[str]]) -> Unit | None:
    if not code:
        return None
    unit = active_unit(code)
    if unit is None or unit.kind not in kinds:
        errors[field] = [_("Unknown unit code %(code)s.") % {"code": code}]
        return None
    return unit


def find_record(client: str, key: str) -> IdempotencyRecord | None:
    """The earlier request of this client with this key, if any."""
    return IdempotencyRecord.objects.filter(client=client, key=key).select_related("appeal").first()


def _field_errors(detail: Any) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in dict(detail).items()}


class AppealSubmitView(APIView):
    """``POST /api/v1/appeals/``: submit an appeal (see the module docstring for idempotency)."""

    permission_classes = [AllowAny]  # anonymous citizens may submit; staff rights are checked in post()
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def post(self, request: Request) -> Response:
        user = request.user
        staff = bool(user and user.is_authenticated)
        if staff and not can(user, AppealPerm.RECORD):
            raise ApiError(403, "permission_denied", _("Your account may not record appeals."))
        if not staff and not ratelimit.hit(request._request, "appeal_submit"):
            raise ApiError(
                429, "rate_limited", _("Too many submissions from your address; try again in a few minutes.")
            )
        data = self._json(request)
        key = key_of(request)
        client = f"user:{user.pk}" if staff else f"anon:{client_ip(request._request) or 'unknown'}"
        digest = body_hash(data)
        # No look-up of the key first: a retry is rare, and the unique (client, key) constraint turns
        # it into an IntegrityError below, answered as a replay. One query less on every submission.
        kwargs = self._submission(data, staff=staff)
        try:
            submission = rules.submit(
                **kwargs,
                actor=user if staff else None,
                idempotency=(client, key, digest) if key is not None else None,
            )
        except IntegrityError:
            # A concurrent request with the same key won the race: its appeal is the one (ours rolled back).
            earlier = find_record(client, key) if key is not None else None
            if earlier is None:
                raise
            return self._replay(earlier, digest)
        except ValidationError as exc:
            has_fields = hasattr(exc, "error_dict")
            fields = (
                {name: list(messages) for name, messages in exc.message_dict.items()} if has_fields else {}
            )
            raise ApiError(400, "invalid", " ".join(exc.messages), fields) from exc
        appeal = submission.appeal
        body = {
            "number": appeal.number,
            "query_code": submission.query_code,
            "status": appeal.state,
            "replayed": False,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    # --- steps of post() ---------------------------------------------------------------------------

    def _json(self, request: Request) -> dict[str, Any]:
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise ApiError(
                415, "unsupported_media_type", _("Send the appeal as JSON (Content-Type: application/json).")
            )
        try:
            data = request.data
        except exceptions.ParseError as exc:
            raise ApiError(400, "malformed_json", _("The request body is not valid JSON.")) from exc
        if not isinstance(data, dict):
            raise ApiError(400, "malformed_json", _("The request body must be a JSON object."))
        return data

    def _replay(self, earlier: IdempotencyRecord, digest: str) -> Response:
        if earlier.body_hash != digest:
            raise ApiError(
                422,
                "idempotency_key_reused",
                _(
                    "This Idempotency-Key was already used for a different request; "
                    "use a new key for a new appeal."
                ),
            )
        appeal: Appeal = earlier.appeal
        body = {"number": appeal.number, "query_code": None, "status": appeal.state, "replayed": True}
        return Response(body, status=status.HTTP_200_OK)

    def _submission(self, data: dict[str, Any], *, staff: bool) -> dict[str, Any]:
        """The keyword arguments of ``rules.submit``, or a 400 with every field's problem."""
        serializer = AppealSubmitSerializer(data=data)
        errors: dict[str, list[str]] = {}
        if not serializer.is_valid():
            errors.update(_field_errors(serializer.errors))
        values: dict[str, Any] = dict(serializer.validated_data) if not errors else dict(data)
        township = _unit(str(values.get("township") or ""), {UnitKind.TOWNSHIP}, "township", errors)
        village = _unit(str(values.get("village") or ""), set(RESIDENTIAL_KINDS), "village", errors)
        concerns = _unit(str(values.get("concerns_unit") or ""), CONCERNS_KINDS, "concerns_unit", errors)
        if errors:
            raise ApiError(400, "invalid", _("Some fields are missing or wrong."), errors)
        return {
            # Citizens always come in through the API channel; staff clients say where the appeal came from.
            "channel": (values.get("channel") or Channel.API) if staff else Channel.API,
            "kind": values["kind"],
            "title": values["title"],
            "body": values["body"],
            "township": township,
            "village": village,
            "address": values.get("address", ""),
            "citizen_name": values.get("name", ""),
            "citizen_phone": values.get("phone", ""),
            "citizen_email": values.get("email", ""),
            "concerns_unit": concerns,
        }
