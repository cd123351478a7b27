"""Open311 GeoReport v2 over the appeal loop: the public services, a client's request turned into an
appeal (through minyi.appeals.rules.submit, so it follows the normal loop), and the public view of
Open311 appeals and their updates.

Decisions:
- Only appeals that came in through Open311 are listed, and never one that concerns a unit's own
  officials: the other channels' citizens did not send their words to a public interface.
- ``status`` is ``closed`` once the citizen has an answer: replied (an unsatisfied follow-up reopens it,
  and it is ``open`` again), closed, rejected, or merged into another appeal; ``open`` otherwise.
- Public output never holds the citizen's name, phone, e-mail, device or account; phone and ID numbers
  written in the text are masked, the address keeps only its coarse part (house numbers hidden), and
  the position is rounded to 3 decimals (about 100 m).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from minyi.api.idempotency import body_hash
from minyi.api.models import IdempotentResponse
from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import PUBLIC_EVENTS, Channel, EventKind, Kind, ReplyState, State
from minyi.appeals.models import Appeal, AppealEvent, Category, Reply
from minyi.open311.choices import LIST_DATATYPES, Datatype
from minyi.open311.formats import Open311Error
from minyi.open311.models import Open311Key, Open311Request, ServiceAttribute
from minyi.privacy import mask_address, mask_text

DESCRIPTION_MAX = 4000  # the spec's limit, the same as an appeal's text
WINDOW = timedelta(days=90)  # the spec's default and largest span of GET requests
# The moments a search window fits around without leaving the calendar (years 1 to 9999).
_FIRST = datetime(1, 1, 2, tzinfo=UTC) + WINDOW
_LAST = datetime(9999, 12, 30, tzinfo=UTC) - WINDOW
MAX_RESULTS = 1000  # the spec's largest answer of GET requests
#: Open311 requests ask for a service: the closest kind of appeal is a request for help.
OPEN311_KIND = Kind.HELP
CLOSED_STATES = (State.REPLIED, State.CLOSED, State.REJECTED, State.MERGED)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?:\s|$)")


def status_of(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def w3(moment: datetime | None, tz: tzinfo | None = None) -> str | None:
    """A W3C date-time with its UTC offset, in the site's time zone."""
    if moment is None:
        return None
    return moment.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


# --- services --------------------------------------------------------------------------------


def _public_leaves() -> list[Category]:
    has_children = Category.objects.filter(parent=OuterRef("pk"), is_active=True)
    return list(
        Category.objects.filter(is_public=True, is_active=True)
        .exclude(Exists(has_children))
        .order_by("level", "sort", "code")
    )


def _ancestors(category: Category, by_id: Mapping[int, Category]) -> list[Category]:
    chain: list[Category] = []
    parent_id = category.parent_id
    while parent_id is not None and parent_id in by_id and len(chain) < 10:
        chain.insert(0, by_id[parent_id])
        parent_id = by_id[parent_id].parent_id
    return chain


def services() -> list[dict[str, Any]]:
    """One service per active leaf category the admin offers to external clients."""
    leaves = _public_leaves()
    by_id = {c.pk: c for c in Category.objects.only("pk", "name", "parent_id")}
    with_attributes = set(
        ServiceAttribute.objects.filter(category__in=leaves).values_list("category_id", flat=True)
    )
    rows = []
    for category in leaves:
        ancestors = _ancestors(category, by_id)
        rows.append(
            {
                "service_code": category.code,
                "service_name": category.name,
                "description": " / ".join(c.name for c in [*ancestors, category]),
                "metadata": category.pk in with_attributes,
                "type": "realtime",
                "keywords": ", ".join(c.name for c in ancestors),
                "group": ancestors[-1].name if ancestors else "",
            }
        )
    return rows


def public_service(code: str) -> Category:
    """The public leaf category with this service code; 404 otherwise."""
    code = code.strip()
    if not code:
        raise Open311Error.one(400, _("service_code was not provided."))
    for category in _public_leaves_with_code(code):
        return category
    raise Open311Error.one(404, _("Service code %(code)s was not found.") % {"code": code[:40]})


def _public_leaves_with_code(code: str) -> list[Category]:
    has_children = Category.objects.filter(parent=OuterRef("pk"), is_active=True)
    return list(
        Category.objects.filter(code=code, is_public=True, is_active=True).exclude(Exists(has_children))
    )


def service_definition(code: str) -> dict[str, Any]:
    category = public_service(code)
    attributes = [
        {
            "variable": a.variable,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": a.datatype_description or None,
            "order": a.order,
            "description": a.description,
            **({"values": [_value(v) for v in a.values]} if a.datatype in LIST_DATATYPES else {}),
        }
        for a in category.open311_attributes.all()
    ]
    return {"service_code": category.code, "attributes": attributes}


def _value(item: Any) -> dict[str, str]:
    if isinstance(item, Mapping):
        return {"key": str(item.get("key", "")), "name": str(item.get("name", item.get("key", "")))}
    return {"key": str(item), "name": str(item)}


# --- POST requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    appeal: Appeal
    account_id: str


def _one(data: Mapping[str, list[str]], name: str) -> str:
    values = data.get(name) or [""]
    return str(values[0]).strip()


def _coordinate(raw: str, name: str, limit: int, errors: list[tuple[int, str]]) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > limit:
        errors.append(
            (400, _("%(name)s must be a number between -%(n)d and %(n)d.") % {"name": name, "n": limit})
        )
        return None
    return value.quantize(Decimal("0.000001"))


def _attribute_answers(
    category: Category, data: Mapping[str, list[str]], errors: list[tuple[int, str]]
) -> dict[str, Any]:
    """The answers to the service's attributes, from attribute[CODE] (and attribute[CODE][] lists)."""
    answers: dict[str, Any] = {}
    for attribute in category.open311_attributes.filter(variable=True):
        sent = [
            *data.get(f"attribute[{attribute.code}]", []),
            *data.get(f"attribute[{attribute.code}][]", []),
        ]
        values = [v.strip() for v in sent if v.strip()]
        if not values:
            if attribute.required:
                errors.append((400, _("attribute[%(code)s] is required.") % {"code": attribute.code}))
            continue
        keys = {_value(v)["key"] for v in attribute.values}
        if attribute.datatype in LIST_DATATYPES and any(v not in keys for v in values):
            errors.append(
                (400, _("attribute[%(code)s] has a value that is not offered.") % {"code": attribute.code})
            )
            continue
        if attribute.datatype == Datatype.NUMBER and not _is_number(values[0]):
            errors.append((400, _("attribute[%(code)s] must be a number.") % {"code": attribute.code}))
            continue
        if attribute.datatype == Datatype.DATETIME and parse_w3(values[0]) is None:
            errors.append((400, _("attribute[%(code)s] must be a date and time.") % {"code": attribute.code}))
            continue
        answers[attribute.code] = (
            values if attribute.datatype == Datatype.MULTIVALUELIST else values[0][:1000]
        )
    return answers


def _is_number(raw: str) -> bool:
    try:
        return Decimal(raw).is_finite()
    except InvalidOperation:
        return False


def derive_title(description: str, service_name: str) -> str:
    """The first sentence of the description (at most 100 characters), else the service's name."""
    text = " ".join(description.split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip() if text else ""
    if not first:
        return service_name[: appeal_rules.TITLE_MAX]
    if len(first) > appeal_rules.TITLE_MAX:
        return first[: appeal_rules.TITLE_MAX - 1] + "…"
    return first


def _name(first: str, last: str) -> str:
    # Chinese names are written family name first and without a space.
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def create_request(key: Open311Key, data: Mapping[str, list[str]]) -> Created:
    """Check a client's POST and store it as an appeal of the Open311 channel; every problem is
    reported at once (Open311Error) and nothing is stored then."""
    category = public_service(_one(data, "service_code"))
    errors: list[tuple[int, str]] = []
    lat_raw, long_raw = _one(data, "lat"), _one(data, "long")
    address, address_id = _one(data, "address_string"), _one(data, "address_id")
    latitude = longitude = None
    if lat_raw or long_raw:
        if not (lat_raw and long_raw):
            errors.append((400, _("Give both lat and long.")))
        else:
            latitude = _coordinate(lat_raw, "lat", 90, errors)
            longitude = _coordinate(long_raw, "long", 180, errors)
    elif not (address or address_id):
        errors.append((400, _("A location is required: lat and long, address_string or address_id.")))
    if len(address) > 200:
        errors.append((400, _("address_string may have at most %(n)d characters.") % {"n": 200}))
    description = (data.get("description") or [""])[0].strip()
    if len(description) > DESCRIPTION_MAX:
        errors.append((400, _("description may have at most %(n)d characters.") % {"n": DESCRIPTION_MAX}))
    email, phone = _one(data, "email"), _one(data, "phone")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append((400, _("email is not a valid e-mail address.")))
    if len(phone) > 20:
        errors.append((400, _("phone may have at most %(n)d characters.") % {"n": 20}))
    name = _name(_one(data, "first_name"), _one(data, "last_name"))
    if len(name) > 50:
        errors.append((400, _("first_name and last_name may have at most %(n)d characters.") % {"n": 50}))
    media_url = _one(data, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append((400, _("media_url is not a valid http(s) address.")))
        if len(media_url) > 500:
            errors.append((400, _("media_url may have at most %(n)d characters.") % {"n": 500}))
    device_id, account_id = _one(data, "device_id")[:100], _one(data, "account_id")[:100]
    answers = _attribute_answers(category, data, errors)
    if errors:
        raise Open311Error(400, errors)
    body = description or category.name
    if answers:
        labels = dict(category.open311_attributes.values_list("code", "description"))
        lines = [
            f"{labels.get(code, code)}: {', '.join(v) if isinstance(v, list) else v}"
            for code, v in answers.items()
        ]
        body = body + "\n\n" + "\n".join(lines)
        if len(body) > appeal_rules.BODY_MAX:
            raise Open311Error.one(
                400, _("description may have at most %(n)d characters.") % {"n": DESCRIPTION_MAX}
            )
    with transaction.atomic():
        try:
            submission = appeal_rules.submit(
                channel=Channel.OPEN311,
                kind=OPEN311_KIND,
                title=derive_title(description, category.name),
                body=body,
                category=category,
                address=address,
                latitude=latitude,
                longitude=longitude,
                citizen_name=name,
                citizen_phone=phone,
                citizen_email=email,
                external_ref=(account_id or device_id)[:64],
            )
        except ValidationError as exc:
            raise Open311Error(400, [(400, str(message)) for message in exc.messages]) from exc
        Open311Request.objects.create(
            appeal=submission.appeal,
            key=key,
            device_id=device_id,
            account_id=account_id,
            address_id=address_id,
            media_url=media_url,
            attributes=answers,
        )
    return Created(appeal=submission.appeal, account_id=account_id)


#: Where a key's stored answers say they came from: one path for .xml and .json alike, since the
#: format only changes how the same answer is written.
REQUESTS_PATH = "/open311/v2/requests"


def create_request_once(
    key: Open311Key,
    data: Mapping[str, list[str]],
    *,
    idempotency_key: str | None,
    answer: Callable[[Created], dict[str, Any]],
) -> tuple[dict[str, Any], bool]:
    """``create_request`` under the client's ``Idempotency-Key``, as the REST API honours it
    (minyi/api/idempotency.py): the first request with a key stores ``answer(created)`` in the same
    transaction as the appeal; the same key with the same fields gets that answer again and creates
    nothing (True: replayed); with other fields it is refused (422) and changes nothing. Keys belong
    to one API key, so two client systems never see each other's answers."""
    if idempotency_key is None:
        return answer(create_request(key, data)), False
    client = f"open311:{key.prefix}"
    # The api_key itself is no part of what was asked (a client may rotate it between retries).
    digest = body_hash({name: values for name, values in data.items() if name != "api_key"})
    earlier = IdempotentResponse.objects.filter(client=client, key=idempotency_key).first()
    if earlier is not None:
        return _replay(earlier, digest), True
    try:
        with transaction.atomic():
            body = answer(create_request(key, data))
            IdempotentResponse.objects.create(
                client=client, key=idempotency_key, body_hash=digest, method="POST", path=REQUESTS_PATH,
                status=200, body=body,
            )  # fmt: skip
    except IntegrityError:  # a concurrent request with the same key won: answer as it did
        earlier = IdempotentResponse.objects.filter(client=client, key=idempotency_key).first()
        if earlier is None:
            raise
        return _replay(earlier, digest), True
    return body, False


def _replay(earlier: IdempotentResponse, digest: str) -> dict[str, Any]:
    if earlier.body_hash != digest:
        raise Open311Error.one(
            422, _("This Idempotency-Key was already used for a different request; use a new key.")
        )
    return dict(earlier.body)


# --- GET requests ----------------------------------------------------------------------------


def parse_w3(raw: str) -> datetime | None:
    """A W3C date-time with its time zone (or a plain date, read in the site's time zone); None for
    anything else, and for moments so near the ends of the calendar (9999-12-31) that a search window
    cannot be added to them or they cannot be stored."""
    raw = raw.strip()
    # An unencoded '+' of the offset arrives as a space in a query string.
    raw = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw)
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            if day is None:
                return None
            moment = datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())
        if not timezone.is_aware(moment):
            return None
        in_utc = moment.astimezone(UTC)  # OverflowError beyond the calendar's ends
    except (ValueError, OverflowError):
        return None
    return moment if _FIRST <= in_utc <= _LAST else None


def window(start_raw: str, end_raw: str, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The spec's search window: at most 90 days, the most recent 90 days by default."""
    now = now or timezone.now()
    errors: list[tuple[int, str]] = []
    start = end = None
    if start_raw and (start := parse_w3(start_raw)) is None:
        errors.append(
            (400, _("start_date is not a W3C date-time with a time zone, e.g. 2010-01-01T00:00:00Z."))
        )
    if end_raw and (end := parse_w3(end_raw)) is None:
        errors.append(
            (400, _("end_date is not a W3C date-time with a time zone, e.g. 2010-01-01T00:00:00Z."))
        )
    if errors:
        raise Open311Error(400, errors)
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise Open311Error.one(400, _("end_date is before start_date."))
    if end - start > WINDOW:
        raise Open311Error.one(400, _("start_date and end_date may not span more than 90 days."))
    return start, end


def _csv(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def public_appeals() -> Any:
    """The appeals the Open311 interface shows (see the module's decisions)."""
    return Appeal.objects.filter(channel=Channel.OPEN311, concerns_unit__isnull=True)


_FIELDS = (
    "pk", "number", "state", "title", "body", "received_at", "deadline", "address", "latitude", "longitude",
    "master_id", "category__code", "category__name", "lead_unit__name", "open311__media_url",
)  # fmt: skip


def find_requests(params: Mapping[str, str]) -> list[dict[str, Any]]:
    """GET requests: by service_request_id (which overrides the rest), or by window, service and status."""
    queryset = public_appeals()
    ids = _csv(params.get("service_request_id", ""))
    if ids:
        if len(ids) > MAX_RESULTS:
            raise Open311Error.one(
                400, _("Ask for at most %(n)d service_request_id at once.") % {"n": MAX_RESULTS}
            )
        queryset = queryset.filter(number__in=ids)
    else:
        start, end = window(params.get("start_date", ""), params.get("end_date", ""))
        queryset = queryset.filter(received_at__gte=start, received_at__lte=end)
        statuses = _csv(params.get("status", "").lower())
        if any(s not in ("open", "closed") for s in statuses):
            raise Open311Error.one(400, _("status must be open or closed (comma separated)."))
        if set(statuses) == {"open"}:
            queryset = queryset.exclude(state__in=CLOSED_STATES)
        elif set(statuses) == {"closed"}:
            queryset = queryset.filter(state__in=CLOSED_STATES)
        codes = _csv(params.get("service_code", ""))
        if codes:
            queryset = queryset.filter(
                category_id__in=list(Category.objects.filter(code__in=codes).values_list("pk", flat=True))
            )
    rows = list(queryset.order_by("-received_at", "-pk").values(*_FIELDS)[:MAX_RESULTS])
    return _present(rows)


def find_request(number: str) -> dict[str, Any]:
    rows = list(public_appeals().filter(number=number.strip()).values(*_FIELDS)[:1])
    if not rows:
        raise Open311Error.one(404, _("Service request %(id)s was not found.") % {"id": number.strip()[:40]})
    return _present(rows)[0]


def _latest_replies(appeal_ids: Iterable[int]) -> dict[int, str]:
    """The last reply each appeal's citizen received (sent), by appeal."""
    replies: dict[int, str] = {}
    sent = Reply.objects.filter(appeal_id__in=list(appeal_ids), state=ReplyState.SENT)
    for appeal_id, body in sent.order_by("appeal_id", "sent_at", "pk").values_list("appeal_id", "body"):
        replies[appeal_id] = body
    return replies


def _present(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [row["pk"] for row in rows]
    masters = {row["master_id"] for row in rows if row["state"] == State.MERGED and row["master_id"]}
    replies = _latest_replies([*ids, *masters])
    updated = dict(
        AppealEvent.objects.filter(appeal_id__in=ids, kind__in=PUBLIC_EVENTS)
        .values("appeal_id")
        .annotate(last=Max("at"))
        .values_list("appeal_id", "last")
    )
    rejected = [row["pk"] for row in rows if row["state"] == State.REJECTED]
    reasons: dict[int, str] = {}
    if rejected:
        refusals = AppealEvent.objects.filter(appeal_id__in=rejected, kind=EventKind.REJECTED)
        reasons = dict(refusals.values_list("appeal_id", "note"))
    result = []
    tz = timezone.get_current_timezone()  # once, not per field: 1,000 rows make it count
    notices = {state: str(label) for state, label in State.choices}
    for row in rows:
        state = row["state"]
        if state in (State.REPLIED, State.CLOSED):
            notes = replies.get(row["pk"])
        elif state == State.REJECTED:
            notes = reasons.get(row["pk"])
        elif state == State.MERGED:
            notes = replies.get(row["master_id"]) or _("Merged into another request about the same problem.")
        else:
            notes = None
        result.append(
            {
                "service_request_id": row["number"],
                "status": status_of(state),
                "status_notes": mask_text(notes) if notes else None,
                "service_name": row["category__name"],
                "service_code": row["category__code"],
                "description": mask_text(row["body"]),
                "agency_responsible": row["lead_unit__name"],
                "service_notice": notices[state],
                "requested_datetime": w3(row["received_at"], tz),
                "updated_datetime": w3(updated.get(row["pk"]) or row["received_at"], tz),
                "expected_datetime": w3(row["deadline"], tz) if state not in CLOSED_STATES else None,
                "address": mask_address(row["address"]) or None,
                "lat": _coarse(row["latitude"]),
                "long": _coarse(row["longitude"]),
                "media_url": row["open311__media_url"] or None,
            }
        )
    return result


def _coarse(value: Decimal | None) -> float | None:
    return float(round(value, 3)) if value is not None else None


# --- GET servicerequestupdates (the FixMyStreet extension) ------------------------------------

#: What each public event means for the request's status (FixMyStreet's states, upper case).
UPDATE_STATUS = {
    EventKind.RECEIVED: "OPEN",
    EventKind.DISPATCHED: "IN_PROGRESS",
    EventKind.ACCEPTED: "IN_PROGRESS",
    EventKind.EXTENSION_APPROVED: "IN_PROGRESS",
    EventKind.PAUSED: "IN_PROGRESS",
    EventKind.RESUMED: "IN_PROGRESS",
    EventKind.REPLIED: "CLOSED",
    EventKind.REOPENED: "OPEN",
    EventKind.CLOSED: "CLOSED",
    EventKind.REJECTED: "CLOSED",
    EventKind.MERGED: "DUPLICATE",
}


def find_updates(params: Mapping[str, str]) -> list[dict[str, Any]]:
    """The public steps of Open311 appeals in the window (at most 1,000, oldest first)."""
    start, end = window(params.get("start_date", ""), params.get("end_date", ""))
    events = list(
        AppealEvent.objects.filter(
            at__gte=start,
            at__lte=end,
            kind__in=list(UPDATE_STATUS),
            appeal__in=public_appeals().filter(received_at__lte=end),
        )
        .order_by("at", "pk")
        .values("pk", "kind", "at", "note", "data", "unit__name", "appeal__number")[:MAX_RESULTS]
    )
    reply_ids = [e["data"].get("reply") for e in events if e["kind"] == EventKind.REPLIED]
    bodies = dict(Reply.objects.filter(pk__in=[r for r in reply_ids if r]).values_list("pk", "body"))
    updates = []
    for event in events:
        kind = event["kind"]
        if kind == EventKind.MERGED and "master" not in event["data"]:
            continue  # the master's side of a merge says nothing about its own status
        if kind == EventKind.REPLIED:
            text = bodies.get(event["data"].get("reply"), "")
        elif kind == EventKind.REJECTED:
            text = event["note"]
        elif kind == EventKind.DISPATCHED and event["unit__name"]:
            text = _("Handed to %(unit)s.") % {"unit": event["unit__name"]}
        else:
            text = str(EventKind(kind).label)
        updates.append(
            {
                "update_id": str(event["pk"]),
                "service_request_id": event["appeal__number"],
                "status": UPDATE_STATUS[EventKind(kind)],
                "updated_datetime": w3(event["at"]),
                "description": mask_text(text),
                "media_url": None,
            }
        )
    return updates
