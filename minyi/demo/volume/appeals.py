"""Generated volume for benchmarks: hundreds of thousands to millions of consistent appeals, loaded
with COPY (minyi.bulk), across the demo district, in every state of the loop.

The rows are what the rule functions would have written (an assignment per dispatched appeal, the
received/dispatched/replied events, sent replies, echo-wall entries for a share of the closed ones),
without running them one by one: a million appeals load in minutes, not hours.

The history behind the KPIs (minyi.kpi) comes from a second random stream, so the rows above stay what
they were for a given seed: first dispatches to a wrong unit that returned them (退回), answers the
citizen rejected at follow-up before the appeal was handled again (重办), and the follow-ups that closed
most answered appeals (回访). Rows loaded here bypass the rules, so the KPI app is told to rebuild
its tables before its next figures.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterator, Sequence
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
    FollowupBy,
    Kind,
    ReplyState,
    Satisfaction,
    State,
    Urgency,
)
from minyi.appeals.echo import search_text
from minyi.appeals.models import Appeal, AppealEvent, Assignment, Category, EchoEntry, Followup, Reply
from minyi.appeals.rules import hash_query_code
from minyi.appeals.words import index_words
from minyi.bulk import copy_rows, next_id, reset_sequence
from minyi.dates import local_day
from minyi.demo.synthetic import make_text
from minyi.kpi import summary as kpi_summary
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Person, Unit
from minyi.reports import summary as reports_summary

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
    "citizen_wechat",
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
    "search_words",
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
FOLLOWUP_FIELDS = ["appeal_id", "result", "by", "comment", "recorded_by_id", "at"]
#: Of dispatched appeals: first handed to a wrong department, which returned it within its limit.
RETURNED_SHARE = 0.04
#: Of dispatched appeals: an earlier answer was rejected at follow-up and the appeal handled again.
REOPENED_SHARE = 0.06
#: Of closed appeals: closed by a follow-up (the rest closed without one); of those, basically satisfied.
FOLLOWED_UP_SHARE = 0.85
BASIC_SHARE = 0.2
#: How far a reopened appeal's reception moves back, to make room for its first, rejected answer.
REOPEN_ROOM = timedelta(days=10)
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


@functools.lru_cache(maxsize=100_000)
def _search_words(title: str, body: str) -> str:
    """The search words of a generated text (the texts repeat: templates filled with a place's name)."""
    return index_words(title, body)


def _pick_state(rng: random.Random, shares: Sequence[tuple[str, float]] = STATE_SHARES) -> str:
    roll, total = rng.random(), 0.0
    for state, share in shares:
        total += share
        if roll < total:
            return state
    return State.CLOSED


def generate(
    n: int,
    *,
    seed: int = 20261129,
    published_share: float = 0.1,
    states: Sequence[tuple[str, float]] = STATE_SHARES,
    received_at: Callable[[random.Random, str], datetime] | None = None,
    channel: Callable[[random.Random, datetime], str] | None = None,
) -> dict[str, Any]:
    """Load ``n`` appeals (with assignments, events, replies and echo entries) into the demo district.

    By default they are received over the past year in ``states`` (shares), from any channel; a demo
    campaign passes ``received_at(rng, state)`` and ``channel(rng, received)`` to shape its months."""
    started = time.perf_counter()
    rng = random.Random(seed)
    history = random.Random(seed + 1)  # the KPI history: its own stream, so ``rng`` draws as before
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
    followups: list[tuple[Any, ...]] = []
    published: list[tuple[int, int, str, str, str, str, int | None, int | None, datetime, datetime]] = []
    channels, kinds = list(Channel.values), list(Kind.values)
    closed_share = dict(states).get(State.CLOSED) or 1.0  # published_share is of all appeals

    def appeals() -> Iterator[tuple[Any, ...]]:
        reply_id = first_reply
        for i in range(n):
            pk = first_appeal + i
            village = rng.choice(villages)
            text = make_text(rng, village.name)
            category = categories.get(text.category)
            state = _pick_state(rng, states)
            recent = state in (State.RECEIVED, State.DISPATCHED, State.IN_PROGRESS)
            if received_at is None:
                received = now - timedelta(days=rng.uniform(0, 20 if recent else 365))
            else:
                received = received_at(rng, state)
            lead = (category.default_unit if category else None) or rng.choice(departments)
            dispatched = state not in (State.RECEIVED, State.REJECTED)
            roll = history.random()
            reopened_before = dispatched and roll < REOPENED_SHARE
            returned_before = dispatched and REOPENED_SHARE <= roll < REOPENED_SHARE + RETURNED_SHARE
            if reopened_before:
                received -= REOPEN_ROOM
            dispatched_at = received + timedelta(hours=rng.uniform(1, 20))
            if reopened_before:
                dispatched_at += REOPEN_ROOM
            deadline = dispatched_at + timedelta(days=7)
            replied = state in (State.REPLIED, State.CLOSED)
            replied_at = dispatched_at + timedelta(days=rng.uniform(1, 9)) if replied else None
            closed_at = replied_at + timedelta(days=2) if state == State.CLOSED and replied_at else None
            if state == State.REJECTED:
                closed_at = received + timedelta(hours=5)
            number = f"{local_day(received):%Y%m%d}{pk:08d}"
            working = state in (State.DISPATCHED, State.IN_PROGRESS)
            events.append((pk, EventKind.RECEIVED, received, None, None, "", "{}"))
            if returned_before:
                wrong = history.choice([d for d in departments if d.pk != lead.pk] or departments)
                _returned(pk, wrong, received, dispatched_at, dispatcher_id, assignments, events)
            if reopened_before:
                first = lead if history.random() < 0.5 else history.choice(departments)
                _rejected_answer(
                    pk, first, received, reply_id, text.reply, dispatcher_id, handler_user, history,
                    assignments, replies, events, followups,
                )  # fmt: skip
                reply_id += 1
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
                publish = state == State.CLOSED and rng.random() < published_share / closed_share
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
            if state == State.CLOSED and closed_at is not None and history.random() < FOLLOWED_UP_SHARE:
                result = Satisfaction.BASIC if history.random() < BASIC_SHARE else Satisfaction.SATISFIED
                followups.append((pk, result, FollowupBy.CALL, "", dispatcher_id, closed_at))
            yield (
                pk,
                number,
                code_hash,
                channel(rng, received) if channel else rng.choice(channels),
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
                _search_words(text.title, text.body),
            )

    published_names: dict[int, str] = {}
    with transaction.atomic():
        loaded = copy_rows(Appeal, APPEAL_FIELDS, appeals())
        copy_rows(Assignment, ASSIGNMENT_FIELDS, assignments)
        copy_rows(Reply, REPLY_FIELDS, replies)
        copy_rows(Followup, FOLLOWUP_FIELDS, followups)
        copy_rows(AppealEvent, EVENT_FIELDS, events)
        echo_count = _publish(published, published_names)
        for model in (Appeal, Reply):
            reset_sequence(model)
        _tell_kpi()
    return {
        "appeals": loaded,
        "assignments": len(assignments),
        "replies": len(replies),
        "followups": len(followups),
        "events": len(events),
        "echo_entries": echo_count,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _tell_kpi() -> None:
    """The rows went in past the rules: the KPI app rebuilds its follow-up verdicts and daily counts
    before its next figures, and the dashboards their daily appeal counts."""
    kpi_summary.touch_everything()
    reports_summary.touch_everything()


def _returned(
    pk: int,
    wrong: Unit,
    received: datetime,
    dispatched_at: datetime,
    dispatcher_id: int,
    assignments: list[tuple[Any, ...]],
    events: list[tuple[Any, ...]],
) -> None:
    """A first dispatch to a wrong department, returned before the appeal went to its lead unit."""
    gap = dispatched_at - received
    sent, back = received + gap * 0.2, received + gap * 0.6
    assignments.append(
        (pk, wrong.pk, AssignmentRole.LEAD, AssignmentState.RETURNED, "", sent, dispatcher_id,
         sent + timedelta(days=2), sent + timedelta(days=7), False, None, back, "不属于本单位职责", None)
    )  # fmt: skip
    events.append((pk, EventKind.DISPATCHED, sent, dispatcher_id, wrong.pk, "", "{}"))
    events.append((pk, EventKind.RETURNED, back, None, wrong.pk, "不属于本单位职责", "{}"))


def _rejected_answer(
    pk: int,
    unit: Unit,
    received: datetime,
    reply_id: int,
    body: str,
    dispatcher_id: int,
    handler_id: int,
    history: random.Random,
    assignments: list[tuple[Any, ...]],
    replies: list[tuple[Any, ...]],
    events: list[tuple[Any, ...]],
    followups: list[tuple[Any, ...]],
) -> None:
    """A first answer, within REOPEN_ROOM of reception, that the citizen rejected (重办)."""
    sent = received + timedelta(hours=2)
    answered = sent + timedelta(days=history.uniform(1, 6))
    judged = answered + timedelta(days=1)
    assignments.append(
        (pk, unit.pk, AssignmentRole.LEAD, AssignmentState.DONE, "", sent, dispatcher_id,
         sent + timedelta(days=2), sent + timedelta(days=7), False, sent + timedelta(hours=3), None, "",
         answered)
    )  # fmt: skip
    replies.append(
        (reply_id, pk, unit.pk, body, False, ReplyState.SENT, handler_id, answered, handler_id, answered, "",
         answered)
    )  # fmt: skip
    followups.append((pk, Satisfaction.UNSATISFIED, FollowupBy.CALL, "还有问题没解决", dispatcher_id, judged))
    events.append((pk, EventKind.DISPATCHED, sent, dispatcher_id, unit.pk, "", "{}"))
    events.append((pk, EventKind.REPLIED, answered, handler_id, unit.pk, "", "{}"))
    events.append((pk, EventKind.FOLLOWED_UP, judged, dispatcher_id, None, "", "{}"))
    events.append((pk, EventKind.REOPENED, judged, dispatcher_id, None, "", "{}"))


def _publish(
    rows: list[tuple[int, int, str, str, str, str, int | None, int | None, datetime, datetime]],
    unit_names: dict[int, str],
) -> int:
    """Echo-wall entries of the generated published replies (synthetic texts hold no personal data)."""
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
