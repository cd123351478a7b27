"""Social assistance (社会救助统筹联动): a case per household in need, one part per type of help, each
part handed to the unit that delivers it and tracked to delivery with evidence."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal
from minyi.assistance.choices import AssistanceType, CaseState, PartState
from minyi.ledger.models import Campaign
from minyi.org.models import Household, Person, Unit
from minyi.outreach.models import Difficulty

NOTE_MAX = 500
SERVICE_MAX = 200
DEFAULT_REPEAT_DAYS = 365
DEFAULT_STALE_DAYS = 30


class Coordination(models.Model):
    """Which unit coordinates assistance (民政局 in the demo) and the periods of its two warnings.

    One row is used (the first); with none, nobody coordinates and the pages say so."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("coordinating unit"), on_delete=models.PROTECT, related_name="+"
    )
    repeat_days = models.PositiveSmallIntegerField(
        _("warn of a repeated type within (days)"),
        default=DEFAULT_REPEAT_DAYS,
        validators=[MinValueValidator(1)],
    )
    stale_days = models.PositiveSmallIntegerField(
        _("warn when nothing was delivered for (days)"),
        default=DEFAULT_STALE_DAYS,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("assistance coordination")
        verbose_name_plural = _("assistance coordination")

    def __str__(self) -> str:
        return str(self.unit)


class DeliveryRoute(models.Model):
    """A unit that delivers one type of assistance (e.g. education → the education bureau); a part is
    handed only along an active route."""

    type = models.CharField(_("type of assistance"), max_length=20, choices=AssistanceType.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("delivering unit"), on_delete=models.PROTECT, related_name="assistance_routes"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("delivery route")
        verbose_name_plural = _("delivery routes")
        ordering = ["type", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["type", "unit"], name="assistance_route_unique")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} → {self.unit}"


class EligibilityItem(models.Model):
    """One question of a type's eligibility checklist, as the office words it."""

    type = models.CharField(_("type of assistance"), max_length=20, choices=AssistanceType.choices)
    text = models.CharField(_("question"), max_length=200)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("eligibility item")
        verbose_name_plural = _("eligibility items")
        ordering = ["type", "sort", "id"]

    def __str__(self) -> str:
        return self.text


class Case(models.Model):
    """One household's request for help, opened from a help request (an appeal) or a difficulty found
    on a visit, or directly by the coordinator. ``township`` is the village's parent, kept for counts."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="assistance_cases"
    )
    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    coordinator = models.ForeignKey(
        Unit, verbose_name=_("coordinating unit"), on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_cases",
    )
    source_appeal = models.ForeignKey(
        Appeal,
        verbose_name=_("from appeal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_cases",
    )
    source_difficulty = models.ForeignKey(
        Difficulty,
        verbose_name=_("from a difficulty found on a visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_cases",
    )
    note = models.TextField(_("what the household needs"), max_length=NOTE_MAX, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("assistance case")
        verbose_name_plural = _("assistance cases")
        ordering = ["-opened_at", "-id"]
        permissions = [
            ("open_case", _("Can open an assistance case for a household")),
            ("coordinate", _("Can coordinate assistance (in the coordinating unit)")),
            ("deliver", _("Can deliver assistance handed to the unit")),
        ]
        indexes = [
            models.Index(fields=["state", "opened_at"], name="assistance_case_state"),
            models.Index(fields=["household", "opened_at"], name="assistance_case_household"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.household.code}"


class CasePart(models.Model):
    """One type of help of a case, handed to one delivering unit and followed to delivery."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parts")
    type = models.CharField(_("type of assistance"), max_length=20, choices=AssistanceType.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("delivering unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_parts",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PartState.choices, default=PartState.REQUESTED
    )
    handed_at = models.DateTimeField(_("handed out"), null=True, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed out by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    repeat_confirmed = models.BooleanField(_("repeat confirmed by the coordinator"), default=False)
    delivered_on = models.DateField(_("first delivered on"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=SERVICE_MAX, blank=True)

    class Meta:
        verbose_name = _("part of a case")
        verbose_name_plural = _("parts of cases")
        ordering = ["case", "type"]
        constraints = [models.UniqueConstraint(fields=["case", "type"], name="assistance_part_one_type")]
        indexes = [models.Index(fields=["unit", "state"], name="assistance_part_unit_state")]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_type_display()}"


class EligibilityAnswer(models.Model):
    """The answer to one eligibility question for one case, as the coordinator recorded it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="eligibility")
    item = models.ForeignKey(EligibilityItem, on_delete=models.PROTECT, related_name="answers")
    met = models.BooleanField(_("met"))
    note = models.CharField(_("note"), max_length=SERVICE_MAX, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("eligibility answer")
        verbose_name_plural = _("eligibility answers")
        ordering = ["item__type", "item__sort", "item_id"]
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="assistance_answer_once")]

    def __str__(self) -> str:
        return f"{self.item}: {self.met}"


class Delivery(models.Model):
    """What a unit gave for one part (an amount, a service, or both), on which day, by whom, with an
    evidence file (photo or PDF, checked by content)."""

    part = models.ForeignKey(
        CasePart, verbose_name=_("part of a case"), on_delete=models.CASCADE, related_name="deliveries"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    service = models.CharField(_("service given"), max_length=SERVICE_MAX, blank=True)
    delivered_on = models.DateField(_("date delivered"))
    delivered_by = models.ForeignKey(
        Person, verbose_name=_("delivered by"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("evidence"), upload_to="assistance/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["delivered_on", "id"]

    def __str__(self) -> str:
        return f"{self.part} {self.delivered_on}"
