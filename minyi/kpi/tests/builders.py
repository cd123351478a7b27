"""Appeals walked through the real rule functions to the point a KPI test needs, and the one helper
that moves their timestamps afterwards.

The rules stamp every step with "now", so a test that needs a step in another period (last month,
after a deadline) moves the stamps on the rows once the rules have run — the same rows the rules
wrote, at other times. Moving a stamp bypasses the rules, so ``shift`` then does what a data repair
must do: recompute the appeal's follow-up verdicts and mark the days it counted on, before and
after, for the daily summary (kpi.summary.touch_appeals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Model
from django.utils import timezone

from minyi.appeals import rules
from minyi.appeals.choices import AssignmentRole, FollowupBy
from minyi.appeals.models import Appeal, Assignment, Followup, Reply
from minyi.appeals.tests.factories import new_appeal
from minyi.kpi import summary, verdicts
from minyi.kpi.metrics import Period
from minyi.ledger import rules as ledger
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign, Issue
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.rules import create_person
from minyi.testing import Actors

#: A period of the last thirty days up to today, whatever day the tests run.
TODAY = timezone.localdate()
PERIOD = Period(TODAY - timedelta(days=30), TODAY)
#: Far enough back to lie outside PERIOD.
LONG_AGO = timedelta(days=60)


@dataclass
class Staff:
    """Who works an appeal in a unit: the handler who accepts and drafts, the head who approves."""

    unit: Unit
    handler: User
    head: User


def housing_head(actors: Actors) -> User:
    """A unit head of 住建局 (the named actors have a head only for 教育局)."""
    return person(actors, "head_housing", actors.housing, Role.UNIT_HEAD)


def lead(appeal: Appeal) -> Assignment:
    """The appeal's newest lead assignment."""
    return appeal.assignments.filter(role=AssignmentRole.LEAD).order_by("-dispatched_at", "-id").first()  # type: ignore[return-value]


def dispatch(
    actors: Actors, staff: Staff, appeal: Appeal | None = None, *, by: User | None = None, **fields: Any
) -> Appeal:
    """A new appeal (or ``appeal``) handed to the staff's unit by the dispatcher (or ``by``)."""
    appeal = appeal or new_appeal(actors, **fields)
    return rules.dispatch(appeal, lead=staff.unit, actor=by or actors.dispatcher)


def accept(appeal: Appeal, staff: Staff) -> Appeal:
    rules.accept(lead(appeal), actor=staff.handler)
    appeal.refresh_from_db()
    return appeal


def answer(
    actors: Actors, staff: Staff, appeal: Appeal | None = None, *, by: User | None = None, **fields: Any
) -> Appeal:
    """Dispatched to the staff's unit (again, if ``appeal`` is given), accepted, answered."""
    appeal = accept(dispatch(actors, staff, appeal, by=by, **fields), staff)
    reply = rules.draft_reply(appeal, actor=staff.handler, body="已派人现场处理，问题已解决。")
    rules.approve_reply(reply, actor=staff.head)
    appeal.refresh_from_db()
    return appeal


def follow_up(actors: Actors, appeal: Appeal, result: str, *, online: bool = False) -> Appeal:
    """The operator's follow-up call (or, ``online``, the citizen's own rating on the tracking page)."""
    if online:
        rules.follow_up(appeal, result=result, by=FollowupBy.CITIZEN)
    else:
        rules.follow_up(appeal, result=result, by=FollowupBy.CALL, actor=actors.operator)
    appeal.refresh_from_db()
    return appeal


def person(actors: Actors, username: str, unit: Unit, role: str) -> User:
    """One more login, for a role or unit the named actors lack."""
    made = create_person(name=username, unit=unit, role=role, username=username, actor=None)
    assert made.user is not None
    return made.user


def ledger_items(actors: Actors) -> dict[str, Issue]:
    """Four items led by 教育局: due in PERIOD and signed off, due in PERIOD and open, signed off but
    due before PERIOD, due after PERIOD. Deadlines are dates the office sets; they are placed after
    the rules ran (the rules refuse deadlines in the past)."""
    campaign = Campaign.objects.create(
        code="QZLX", name="群众路线教育实践活动", starts_on=TODAY - timedelta(days=365), ends_on=TODAY
    )

    def item(title: str) -> Issue:
        return ledger.create_issue(
            campaign=campaign, title=title, track=Track.FIX_NOW, lead_unit=actors.edu, leader=actors.leader,
            deadline=TODAY + timedelta(days=10), actor=actors.dispatcher,
        )  # fmt: skip

    items = {
        "done": item("路灯"),
        "open": item("校车"),
        "done_early": item("食堂"),
        "due_later": item("操场"),
    }
    for name in ("done", "done_early"):
        ledger.submit_for_signoff(items[name], actor=actors.handler_edu, evidence="更换路灯3盏，附照片")
        ledger.agree_signoff(items[name], actor=actors.head_edu)
        ledger.decide_signoff(items[name], actor=actors.leader, approve=True)
    for name in ("done", "open"):
        shift(items[name], deadline=TODAY - timedelta(days=3))
    shift(items["done_early"], deadline=PERIOD.first - timedelta(days=1))
    return items


def shift(row: Model, **fields: Any) -> None:
    """Set timestamps on a row the rules wrote (an UPDATE, as a clock set back would have stamped it),
    then bring the KPI tables up to date as a data repair must."""
    appeal_id = row.pk if isinstance(row, Appeal) else getattr(row, "appeal_id", None)
    if appeal_id is not None:
        summary.touch_appeals([appeal_id])  # the days it counted on before…
    type(row)._default_manager.filter(pk=row.pk).update(**fields)
    if appeal_id is not None:
        verdicts.refresh([appeal_id])
        summary.touch_appeals([appeal_id])  # …and after


def moved(appeal: Appeal, by: timedelta) -> None:
    """Move the appeal's whole history ``by`` into the past (reception, assignments, replies,
    follow-ups), then recompute its follow-up verdicts."""
    shift(appeal, received_at=appeal.received_at - by)
    for a in Assignment.objects.filter(appeal=appeal):
        shift(
            a,
            dispatched_at=a.dispatched_at - by,
            return_by=a.return_by - by,
            deadline=a.deadline - by,
            accepted_at=a.accepted_at - by if a.accepted_at else None,
            finished_at=a.finished_at - by if a.finished_at else None,
            returned_at=a.returned_at - by if a.returned_at else None,
        )
    for r in Reply.objects.filter(appeal=appeal):
        shift(r, sent_at=r.sent_at - by if r.sent_at else None)
    for f in Followup.objects.filter(appeal=appeal):
        shift(f, at=f.at - by)
