"""Supervision notices (督办单): one notice to the unit that must answer for a late or important appeal or
rectification item, with its escalation level and the unit's answer.

Notices are written only by the functions in rules.py; whether an answer is late is derived from the
dates (``Notice.late`` and ``NoticeQuerySet.late``), never stored.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal
from minyi.dates import local_day, local_today
from minyi.ledger.models import Issue
from minyi.org.models import Unit
from minyi.supervision.choices import AnswerStatus, Level


class NoticeQuerySet(models.QuerySet["Notice"]):
    def unanswered(self) -> NoticeQuerySet:
        return self.filter(answered_at__isnull=True)

    def late(self, today: dt.date | None = None) -> NoticeQuerySet:
        """Answered after the answer date, or not answered and the answer date has passed."""
        today = today or local_today()
        answered_day = TruncDate("answered_at", tzinfo=timezone.get_default_timezone())
        return self.alias(answered_day=answered_day).filter(
            Q(answered_at__isnull=True, answer_by__lt=today)
            | Q(answered_at__isnull=False, answered_day__gt=F("answer_by"))
        )


class Notice(models.Model):
    """A supervision notice (督办单) about exactly one appeal or one rectification item, to the unit that
    must answer it. ``deadline`` is the target's deadline when the notice was issued (for an item, the
    end of its deadline day): an extension gives a new deadline that may escalate afresh, while the
    sweep's ``dedupe_key`` makes sure that re-running it never issues the same notice twice."""

    appeal = models.ForeignKey(
        Appeal,
        verbose_name=_("appeal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supervision_notices",
    )
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supervision_notices",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit to answer"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("notice level"), max_length=20, choices=Level.choices)
    text = models.TextField(_("notice"))
    deadline = models.DateTimeField(_("deadline of the work"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the deadline sweep issued it."),
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    answer_by = models.DateField(_("answer by"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    briefed_at = models.DateTimeField(_("named in the briefing"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True, editable=False)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(appeal__isnull=False, issue__isnull=True)
                | Q(appeal__isnull=True, issue__isnull=False),
                name="supervision_notice_one_target",
            )
        ]
        indexes = [
            models.Index(fields=["unit", "-issued_at", "-id"], name="supervision_unit_issued"),
            models.Index(fields=["-issued_at", "-id"], name="supervision_issued"),
            models.Index(fields=["level", "answer_by"], name="supervision_level_answer_by"),
            # The sweep names each late red notice once: few rows are still to be named at any time.
            models.Index(
                fields=["level", "answer_by"],
                name="supervision_to_brief",
                condition=Q(briefed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} → {self.unit_id} ({self.issued_at:%Y-%m-%d})"

    @property
    def target(self) -> Appeal | Issue:
        """The appeal or the rectification item the notice is about."""
        target = self.appeal if self.appeal_id is not None else self.issue
        assert target is not None  # the check constraint guarantees one of them
        return target

    def answer_status(self, today: dt.date | None = None) -> AnswerStatus:
        """Waiting, not answered by the answer date, answered on time, or answered late."""
        if self.answered_at is not None:
            return AnswerStatus.LATE if local_day(self.answered_at) > self.answer_by else AnswerStatus.ON_TIME
        return AnswerStatus.OVERDUE if (today or local_today()) > self.answer_by else AnswerStatus.WAITING

    @property
    def late(self) -> bool:
        """Answered after the answer date, or still unanswered with the answer date passed."""
        return self.answer_status() in (AnswerStatus.LATE, AnswerStatus.OVERDUE)
