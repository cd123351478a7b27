"""Generated volume for benchmarks: hundreds of thousands to millions of consistent appeals, loaded
with COPY (minyi.bulk), across the demo district, in every state of the loop.

The rows are what the rule functions would have written (an assignment per dispatched appeal, the
received/dispatched/replied events, sent replies, echo-wall entries for a share of the closed ones),
without running them one by one: a million appeals load in minutes, not hours.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from minyi.appeals.choices import (
    AssignmentRole,
    AssignmentState,
    Channel,
    EventKind,
    Kind,
    ReplyState,
    State,
    Urgency,
)
from minyi.appeals.models import Appeal, AppealEvent, Assignment, Category, Reply
from minyi.appeals.rules import hash_query_code
from minyi.appeals.synthetic import make_text
from minyi.bulk import copy_rows, next_id, reset_sequence
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Person, Unit

#: The query code of every generated appeal (benchmarks only; real appeals each get their own).
BENCH_QUERY_CODE = "BENCH234"

#: Share of appeals by state; the working states are the most recent ones, as in real life.
STATE_SHARES = [
    (State.RECEIVED, 0.05),
    (State.DISPATCHED, 0.05),
    (State.IN_PROGRESS, 0.15),
    (State.REPLIED, 0.15),
    (State.CLOSED, 0.58),
    (State.REJECTED, 0.02),
]
APPEAL_FIELDS = [
    "id",
    "number",
    "query_code_hash",
    "channel",
    "kind",
    "urgency",
    "title",
    "body",
    "category_id",
    "township_id",
    "village_id",
    "address",
    "citizen_name",
    "citizen_phone",
    "citizen_email",
    "concerns_unit_id",
    "supporters",
    "state",
    "lead_unit_id",
    "deadline",
    "deadline_provisional",
    "paused_at",
    "master_id",
    "reject_reason",
    "received_at",
    "recorded_at",
    "recorded_by_id",
    "replied_at",
    "closed_at",
    "external_ref",
    "version",
]
ASSIGNMENT_FIELDS = [
    "appeal_id",
    "unit_id",
    "role",
    "state",
    "instructions",
    "dispatched_at",
    "dispatched_by_id",
    "return_by",
    "deadline",
    "deadline_provisional",
    "accepted_at",
    "returned_at",
    "return_reason",
    "finished_at",
]
EVENT_FIELDS = ["appeal_id", "kind", "at", "actor_id", "unit_id", "note", "data"]
REPLY_FIELDS = [
    "id",
    "appeal_id",
    "unit_id",
    "body",
    "publish",
    "state",
    "drafted_by_id",
    "drafted_at",
    "decided_by_id",
    "decided_at",
    "decision_note",
    "sent_at",
]


def _pick_state(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for state, share in STATE_SHARES:
        total += share
        if roll < total:
            return state
    return State.CLOSED


def generate(n: int, *, seed: int = 20261129, published_share: float = 0.1) -> dict[str, Any]:
    """Load ``n`` appeals (with assignments, events, replies and echo entries) into the demo district."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    villages = list(Unit.objects.filter(kind__in=RESIDENTIAL_KINDS).select_related("parent"))
    departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT))
    categories = {c.name: c for c in Category.objects.filter(level=1).select_related("default_unit")}
    dispatcher = Person.objects.filter(role=Role.DISPATCHER, user__isnull=False).values_list(
        "user_id", flat=True
    )
    handler_user = User.objects.filter(person__role=Role.HANDLER).values_list("id", flat=True).first()
    if not villages or not departments or not dispatcher or handler_user is None:
        raise RuntimeError("load the demo district first (manage.py seed_demo)")
    dispatcher_id = dispatcher[0]
    code_hash = hash_query_code(BENCH_QUERY_CODE)
    first_appeal, first_reply = next_id(Appeal), next_id(Reply)
    assignments: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    replies: list[tuple[Any, ...]] = []
    published: list[tuple[int, int, str, str, str, str, int | None, int | None, datetime, datetime]] = []
    channels, kinds = list(Channel.values), list(Kind.values)

    def appeals() -> Iterator[tuple[Any, ...]]:
        reply_id = first_reply
        for i in range(n):
            pk = first_appeal + i
            village = rng.choice(villages)
            text = make_text(rng, village.name)
            category = categories.get(text.category)
            state = _pick_state(rng)
            recent = state in (State.RECEIVED, State.DISPATCHED, State.IN_PROGRESS)
            age = timedelta(days=rng.uniform(0, 20 if recent else 365))
            received = now - age
            lead = (category.default_unit if category else None) or rng.choice(departments)
            dispatched = state not in (State.RECEIVED, State.REJECTED)
            dispatched_at = received + timedelta(hours=rng.uniform(1, 20))
            deadline = dispatched_at + timedelta(days=7)
            replied = state in (State.REPLIED, State.CLOSED)
            replied_at = dispatched_at + timedelta(days=rng.uniform(1, 9)) if replied else None
            closed_at = replied_at + timedelta(days=2) if state == State.CLOSED and replied_at else None
            if state == State.REJECTED:
                closed_at = received + timedelta(hours=5)
            number = f"{timezone.localtime(received):%Y%m%d}{pk:08d}"
            working = state in (State.DISPATCHED, State.IN_PROGRESS)
            events.append((pk, EventKind.RECEIVED, received, None, None, "", "{}"))
            if dispatched:
                accepted = state != State.DISPATCHED
                held = AssignmentState.ACCEPTED if accepted else AssignmentState.PENDING
                assignments.append(
                    (
                        pk,
                        lead.pk,
                        AssignmentRole.LEAD,
                        AssignmentState.DONE if replied else held,
                        "",
                        dispatched_at,
                        dispatcher_id,
                        dispatched_at + timedelta(days=2),
                        deadline,
                        False,
                        dispatched_at + timedelta(hours=3) if accepted else None,
                        None,
                        "",
                        replied_at,
                    )
                )
                events.append((pk, EventKind.DISPATCHED, dispatched_at, dispatcher_id, lead.pk, "", "{}"))
            if replied and replied_at is not None:
                publish = state == State.CLOSED and rng.random() < published_share / 0.58
                replies.append(
                    (
                        reply_id,
                        pk,
                        lead.pk,
                        text.reply,
                        publish,
                        ReplyState.SENT,
                        handler_user,
                        replied_at,
                        handler_user,
                        replied_at,
                        "",
                        replied_at,
                    )
                )
                events.append((pk, EventKind.REPLIED, replied_at, handler_user, lead.pk, "", "{}"))
                if publish:
                    published.append(
                        (
                            pk,
                            reply_id,
                            number,
                            text.title,
                            text.body,
                            text.reply,
                            category.pk if category else None,
                            village.parent_id,
                            received,
                            replied_at,
                        )
                    )
                    published_names[pk] = lead.name
                reply_id += 1
            yield (
                pk,
                number,
                code_hash,
                rng.choice(channels),
                rng.choice(kinds),
                Urgency.URGENT if rng.random() < 0.05 else Urgency.ORDINARY,
                text.title,
                text.body,
                category.pk if category else None,
                village.parent_id,
                village.pk,
                "",
                "",
                "",
                "",
                None,
                rng.randint(0, 30),
                state,
                lead.pk if dispatched else None,
                deadline if working else None,
                False,
                None,
                None,
                "out_of_scope" if state == State.REJECTED else "",
                received,
                received,
                None,
                replied_at,
                closed_at,
                "",
                1,
            )

    published_names: dict[int, str] = {}
    with transaction.atomic():
        loaded = copy_rows(Appeal, APPEAL_FIELDS, appeals())
        copy_rows(Assignment, ASSIGNMENT_FIELDS, assignments)
        copy_rows(Reply, REPLY_FIELDS, replies)
        copy_rows(AppealEvent, EVENT_FIELDS, events)
        echo_count = _publish(published, published_names)
        for model in (Appeal, Reply):
            reset_sequence(model)
    return {
        "appeals": loaded,
        "assignments": len(assignments),
        "replies": len(replies),
        "events": len(events),
        "echo_entries": echo_count,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _publish(
    rows: list[tuple[int, int, str, str, str, str, int | None, int | None, datetime, datetime]],
    unit_names: dict[int, str],
) -> int:
    """Echo-wall entries of the generated published replies (synthetic texts hold no personal data)."""
    from minyi.appeals.echo import search_text
    from minyi.appeals.models_echo import EchoEntry

    fields = [
        "appeal_id",
        "reply_id",
        "number",
        "title_masked",
        "question_masked",
        "reply_masked",
        "unit_name",
        "category_id",
        "township_id",
        "received_at",
        "replied_at",
        "published_at",
        "search_text",
    ]
    return copy_rows(
        EchoEntry,
        fields,
        (
            (
                pk,
                reply,
                number,
                title,
                body,
                answer,
                unit_names[pk],
                category,
                township,
                received,
                replied,
                replied,
                search_text(title, body, answer),
            )
            for pk, reply, number, title, body, answer, category, township, received, replied in rows
        ),
    )
