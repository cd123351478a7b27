"""Small builders for appeal tests (on top of the named actors of minyi.testing)."""

from __future__ import annotations

from typing import Any

from minyi.appeals import rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal, Assignment
from minyi.testing import Actors


def new_appeal(actors: Actors, **fields: Any) -> Appeal:
    """An appeal from the mailbox about the test village, from a citizen who left a phone."""
    values: dict[str, Any] = {
        "channel": Channel.MAILBOX,
        "kind": Kind.COMPLAINT,
        "title": "东村路灯坏了三个月",
        "body": "东村三组村口的路灯坏了三个月，晚上出行很不方便，请尽快修好。",
        "village": actors.village,
        "citizen_name": "王大海",
        "citizen_phone": "13900001111",
    }
    values.update(fields)
    return rules.submit(**values).appeal


def dispatched(actors: Actors, **fields: Any) -> Appeal:
    """An appeal dispatched to 教育局 by the dispatcher."""
    appeal = new_appeal(actors, **fields)
    return rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)


def lead_assignment(appeal: Appeal) -> Assignment:
    return appeal.assignments.get(role="lead", state__in=["pending", "accepted"])


def in_progress(actors: Actors, **fields: Any) -> Appeal:
    appeal = dispatched(actors, **fields)
    rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    appeal.refresh_from_db()
    return appeal


def replied(actors: Actors, **fields: Any) -> Appeal:
    appeal = in_progress(actors, **fields)
    reply = rules.draft_reply(appeal, actor=actors.handler_edu, body="已更换路灯三盏，现已恢复照明。")
    rules.approve_reply(reply, actor=actors.head_edu)
    appeal.refresh_from_db()
    return appeal
