"""Symposia (座谈会): a meeting held to hear a group, and the opinions heard there, each an appeal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal
from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.symposia.choices import Group

TITLE_MAX = 100
HOST_NAME_MAX = 50
PLACE_MAX = 100
MINUTES_MAX = 20000
SPEAKER_MAX = 50  # the appeal's citizen_name holds it


class Symposium(models.Model):
    """One symposium: when, who hosted it, whom it heard and how many came, with its minutes.

    ``host`` decides who sees it (the host unit's scope); ``township``/``village`` say where it was
    held and go to the appeals its opinions become."""

    held_on = models.DateField(_("date held"))
    title = models.CharField(_("theme"), max_length=TITLE_MAX)
    host = models.ForeignKey(
        Unit, verbose_name=_("host unit"), on_delete=models.PROTECT, related_name="symposia_hosted"
    )
    host_name = models.CharField(_("chaired by"), max_length=HOST_NAME_MAX, blank=True)
    place = models.CharField(_("place"), max_length=PLACE_MAX, blank=True)
    group = models.CharField(_("participants"), max_length=20, choices=Group.choices)
    attendees = models.PositiveIntegerField(_("attendees"))
    minutes = models.TextField(_("minutes"), max_length=MINUTES_MAX, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="symposia",
    )
    township = models.ForeignKey(
        Unit,
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="symposia_held",
    )
    village = models.ForeignKey(
        Unit,
        verbose_name=_("village / community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Empty for symposia the system loaded (the demo); every page and command records its user.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("symposium")
        verbose_name_plural = _("symposia")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["held_on"], name="symposia_date"),
            models.Index(fields=["host", "held_on"], name="symposia_host_date"),
            models.Index(fields=["township", "held_on"], name="symposia_township_date"),
            models.Index(fields=["campaign", "held_on"], name="symposia_campaign_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attendees__gte=1), name="symposia_attendees_at_least_one"
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Opinion(models.Model):
    """One opinion heard at a symposium; it is an appeal (channel ``symposium``) from the start.

    ``speaker`` is kept only when typed: speakers at a symposium speak openly, but naming them is
    the recorder's choice. It is copied to the appeal's citizen name."""

    symposium = models.ForeignKey(
        Symposium, verbose_name=_("symposium"), on_delete=models.PROTECT, related_name="opinions"
    )
    appeal = models.OneToOneField(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="symposium_opinion"
    )
    speaker = models.CharField(_("speaker"), max_length=SPEAKER_MAX, blank=True)

    class Meta:
        verbose_name = _("symposium opinion")
        verbose_name_plural = _("symposium opinions")
        ordering = ["symposium", "id"]

    def __str__(self) -> str:
        return f"{self.symposium_id} · {self.appeal_id}"
