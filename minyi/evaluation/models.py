"""Evaluation forms (民主评议表): criteria and a scale set by the office, rated anonymously by the public.

Anonymous by construction (背靠背), see rules.py for the whole argument: an answer (``Response`` with its
``Score`` rows) stores no user, no code, no address and no time, and has a random UUID key so that its
key says nothing about when it was stored; the one-time code (``AnswerCode``) keeps only a keyed hash
and a "used" flag; a written comment becomes an appeal linked to the form and unit (``FormComment``),
never to the answer.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal
from minyi.evaluation.choices import FormState, Source
from minyi.ledger.models import Campaign
from minyi.org.models import Unit

TITLE_MAX = 100
CRITERION_MAX = 200
LABEL_MAX = 20
COMMENT_MAX = 2000


class EvaluationForm(models.Model):
    """One evaluation form: which units are rated, on which criteria, on which scale, and when.

    Each answer rates one or more of the form's units on every criterion; results are counted per unit
    and criterion. ``scale_labels`` names the values from ``scale_min`` up (may be empty: numbers only).
    """

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    instructions = models.TextField(_("instructions"), max_length=1000, blank=True)
    units = models.ManyToManyField(Unit, verbose_name=_("units evaluated"), related_name="evaluation_forms")
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=5)
    scale_labels = models.JSONField(_("names of the scores"), default=list, blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    state = models.CharField(_("state"), max_length=10, choices=FormState.choices, default=FormState.DRAFT)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_forms",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation form")
        verbose_name_plural = _("evaluation forms")
        ordering = ["-opens_on", "-id"]
        permissions = [
            ("view_results", _("Can see evaluation results")),
            ("import_answers", _("Can import paper evaluation forms")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_min__lt=models.F("scale_max")), name="evaluation_scale_order"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_on__lte=models.F("closes_on")), name="evaluation_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scale(self) -> list[tuple[int, str]]:
        """(value, label) from the lowest score up; the label is the number when the office named none."""
        labels = list(self.scale_labels or [])
        return [
            (value, labels[index] if index < len(labels) and labels[index] else str(value))
            for index, value in enumerate(range(self.scale_min, self.scale_max + 1))
        ]


class Criterion(models.Model):
    """One criterion of a form (e.g. 工作作风), rated on the form's scale; ``position`` orders them."""

    form = models.ForeignKey(
        EvaluationForm, verbose_name=_("evaluation form"), on_delete=models.CASCADE, related_name="criteria"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("criterion"), max_length=CRITERION_MAX)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "position"], name="evaluation_criterion_position")
        ]

    def __str__(self) -> str:
        return self.text


class AnswerCode(models.Model):
    """A one-time code handed out on paper. Only its keyed hash is kept, and whether it was used: no
    time of use and no link to the answer it allowed."""

    form = models.ForeignKey(
        EvaluationForm, verbose_name=_("evaluation form"), on_delete=models.CASCADE, related_name="codes"
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    used = models.BooleanField(_("used"), default=False)

    class Meta:
        verbose_name = _("answer code")
        verbose_name_plural = _("answer codes")

    def __str__(self) -> str:
        return f"{self.form_id}:{self.code_hash[:8]}…"


class Response(models.Model):
    """One anonymous answer to a form. No user, code, address or time: the random key does not even
    tell the order in which answers came."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(
        EvaluationForm, verbose_name=_("evaluation form"), on_delete=models.PROTECT, related_name="responses"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return str(self.form)


class Score(models.Model):
    """The score an answer gave one unit on one criterion."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        Response, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="scores"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    value = models.SmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["response", "unit", "criterion"], name="evaluation_score_once")
        ]
        indexes = [models.Index(fields=["criterion", "unit"], name="evaluation_score_cell")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.criterion_id}: {self.value}"


class FormComment(models.Model):
    """A written comment of an answer, made into an appeal (channel ``evaluation``). It names the form
    and the unit it is about, never the answer it came with."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(
        EvaluationForm, verbose_name=_("evaluation form"), on_delete=models.PROTECT, related_name="comments"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    appeal = models.OneToOneField(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="evaluation_comment"
    )

    class Meta:
        verbose_name = _("evaluation comment")
        verbose_name_plural = _("evaluation comments")

    def __str__(self) -> str:
        return f"{self.form} · {self.unit}"
