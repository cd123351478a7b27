"""The KPI app's tables: each follow-up with the answer it judged (回访归属, verdicts.py), and the
daily counts per unit the ranking adds up (summary.py), with the days a write made stale.

A follow-up row says only which appeal it is about; the unit it judges is the one whose answer came
just before it, and the appeal's own ``lead_unit`` is cleared by a reopen (重办). Finding that answer
at read time means joining every follow-up of a year to the replies, which is too slow at a million
appeals; so it is found once, when the follow-up is written (signals.py → verdicts.refresh), and
never changes afterwards. ``manage.py kpi rebuild`` recomputes every row from the records (after a
bulk load that bypassed the rules, such as the benchmark volume).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.appeals.choices import Satisfaction
from minyi.appeals.models import Appeal, Assignment, Followup
from minyi.org.models import Unit


class Verdict(models.Model):
    """One follow-up, the unit whose answer it judged and when that answer was sent.

    ``assignment`` is the lead assignment the answer finished (None when a rectification item answered
    an appeal no unit held); ``next_at`` is when the appeal's next follow-up came, so "the latest
    follow-up per appeal in a period" is one condition on this row."""

    followup = models.OneToOneField(Followup, on_delete=models.CASCADE, primary_key=True, related_name="+")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, related_name="+", db_index=False)
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, null=True, related_name="+")
    answered_at = models.DateTimeField(null=True)
    at = models.DateTimeField()
    result = models.CharField(max_length=20, choices=Satisfaction.choices)
    next_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("follow-up verdict")
        verbose_name_plural = _("follow-up verdicts")
        # The app's permission lives here (an app needs a model to hold one); no add/change/delete:
        # the rows are derived data.
        default_permissions = ()
        permissions = [("view_ranking", _("Can see the unit KPIs and ranking"))]
        indexes = [
            models.Index(fields=["at"], name="kpi_verdict_at"),
            models.Index(fields=["answered_at"], name="kpi_verdict_answered"),
            models.Index(
                fields=["next_at"], name="kpi_verdict_next", condition=models.Q(next_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.result} → {self.unit_id}"


class DailyCount(models.Model):
    """How many records of one side of one rate (``key``, e.g. "on_time.numerator") a unit had on one
    local day: the summary the ranking adds up, so that a year is some thousand rows, not millions.

    Written only by summary.py, which recomputes a day from the records whenever a write marked it
    stale (StaleDay), before any figure is read."""

    day = models.DateField()
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=40)
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("daily KPI count")
        verbose_name_plural = _("daily KPI counts")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["day", "unit", "key"], name="kpi_dailycount_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.key}={self.n}"


class StaleDay(models.Model):
    """A day whose counts on one date field a write may have changed: recomputed before the next
    figures are read.

    Writers only insert (so they never wait for each other); the reader that recomputes a day
    deletes the marks it has seen."""

    window = models.CharField(max_length=40)  # the date field, e.g. "assignment.dispatched_at"
    day = models.DateField()

    class Meta:
        verbose_name = _("day to recount")
        verbose_name_plural = _("days to recount")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.window} {self.day}"
