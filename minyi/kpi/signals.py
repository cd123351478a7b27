"""Keeps the KPI tables exact on every write (connected in apps.py):

- a follow-up written → its appeal's verdicts recomputed (verdicts.refresh);
- an appeal or a lead assignment written → the days its records count on marked stale for the daily
  summary (summary.touch_*), recomputed before the next figures are read.

Every rule of the loop that changes an appeal's state or lead unit saves the appeal (``_save`` in
appeals.rules), including those that change its assignments in bulk (an answer marks them done with
one UPDATE, which sends no signal); that save is what marks the days.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from minyi.appeals.models import Appeal, Assignment, Followup
from minyi.kpi import summary, verdicts

#: Appeal fields whose change can move a count (the rest — text, place, deadline — cannot).
COUNTED_FIELDS = frozenset({"state", "lead_unit", "received_at"})


def _followup_written(sender: type[Followup], instance: Followup, raw: bool = False, **_kw: Any) -> None:
    if raw:  # loading fixtures: the rows are what the fixture says
        return
    verdicts.refresh([instance.appeal_id])


def _appeal_saved(
    sender: type[Appeal],
    instance: Appeal,
    created: bool = False,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **_kw: Any,
) -> None:
    if raw or (created and instance.lead_unit_id is None):  # a new appeal counts for no unit yet
        return
    if update_fields is not None and not update_fields & COUNTED_FIELDS:
        return
    summary.touch_appeals([instance.pk])


def _appeal_deleted(sender: type[Appeal], instance: Appeal, **_kw: Any) -> None:
    summary.touch([(summary.RECEIVED, instance.received_at)])


def _assignment_written(
    sender: type[Assignment], instance: Assignment, raw: bool = False, **_kw: Any
) -> None:
    if raw:
        return
    summary.touch_assignment(instance)


def connect() -> None:
    post_save.connect(_followup_written, sender=Followup, dispatch_uid="kpi.followup_saved")
    post_delete.connect(_followup_written, sender=Followup, dispatch_uid="kpi.followup_deleted")
    post_save.connect(_appeal_saved, sender=Appeal, dispatch_uid="kpi.appeal_saved")
    post_delete.connect(_appeal_deleted, sender=Appeal, dispatch_uid="kpi.appeal_deleted")
    post_save.connect(_assignment_written, sender=Assignment, dispatch_uid="kpi.assignment_saved")
    post_delete.connect(_assignment_written, sender=Assignment, dispatch_uid="kpi.assignment_deleted")
