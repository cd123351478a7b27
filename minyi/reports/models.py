"""The bulletin's records: who gets it every week (the worker sends it; see jobs.py), how the office heads
and sends it (the masthead), and its numbered issues (第 N 期, counted per year)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.ledger.models import Campaign
from minyi.org.models import Person, Unit


class BulletinSubscription(models.Model):
    """A leader who receives the campaign bulletin every Monday: a notice linking to the page, and
    the text by e-mail when they have an address."""

    person = models.ForeignKey(
        Person, verbose_name=_("leader"), on_delete=models.CASCADE, related_name="bulletin_subscriptions"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="bulletin_subscriptions"
    )
    is_active = models.BooleanField(_("active"), default=True)
    #: The ISO week (e.g. 2026-W48) it was last sent: at most once a week, however often the job runs.
    last_sent_week = models.CharField(max_length=10, blank=True, editable=False)

    class Meta:
        verbose_name = _("weekly bulletin recipient")
        verbose_name_plural = _("weekly bulletin recipients")
        permissions = [
            ("view_reports", _("Can read the dashboards and the campaign bulletin")),
            ("manage_bulletin", _("Can choose who receives the weekly bulletin")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "campaign"], name="reports_subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.campaign}"


class AppealDayCount(models.Model):
    """How many appeals one unit's dashboard counts on one local day, by one dimension's value
    (channel, kind, level-1 category or township): the summary the dashboards add up, so that a year
    of a million appeals is some tens of thousands of rows.

    ``unit`` is None for the whole district; otherwise an appeal counts for its township and for its
    lead unit and the lead unit's parents below the district. Written only by summary.py, which
    recomputes a day from the records whenever a write marked it stale, before any figure is read."""

    day = models.DateField()
    unit = models.ForeignKey(Unit, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    dim = models.CharField(max_length=10)
    value = models.CharField(max_length=32)
    n = models.PositiveIntegerField()

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["unit", "dim", "day"], name="reports_daycount_unit_dim_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.dim}={self.value}: {self.n}"


class StaleAppealDay(models.Model):
    """A day whose dashboard counts a write may have changed (``day`` None: every day, after a bulk
    load). Writers only insert; the reader that recounts deletes the marks it has seen."""

    day = models.DateField(null=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.day or '*'}"


class Boundary(models.Model):
    """The outline of one township or village (a GeoJSON Polygon or MultiPolygon geometry, lon/lat)
    that the dashboard map draws; an admin's upload replaces the whole set at once (geo.py)."""

    unit = models.OneToOneField(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    geometry = models.JSONField(_("geometry"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("map boundary")
        verbose_name_plural = _("map boundaries")
        default_permissions = ("view",)
        permissions = [("manage_boundaries", _("Can upload the map boundaries"))]

    def __str__(self) -> str:
        return str(self.unit)


class ExportJob(models.Model):
    """One Excel export a user asked for: small ones are written at once, large ones by the worker,
    which counts its progress here; the file (under var/exports/) is the owner's alone to download."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting for the worker")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("export"), max_length=40)
    params = models.JSONField(_("filters"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("Excel export")
        verbose_name_plural = _("Excel exports")
        default_permissions = ("view",)
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="reports_export_created")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0


class BulletinMasthead(models.Model):
    """How the office heads and sends its bulletin: the issuing office and the distribution block
    (报 / 送 / 发) printed at its foot. One row, kept in the admin (``current`` gives it)."""

    office = models.CharField(_("issuing office"), max_length=100)
    report_to = models.CharField(_("reported to (报)"), max_length=300, blank=True)
    copy_to = models.CharField(_("copied to (送)"), max_length=300, blank=True)
    send_to = models.CharField(_("sent to (发)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bulletin masthead")
        verbose_name_plural = _("bulletin masthead")

    def __str__(self) -> str:
        return self.office


class BulletinIssue(models.Model):
    """One numbered issue of the office's bulletin (第 N 期): numbers count from 1 each year per office,
    and the same campaign, unit and period keep the number they were given (reports/rules.py)."""

    office = models.CharField(_("issuing office"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("issue number"))
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("bulletin issue")
        verbose_name_plural = _("bulletin issues")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "number"], name="reports_issue_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year} #{self.number}"
