"""Follow-up verdicts (kpi.models.Verdict): which unit's answer each follow-up judged.

A follow-up judges the latest reply sent before it. The unit judged is the one whose lead
assignment that reply finished (``appeals.rules._send`` stamps both with the same moment), else the
reply's own unit (an appeal no unit held, answered by a rectification item). ``refresh`` recomputes
the rows of some appeals (called on every write of a follow-up, signals.py); ``rebuild`` recomputes
them all in one pass over the tables (``manage.py kpi rebuild``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import groupby, islice
from typing import Any

from django.db import transaction

from minyi.appeals.choices import AssignmentRole, AssignmentState, ReplyState
from minyi.appeals.models import Assignment, Followup, Reply
from minyi.bulk import copy_rows
from minyi.kpi import summary
from minyi.kpi.models import Verdict

#: (follow-up id, appeal id, at, result), (appeal id, sent at, unit id), (appeal id, finished at, id, unit id)
FollowupRow = tuple[int, int, datetime, str]
ReplyRow = tuple[int, datetime, int]
AnswerRow = tuple[int, datetime, int, int]


def _followups() -> Any:
    return Followup.objects.order_by("appeal_id", "at", "id").values_list("pk", "appeal_id", "at", "result")


def _replies() -> Any:
    return (
        Reply.objects.filter(state=ReplyState.SENT, sent_at__isnull=False)
        .order_by("appeal_id", "sent_at", "id")
        .values_list("appeal_id", "sent_at", "unit_id")
    )


def _answers() -> Any:
    return (
        Assignment.objects.filter(
            role=AssignmentRole.LEAD, state=AssignmentState.DONE, finished_at__isnull=False
        )
        .order_by("appeal_id")
        .values_list("appeal_id", "finished_at", "pk", "unit_id")
    )


def judge(followups: list[FollowupRow], replies: list[ReplyRow], answers: list[AnswerRow]) -> list[Verdict]:
    """The verdicts of one appeal's follow-ups (in order), given its sent replies (in order) and the
    lead assignments its replies finished."""
    finished = {finished_at: (pk, unit_id) for _appeal, finished_at, pk, unit_id in answers}
    rows = []
    for i, (pk, appeal_id, at, result) in enumerate(followups):
        judged = [(sent_at, unit_id) for _appeal, sent_at, unit_id in replies if sent_at <= at]
        assignment_id: int | None = None
        unit_id: int | None = None
        sent_at: datetime | None = None
        if judged:
            sent_at, unit_id = judged[-1]
            if (answer := finished.get(sent_at)) is not None:
                assignment_id, unit_id = answer
        rows.append(
            Verdict(
                followup_id=pk,
                appeal_id=appeal_id,
                unit_id=unit_id,
                assignment_id=assignment_id,
                answered_at=sent_at,
                at=at,
                result=result,
                next_at=followups[i + 1][2] if i + 1 < len(followups) else None,
            )
        )
    return rows


def refresh(appeal_ids: Iterable[int]) -> int:
    """Recompute the verdicts of these appeals from their records; mark the days they count on (before
    and after) for the summary; return how many verdicts they have now."""
    ids = sorted(set(appeal_ids))
    if not ids:
        return 0
    followups = {a: list(rows) for a, rows in groupby(_followups().filter(appeal_id__in=ids), lambda r: r[1])}
    replies = {a: list(rows) for a, rows in groupby(_replies().filter(appeal_id__in=ids), lambda r: r[0])}
    answers = {a: list(rows) for a, rows in groupby(_answers().filter(appeal_id__in=ids), lambda r: r[0])}
    rows = [v for a, f in followups.items() for v in judge(f, replies.get(a, []), answers.get(a, []))]
    with transaction.atomic():
        old = list(Verdict.objects.filter(appeal_id__in=ids))
        Verdict.objects.filter(appeal_id__in=ids).delete()
        Verdict.objects.bulk_create(rows, batch_size=1000)
        summary.touch_verdicts([*old, *rows])
    return len(rows)


def _by_appeal(rows: Iterable[Any], position: int) -> Iterator[tuple[int, list[Any]]]:
    for appeal_id, group in groupby(rows, lambda r: r[position]):
        yield appeal_id, list(group)


FIELDS = ["followup_id", "appeal_id", "unit_id", "assignment_id", "answered_at", "at", "result", "next_at"]


def _stream(batch: int) -> Iterator[tuple[Any, ...]]:
    """Every verdict, from one pass over follow-ups, replies and answers (all in appeal order)."""
    replies = _by_appeal(_replies().iterator(chunk_size=batch), 0)
    answers = _by_appeal(_answers().iterator(chunk_size=batch), 0)
    reply_at: tuple[int, list[Any]] | None = next(replies, None)
    answer_at: tuple[int, list[Any]] | None = next(answers, None)
    for appeal_id, followups in _by_appeal(_followups().iterator(chunk_size=batch), 1):
        while reply_at is not None and reply_at[0] < appeal_id:
            reply_at = next(replies, None)
        while answer_at is not None and answer_at[0] < appeal_id:
            answer_at = next(answers, None)
        mine_replies = reply_at[1] if reply_at is not None and reply_at[0] == appeal_id else []
        mine_answers = answer_at[1] if answer_at is not None and answer_at[0] == appeal_id else []
        for v in judge(followups, mine_replies, mine_answers):
            yield tuple(getattr(v, name) for name in FIELDS)


def rebuild(batch: int = 20_000) -> int:
    """Recompute every verdict (``manage.py kpi rebuild``), loaded in bulk (COPY on PostgreSQL) a batch
    at a time — between two fetches of the tables read, which share the connection."""
    total = 0
    with transaction.atomic():
        Verdict.objects.all().delete()
        rows = _stream(batch)
        while chunk := list(islice(rows, batch)):
            total += copy_rows(Verdict, FIELDS, chunk)
    return total
