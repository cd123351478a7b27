"""The insight app's tables.

- ``ClassifierVersion``: the model registry. Each trained model is a versioned file under
  ``var/models/`` with its metadata (training size, date, cross-validated metrics); exactly one is
  active, and an admin can activate an older one again (rollback).
- ``InsightSettings``: one row; the auto-dispatch threshold an admin sets.
- ``Suggestion``: what the active model said about an appeal when it arrived (top 3 categories with
  confidence, the words that weighed most); read by the dispatch screen and compared with the human's
  choice when the appeal is dispatched.
- ``Label``: a dispatcher's confirmation or correction of an appeal's category: what the next
  ``manage.py insight train`` learns from.
- ``DuplicateHint``: an earlier appeal a new one likely repeats (same person, or same problem at the
  same place), found when the appeal arrives, so the inbox can mark it without searching per row.
- ``DuplicateDismissal``: a dispatcher's "not a duplicate" for a pair: never hinted again, and learnt from.
- ``HotspotRun`` and ``HotspotCluster``: a hotspot board computed for a period, and its clusters; a
  cluster can become a ledger issue.
- ``GazetteerPlace``: places the admin adds to the district's gazetteer (estates, roads, landmarks …),
  beside the unit tree and the addresses of the appeals: where a hotspot is comes only from these.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal, Category


class ClassifierVersion(models.Model):
    """A trained appeal classifier: its file under var/models/ and what was measured when it was made."""

    version = models.CharField(_("version"), max_length=80, unique=True)
    file = models.CharField(_("file"), max_length=255)
    design = models.CharField(_("design"), max_length=60, blank=True)
    trained_at = models.DateTimeField(_("trained"))
    training_rows = models.PositiveIntegerField(_("labelled rows"))
    sources = models.CharField(_("trained from"), max_length=200, blank=True)
    #: The model file's metadata: classes, cross-validated metrics (macro_f1, accuracy, accuracy_at_half).
    metadata = models.JSONField(default=dict)
    is_active = models.BooleanField(_("active"), default=False)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("classifier version")
        verbose_name_plural = _("classifier versions")
        ordering = ["-trained_at", "-id"]
        permissions = [("manage_classifier", "Can train, activate and configure the appeal classifier")]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="insight_one_active_model"
            )
        ]

    def __str__(self) -> str:
        return self.version


class InsightSettings(models.Model):
    """The deployment's insight settings (one row, pk=1)."""

    #: Auto-dispatch an appeal when the first suggestion's confidence is at least this; None: never.
    auto_dispatch_threshold = models.FloatField(_("auto-dispatch threshold"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("insight settings")
        verbose_name_plural = _("insight settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> InsightSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class Suggestion(models.Model):
    """The active model's suggestion for an appeal, made once when it arrived."""

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, primary_key=True, related_name="+")
    model = models.ForeignKey(ClassifierVersion, on_delete=models.SET_NULL, null=True, related_name="+")
    #: [[label, confidence], …] best first (labels as the model learnt them: level-1 names or paths).
    top = models.JSONField(default=list)
    #: [[word, weight], …]: the words that weighed most for the first suggestion.
    why = models.JSONField(default=list)
    confidence = models.FloatField()
    auto_dispatched = models.BooleanField(default=False)
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.top[:1]}"


class Label(models.Model):
    """A human's word on an appeal's category, taken when they dispatched it (the latest one counts)."""

    class Source(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed the suggestion")
        CORRECTED = "corrected", _("corrected the suggestion")
        UNSUGGESTED = "unsuggested", _("chosen without a suggestion")

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, primary_key=True, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    #: The category as the model learns it (level-1 name or path), fixed when the label was taken.
    label = models.CharField(max_length=200)
    predicted = models.CharField(max_length=200, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    model = models.ForeignKey(ClassifierVersion, on_delete=models.SET_NULL, null=True, related_name="+")
    source = models.CharField(max_length=20, choices=Source.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("category label")
        verbose_name_plural = _("category labels")
        indexes = [models.Index(fields=["model", "source"], name="insight_label_model_source")]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.label}"


class DuplicateHint(models.Model):
    """An earlier appeal that ``appeal`` likely repeats."""

    class Reason(models.TextChoices):
        SAME_PERSON = "same_person", _("the same person again")
        SAME_PLACE = "same_place", _("the same problem at the same place")
        SAME_TEXT = "same_text", _("nearly the same text")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    earlier = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    score = models.FloatField()
    #: Why (``minyi.insight.duplicates.Verdict.why``): the places and words both use, same village/person.
    why = models.JSONField(default=dict, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["appeal", "earlier"], name="insight_duplicate_pair")]

    def __str__(self) -> str:
        return f"{self.appeal_id} ~ {self.earlier_id} ({self.reason})"


class DuplicateDismissal(models.Model):
    """A dispatcher's "not a duplicate" for a pair: the pair is never hinted again, and the words it
    shared weigh less in later decisions (docs/duplicates.md)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    earlier = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=DuplicateHint.Reason.choices)
    score = models.FloatField()
    #: The words of the problem the pair shared when it was hinted: what the decision learns from.
    shared_words = models.JSONField(default=list, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed duplicate hint")
        verbose_name_plural = _("dismissed duplicate hints")
        ordering = ["-dismissed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["appeal", "earlier"], name="insight_dismissed_pair")]
        indexes = [models.Index(fields=["earlier"], name="insight_dismissed_earlier")]

    def __str__(self) -> str:
        return f"{self.appeal_id} ≁ {self.earlier_id}"


class HotspotRun(models.Model):
    """A hotspot board computed over the appeals received in a period (by the worker)."""

    class State(models.TextChoices):
        PENDING = "pending", _("being computed")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    appeals_read = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("hotspot board")
        verbose_name_plural = _("hotspot boards")
        ordering = ["-requested_at", "-id"]
        permissions = [("view_hotspots", "Can see the hotspot board")]

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on}"


class HotspotCluster(models.Model):
    """One hotspot of a run: appeals about one problem, with its heat index."""

    run = models.ForeignKey(HotspotRun, on_delete=models.CASCADE, related_name="clusters")
    rank = models.PositiveIntegerField()
    heat = models.FloatField()
    title = models.CharField(max_length=200)
    place = models.CharField(max_length=200, blank=True)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    size = models.PositiveIntegerField()
    people = models.PositiveIntegerField()
    likes = models.PositiveIntegerField(default=0)
    # Spread over many villages with no place most of its appeals share (shown as 全区, district-wide).
    district_wide = models.BooleanField(default=False)
    # The villages and communities its appeals name, the most named first (when it spans two or more).
    villages = models.JSONField(default=list, blank=True)
    appeals = models.ManyToManyField(Appeal, related_name="+")
    issue = models.ForeignKey(
        "ledger.Issue", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "rank"], name="insight_cluster_rank")]

    def __str__(self) -> str:
        return self.title

    @property
    def place_shown(self) -> str:
        """Where it is, as the board says it: 全区 (district-wide), its place, or ''."""
        return str(_("District-wide")) if self.district_wide else self.place


class GazetteerPlace(models.Model):
    """A place of the district that the unit tree does not hold (an estate, a road, a market, a school):
    a hotspot whose appeals name it is shown at it."""

    class Kind(models.TextChoices):
        ESTATE = "estate", _("Estate / residential area")
        ROAD = "road", _("Road / street")
        OTHER = "other", _("Other place (market, school, park …)")

    name = models.CharField(_("name"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ESTATE)
    township = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("township / street"),
        limit_choices_to={"kind": "township"},
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("gazetteer place")
        verbose_name_plural = _("gazetteer places")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
