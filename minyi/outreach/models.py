"""Outreach (走访): pairings of leaders and cadres with places, visits, and the difficulties found."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal, Category
from minyi.ledger.models import Campaign
from minyi.org.models import Household, Person, Unit
from minyi.outreach.choices import Checklist, PairingState, PlaceKind, PlanPeriod

NOTE_MAX = 200
DIARY_MAX = 4000
DIFFICULTY_MAX = 1000
CHECKLIST_LABEL_MAX = 40


class Pairing(models.Model):
    """A leader or cadre paired with a village, an enterprise or a household (挂钩联系), with a plan."""

    person = models.ForeignKey(
        Person, verbose_name=_("leader or cadre"), on_delete=models.PROTECT, related_name="pairings"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("village or enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
    )
    visits_planned = models.PositiveSmallIntegerField(_("visits planned"), default=1)
    period = models.CharField(_("per"), max_length=10, choices=PlanPeriod.choices, default=PlanPeriod.MONTH)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=PairingState.choices, default=PairingState.ACTIVE
    )
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["person__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, household__isnull=True)
                | models.Q(unit__isnull=True, household__isnull=False),
                name="outreach_pairing_one_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.household or self.unit}"


class Visit(models.Model):
    """One visit (走访) by a leader or cadre to a household, a village or an enterprise, with the
    five-ones checklist (五个一) and the diary entry (民情日记).

    ``village`` is set for household and village visits, ``township`` for every visit (the parent of
    the village or enterprise), so coverage counts distinct villages and households per township with
    indexed aggregates instead of walking the tree."""

    #: The id a phone gave the visit when it was recorded offline, so a record synced twice counts once.
    uid = models.UUIDField(_("offline record id"), unique=True, null=True, blank=True, editable=False)
    visitor = models.ForeignKey(
        Person, verbose_name=_("visitor"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("date of the visit"))
    place_kind = models.CharField(_("place"), max_length=12, choices=PlaceKind.choices)
    village = models.ForeignKey(
        Unit,
        verbose_name=_("village / community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="village_visits",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    enterprise = models.ForeignKey(
        Unit,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprise_visits",
    )
    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    contact_card = models.BooleanField(_("contact card left"), default=False)
    contact_card_note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    urgent_matter = models.BooleanField(_("one urgent matter handled"), default=False)
    urgent_matter_note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    diary = models.BooleanField(_("diary entry written"), default=False)
    diary_text = models.TextField(_("diary (民情日记)"), max_length=DIARY_MAX, blank=True)
    assistance_plan = models.BooleanField(_("village assistance plan"), default=False)
    assistance_plan_note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    review_session = models.BooleanField(_("review session held"), default=False)
    review_session_note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        permissions = [("view_coverage", _("Can see visit coverage"))]
        indexes = [
            models.Index(fields=["visited_on"], name="outreach_visit_date"),
            models.Index(fields=["village", "visited_on"], name="outreach_visit_village"),
            models.Index(fields=["household", "visited_on"], name="outreach_visit_household"),
            models.Index(fields=["township", "visited_on"], name="outreach_visit_township"),
            models.Index(fields=["visitor", "visited_on"], name="outreach_visit_visitor"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.place}"

    @property
    def place(self) -> Household | Unit | None:
        return self.household or self.enterprise or self.village

    @property
    def place_unit(self) -> Unit | None:
        """The unit whose scope the visit lies in (the village, or the enterprise)."""
        return self.enterprise or self.village


class Difficulty(models.Model):
    """A difficulty found on a visit; it becomes an appeal (channel ``visit``) in one click.

    ``handled_on_spot`` with ``resolution`` records that the visitor solved it there and then."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="difficulties"
    )
    text = models.TextField(_("difficulty"), max_length=DIFFICULTY_MAX)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_on_spot = models.BooleanField(_("handled on the spot"), default=False)
    resolution = models.CharField(_("how it was handled"), max_length=NOTE_MAX, blank=True)
    appeal = models.OneToOneField(
        Appeal,
        verbose_name=_("appeal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_difficulty",
    )

    class Meta:
        verbose_name = _("difficulty")
        verbose_name_plural = _("difficulties")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class CampaignChecklist(models.Model):
    """The words a campaign uses for the five slots of the visit checklist (五个一), set by the office;
    an empty word is the default (``choices.Checklist``). Visits keep their ticks in the same five
    fields whatever the words, so renaming a campaign's list renames it on its past visits too."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="visit_checklist"
    )
    contact_card = models.CharField(Checklist.CONTACT_CARD.label, max_length=CHECKLIST_LABEL_MAX, blank=True)
    urgent_matter = models.CharField(
        Checklist.URGENT_MATTER.label, max_length=CHECKLIST_LABEL_MAX, blank=True
    )
    diary = models.CharField(Checklist.DIARY.label, max_length=CHECKLIST_LABEL_MAX, blank=True)
    assistance_plan = models.CharField(
        Checklist.ASSISTANCE_PLAN.label, max_length=CHECKLIST_LABEL_MAX, blank=True
    )
    review_session = models.CharField(
        Checklist.REVIEW_SESSION.label, max_length=CHECKLIST_LABEL_MAX, blank=True
    )

    class Meta:
        verbose_name = _("visit checklist of a campaign")
        verbose_name_plural = _("visit checklists of campaigns")

    def __str__(self) -> str:
        return str(self.campaign)

    def labels(self) -> dict[str, str]:
        """The word of each slot: the campaign's own, or the default."""
        return {item.value: getattr(self, item.value).strip() or str(item.label) for item in Checklist}


def checklist_labels(campaign: Campaign | None) -> dict[str, str]:
    """The words of the five slots for visits of ``campaign`` (the defaults without a campaign or
    without words of its own)."""
    found = CampaignChecklist.objects.filter(campaign=campaign).first() if campaign is not None else None
    if found is None:
        return {item.value: str(item.label) for item in Checklist}
    return found.labels()
