"""Role models to learn from (对标学): the library of role models, their materials (compilations of
deeds, films, picture exhibitions), where each material was shown, and the study activities that learn
from a role model.

Rows change only through the functions of rules.py; the figures (showings, audience, activities
linked) are computed from these rows, never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minyi.exemplars.choices import Level, MaterialKind
from minyi.org.models import Unit
from minyi.study.models import Activity


class Exemplar(models.Model):
    """A role model (典型): a national or provincial figure, a local one, or someone close to home such
    as a village mediator; ``place`` says where they work or worked, as people say it."""

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    known_for = models.CharField(_("known for"), max_length=200)
    biography = models.TextField(_("short biography"), blank=True)
    place = models.CharField(_("unit or place"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role model")
        verbose_name_plural = _("role models")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["name", "place"], name="exemplars_exemplar_once")]
        permissions = [("manage", _("Can keep the library of role models"))]

    def __str__(self) -> str:
        return self.name


class ExemplarMaterial(models.Model):
    """A material about a role model: a compilation of deeds (事迹汇编), a documentary film (专题片), a
    picture exhibition (图片展) …, with how many copies or sets exist."""

    exemplar = models.ForeignKey(
        Exemplar, verbose_name=_("role model"), on_delete=models.PROTECT, related_name="materials"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    copies = models.PositiveIntegerField(_("copies or sets"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("role-model material")
        verbose_name_plural = _("role-model materials")
        ordering = ["exemplar_id", "kind", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(copies__gt=0), name="exemplars_material_copies_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Showing(models.Model):
    """One showing of a material (a film screened, an exhibition put up): where, on which day, and to
    how many people. ``unit`` places it in the organisation tree when known."""

    material = models.ForeignKey(
        ExemplarMaterial, verbose_name=_("material"), on_delete=models.PROTECT, related_name="showings"
    )
    place = models.CharField(_("where"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplar_showings",
    )
    shown_on = models.DateField(_("shown on"))
    audience = models.PositiveIntegerField(_("audience"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("showing")
        verbose_name_plural = _("showings")
        ordering = ["-shown_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(audience__gte=0), name="exemplars_showing_audience"),
        ]
        indexes = [models.Index(fields=["shown_on"], name="exemplars_showing_day")]

    def __str__(self) -> str:
        return f"{self.material} @ {self.place} {self.shown_on:%Y-%m-%d}"


class ActivityExemplar(models.Model):
    """A study activity that learns from a role model (kept here so the study app needs no change)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("study activity"), on_delete=models.CASCADE, related_name="exemplar_links"
    )
    exemplar = models.ForeignKey(
        Exemplar, verbose_name=_("role model"), on_delete=models.PROTECT, related_name="activity_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        verbose_name = _("role model of a study activity")
        verbose_name_plural = _("role models of study activities")
        ordering = ["activity_id", "exemplar__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "exemplar"], name="exemplars_activity_link_once"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} ← {self.exemplar}"
