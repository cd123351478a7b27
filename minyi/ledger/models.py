"""The rectification ledger (整改台账): campaigns, issues with their track, and sign-off."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal
from minyi.ledger.choices import EventKind, IssueSource, IssueState, Track
from minyi.org.models import Unit, code_validator


class Campaign(models.Model):
    """A time-boxed programme (活动) that scopes issues, and appeals by their received date."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name


class Quantity(models.Model):
    """A measured amount of work (e.g. 11 of 11 km of river dredged) that an item or a step may carry;
    its progress derives from it (ledger.rules.progress, report_quantity)."""

    quantity_label = models.CharField(
        _("what is measured"), max_length=50, blank=True, help_text=_("e.g. 疏浚 (river dredged)")
    )
    quantity_total = models.DecimalField(
        _("planned quantity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    quantity_done = models.DecimalField(
        _("quantity done"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    quantity_unit = models.CharField(
        _("unit of quantity"), max_length=20, blank=True, help_text=_("e.g. 公里, 户, 个")
    )

    class Meta:
        abstract = True


class Issue(Quantity):
    """A problem many appeals (or an inspection) point to, run as a rectification item to sign-off.

    ``converted_reason`` is set when a fix-in-campaign item became long-term work (转常态)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="issues"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    # The track it was planned on: the ledger counts a converted item under it ("6 became long-term").
    original_track = models.CharField(_("planned track"), max_length=20, choices=Track.choices)
    state = models.CharField(_("state"), max_length=20, choices=IssueState.choices, default=IssueState.OPEN)
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(Unit, verbose_name=_("co-handling units"), blank=True, related_name="+")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervising leader"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    appeals = models.ManyToManyField(Appeal, verbose_name=_("appeals"), blank=True, related_name="issues")
    source = models.CharField(
        _("source"), max_length=20, choices=IssueSource.choices, default=IssueSource.OWN
    )
    finding_ref = models.CharField(
        _("inspection notice"), max_length=100, blank=True, help_text=_("e.g. 督导组通报第3期")
    )
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separated by commas."))
    converted_reason = models.TextField(_("why it became long-term work"), blank=True)
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["campaign", "track", "state"], name="ledger_issue_campaign_track"),
            models.Index(fields=["lead_unit", "state"], name="ledger_issue_unit_state"),
            models.Index(fields=["leader", "state"], name="ledger_issue_leader_state"),
            models.Index(fields=["deadline", "id"], name="ledger_issue_deadline"),  # the ledger's order
        ]

    def __str__(self) -> str:
        return self.title


class SignOff(models.Model):
    """One request to sign an item off (销号): evidence from the unit, the unit head's agreement, and
    the supervising leader's decision (approved, or rejected with a reason back to work)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="signoffs")
    evidence = models.TextField(_("evidence"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["submitted_at", "id"]
        indexes = [  # the sign-off register, newest first
            models.Index(
                fields=["-decided_at", "-id"],
                name="ledger_signoff_register",
                condition=models.Q(approved=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.approved}"


class Milestone(Quantity):
    """A dated step of a long-term item's plan (节点), reported done with evidence."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    owner = models.ForeignKey(Unit, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """A report of what was done on an item so far (进展报告), with evidence files."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("progress"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["reported_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class IssueFile(models.Model):
    """An evidence file (photo or PDF) of a progress report, a sign-off request or a finished step."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="files")
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    signoff = models.ForeignKey(
        SignOff, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    file = models.FileField(upload_to="ledger/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class IssueEvent(models.Model):
    """One step of an item's timeline: each report, decision, plan change and notice (written only
    by ledger.rules.log_event, which the ledger's and supervision's rules call)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["issue", "at"], name="ledger_event_timeline")]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.kind}"
