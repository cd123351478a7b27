"""The appeal loop's records: appeals, their assignments to units, replies, follow-ups and history.

State fields are written only by the functions in rules.py (docs/design.md, "How state changes");
everything here is data.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.appeals.choices import (
    WORKING_STATES,
    AssignmentRole,
    AssignmentState,
    Channel,
    EventKind,
    ExtensionState,
    FollowupBy,
    Kind,
    RejectReason,
    ReplyState,
    Satisfaction,
    State,
    Urgency,
    WaitingFor,
)
from minyi.appeals.words import SearchWordsField, index_words
from minyi.org.models import Unit, code_validator


class Category(models.Model):
    """A node of the admin-editable category tree (一级/二级/三级分类), optionally mapped to the unit
    that usually handles it (the suggestion shown to dispatchers; inherited by sub-categories)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1, editable=False)
    default_unit = models.ForeignKey(
        Unit,
        verbose_name=_("usual handling unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_public = models.BooleanField(_("offered to external clients (Open311)"), default=False)
    sort = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["level", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="appeals_category_unique_name_in_parent")
        ]

    def __str__(self) -> str:
        return self.name


class SlaRule(models.Model):
    """How many working days a unit has, by kind, urgency and channel (blank = any); the most
    specific matching rule wins."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    handle_days = models.PositiveSmallIntegerField(_("working days to handle"))
    return_days = models.PositiveSmallIntegerField(_("working days to return a misrouted appeal"), default=2)
    max_extension_days = models.PositiveSmallIntegerField(
        _("most working days an extension may add"), default=10
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("working days before the deadline that count as due soon"), default=1
    )

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["urgency", "kind", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "urgency", "channel"], name="appeals_slarule_unique")
        ]

    def __str__(self) -> str:
        kind, channel = self.get_kind_display() or "*", self.get_channel_display() or "*"
        return f"{self.get_urgency_display()} {kind} {channel}"


class Appeal(models.Model):
    """One opinion, complaint, suggestion, question, request for help or report, from one person or
    group, through one channel. ``version`` guards against lost updates (optimistic locking)."""

    number = models.CharField(_("tracking number"), max_length=20, unique=True, null=True, blank=True)
    query_code_hash = models.CharField(max_length=100, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.ORDINARY)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("content"))
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    township = models.ForeignKey(
        Unit,
        verbose_name=_("township / street"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (place, -received_at) index below serves every lookup by place
    )
    village = models.ForeignKey(
        Unit,
        verbose_name=_("village / community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (place, -received_at) index below serves every lookup by place
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    citizen_name = models.CharField(_("name"), max_length=50, blank=True)
    citizen_phone = models.CharField(_("phone"), max_length=20, blank=True)
    citizen_email = models.EmailField(_("e-mail"), blank=True)
    # The citizen's OpenID on the district's WeChat official account (minyi/appeals/wechat.py): where
    # answers go as customer-service messages. An account identifier: never shown, never exported.
    citizen_wechat = models.CharField(max_length=64, blank=True, editable=False)
    concerns_unit = models.ForeignKey(
        Unit,
        verbose_name=_("concerns officials of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The appeal is never shown to or handled by this unit or the units below it."),
    )
    supporters = models.PositiveIntegerField(_("supporters"), default=0)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.RECEIVED)
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    master = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_appeals",
    )
    reject_reason = models.CharField(_("reason"), max_length=20, choices=RejectReason.choices, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    external_ref = models.CharField(_("reference in the source system"), max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The words of title and body for the staff list's search, kept in step by save() (see words.py;
    # its GIN index on PostgreSQL is made by migration 0008).
    search_words = SearchWordsField(default="", db_default="", blank=True, editable=False)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at", "-id"]
        permissions = [
            ("record_appeal", _("Can record appeals from calls, letters and visits")),
            ("dispatch_appeal", _("Can dispatch, return, merge and reject appeals")),
            ("handle_appeal", _("Can accept and work on appeals of the unit")),
            ("approve_reply", _("Can approve the unit's replies")),
            ("follow_up_appeal", _("Can record follow-up calls")),
        ]
        indexes = [
            models.Index(fields=["state", "-received_at"], name="appeal_state_received"),
            models.Index(
                fields=["deadline"], name="appeal_open_deadline", condition=Q(deadline__isnull=False)
            ),
            # The running clocks (due_filter: overdue / due soon), counted from the index alone by the
            # dashboards (minyi.reports) and the lists' due filters.
            models.Index(
                fields=["deadline", "lead_unit", "township"],
                name="appeal_running_deadline",
                condition=Q(state__in=WORKING_STATES, paused_at__isnull=True, deadline__isnull=False),
            ),
            models.Index(fields=["lead_unit", "state"], name="appeal_lead_state"),
            models.Index(fields=["citizen_phone"], name="appeal_phone", condition=~Q(citizen_phone="")),
            models.Index(fields=["-received_at"], name="appeal_received"),
            # Likely duplicates at the same place (minyi.insight.duplicates): a village's or township's
            # recent appeals, newest first, without walking the whole date index.
            models.Index(fields=["village", "-received_at"], name="appeal_village_received"),
            models.Index(fields=["township", "-received_at"], name="appeal_township_received"),
            # Open311 GET requests (minyi.open311): only appeals that came in through Open311, newest first.
            models.Index(
                fields=["-received_at"], name="appeal_open311_received", condition=Q(channel=Channel.OPEN311)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every path that writes the text (intake, import, correction) goes through save(): the search
        # words follow the title and body there, and only there.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"title", "body"} & set(update_fields):
            self.search_words = index_words(self.title, self.body)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_words"}
        super().save(*args, **kwargs)


class Attachment(models.Model):
    """A photo or PDF sent with an appeal (the citizen's own) or with a progress note of the staff who
    work on it (``event``), checked by its content when it arrived."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    #: The progress note it documents; empty for the files that came with the appeal.
    event = models.ForeignKey(
        "AppealEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to="appeals/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Assignment(models.Model):
    """An appeal handed to a unit as lead (主办) or co-handler (协办), with its deadlines."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=AssignmentState.choices, default=AssignmentState.PENDING
    )
    instructions = models.TextField(_("instructions"), blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), default=timezone.now)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    return_by = models.DateTimeField(_("return a misrouted appeal by"))
    deadline = models.DateTimeField(_("deadline"))
    deadline_provisional = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["dispatched_at", "id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="assignment_unit_state"),
            # The KPI windows (minyi.kpi): dispatched, answered, and still waiting to be accepted.
            models.Index(fields=["dispatched_at"], name="assignment_dispatched"),
            models.Index(
                fields=["finished_at"], name="assignment_finished", condition=Q(finished_at__isnull=False)
            ),
            models.Index(
                fields=["return_by"], name="assignment_pending_return_by", condition=Q(state="pending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.unit_id} ({self.role})"


class Extension(models.Model):
    """A request for more working days on an assignment, and the dispatcher's decision."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    state = models.CharField(max_length=20, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"+{self.days} ({self.state})"


class Pause(models.Model):
    """The deadline clock stopped while waiting for information; the deadline moves by the working
    days it lasted when the information arrives."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="pauses")
    waiting_for = models.CharField(_("waiting for"), max_length=20, choices=WaitingFor.choices)
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.waiting_for}"


class Reply(models.Model):
    """The answer to the citizen: drafted by a handler, approved by the unit head, then sent; the
    public sees only what was sent, and the echo wall only what was chosen for publication."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="replies")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("reply"))
    publish = models.BooleanField(_("publish on the echo wall"), default=False)
    state = models.CharField(max_length=20, choices=ReplyState.choices, default=ReplyState.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["drafted_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.state}"


class Followup(models.Model):
    """The satisfaction check after a reply (回访)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="followups")
    result = models.CharField(_("result"), max_length=20, choices=Satisfaction.choices)
    by = models.CharField(_("by"), max_length=20, choices=FollowupBy.choices)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.result}"


class AppealEvent(models.Model):
    """One step of an appeal's life: the timeline users see and the input of the worker."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["appeal", "at"], name="appeal_event_timeline"),
            # The Open311 update feed (minyi.open311, servicerequestupdates): every step in a date window.
            models.Index(fields=["at"], name="appeal_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind}"


class IdempotencyRecord(models.Model):
    """A client's Idempotency-Key and the appeal its first request created."""

    key = models.CharField(max_length=200)
    client = models.CharField(max_length=150)
    body_hash = models.CharField(max_length=64)
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="appeals_idempotency_unique")]

    def __str__(self) -> str:
        return self.key
