"""Study (学习教育): party branches and their members, study activities with sessions, who attended each
session and how, the materials handed out, and the reminders sent to members left behind (不掉队).

Rows change only through the functions of rules.py; figures (reached, left behind) are computed from
the attendance rows, never stored.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minyi.ledger.models import Campaign
from minyi.org.models import Person, Unit, code_validator
from minyi.study.choices import ActivityKind, AttendanceMode, BranchKind, MaterialKind, VenueKind


class Branch(models.Model):
    """A party branch (党支部): regular, floating (流动, e.g. fishermen at sea) or temporary (临时, per work
    area). ``unit`` places it in the organisation tree for scope; ``party_unit`` ties it to the unit of
    kind party_branch when the tree has one."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=BranchKind.choices, default=BranchKind.REGULAR)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit it works under"), on_delete=models.PROTECT, related_name="study_branches"
    )
    party_unit = models.OneToOneField(
        Unit,
        verbose_name=_("party branch unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="study_branch",
    )
    liaison = models.ForeignKey(
        Person, verbose_name=_("liaison cadre"), on_delete=models.PROTECT, related_name="liaison_branches"
    )
    responsible = models.ForeignKey(
        Person,
        verbose_name=_("responsible member"),
        on_delete=models.PROTECT,
        related_name="responsible_branches",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A party member on a branch roll: home branch, the branch they study with now, and whether they
    are a mobile member (流动党员) working away from home."""

    person = models.OneToOneField(
        Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="membership"
    )
    home_branch = models.ForeignKey(
        Branch, verbose_name=_("home branch"), on_delete=models.PROTECT, related_name="home_members"
    )
    current_branch = models.ForeignKey(
        Branch, verbose_name=_("current branch"), on_delete=models.PROTECT, related_name="current_members"
    )
    mobile = models.BooleanField(_("mobile member"), default=False)
    whereabouts = models.CharField(_("where they work now"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("branch membership")
        verbose_name_plural = _("branch memberships")
        ordering = ["current_branch__code", "person__name", "id"]
        permissions = [("view_study", _("Can see study activities, branches and figures"))]

    def __str__(self) -> str:
        return self.person.name


class Activity(models.Model):
    """A study activity: a lecture tour (巡回宣讲), a special report or lecture (专题报告/辅导讲座), a
    discussion (专题讨论) or a research topic (课题) with its owners and result."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="study_activities"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="study_activities",
    )
    venue_kind = models.CharField(_("venues"), max_length=20, choices=VenueKind.choices, blank=True)
    owners = models.ManyToManyField(Person, verbose_name=_("owners"), blank=True, related_name="study_topics")
    result = models.TextField(_("result"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("study activity")
        verbose_name_plural = _("study activities")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """One session of an activity: when, where (a place or a ship), who speaks on what, which branches
    are invited, and the short check-in code with the window in which it works."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    ship = models.CharField(_("ship"), max_length=100, blank=True)
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    branches = models.ManyToManyField(
        Branch, verbose_name=_("branches invited"), blank=True, related_name="sessions"
    )
    code = models.CharField(_("check-in code"), max_length=6, unique=True)
    code_opens_at = models.DateTimeField(_("code works from"))
    code_closes_at = models.DateTimeField(_("code works until"))

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"], name="study_session_starts")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.topic}"


class Attendance(models.Model):
    """One member at one session, how (code, online, recorded by the branch) and who recorded it.

    ``uid`` is made by the client that captured the record, so a batch sent twice counts once."""

    uid = models.UUIDField(_("record id"), unique=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="attendances"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="study_attendances"
    )
    mode = models.CharField(_("how"), max_length=20, choices=AttendanceMode.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session_id", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="study_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session}"


class Material(models.Model):
    """Study material handed out (books, discs, brochures …) to a branch or to one member."""

    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    count = models.PositiveIntegerField(_("how many"))
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("to branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="materials",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("to member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="study_materials",
    )
    handed_on = models.DateField(_("handed out on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("study material")
        verbose_name_plural = _("study materials")
        ordering = ["-handed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(branch__isnull=False, person__isnull=True)
                | Q(branch__isnull=True, person__isnull=False),
                name="study_material_one_recipient",
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="study_material_count_positive"),
        ]
        indexes = [models.Index(fields=["handed_on"], name="study_material_handed")]

    def __str__(self) -> str:
        return f"{self.title} × {self.count}"


class Reminder(models.Model):
    """A reminder sent to a member left behind in a period; one per member and period."""

    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="study_reminders"
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("study reminder")
        verbose_name_plural = _("study reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_from", "period_to"], name="study_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.period_from}–{self.period_to}"
