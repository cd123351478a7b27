"""Weak village party organisations (软弱涣散村党组织) and the joint general branches (联村党总支) that
group them with advanced ones; their rectification tasks are ledger items (minyi.ledger.Issue)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minyi.ledger.models import Campaign, Issue
from minyi.org.models import Unit
from minyi.partybuilding.choices import MemberRole, TaskArea


class WeakMark(models.Model):
    """A village party branch marked weak and lax, with why and when; it is cleared only by a recorded
    decision once its tasks are signed off. Marks are history: a branch marked again gets a new row."""

    branch = models.ForeignKey(
        Unit, verbose_name=_("party branch"), on_delete=models.PROTECT, related_name="weak_marks"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_on = models.DateField(_("marked weak on"))
    reasons = models.TextField(_("reasons"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.TextField(_("clearing decision"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("weak branch mark")
        verbose_name_plural = _("weak branch marks")
        ordering = ["branch__path", "-marked_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch"], condition=Q(cleared_on__isnull=True), name="partybuilding_one_open_mark"
            )
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.marked_on}"

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None


class JointBranch(models.Model):
    """A joint general branch (联村党总支) of a township: advanced village branches lead weak ones."""

    name = models.CharField(_("name"), max_length=100)
    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="joint_branches"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="joint_branches"
    )
    formed_on = models.DateField(_("formed on"))
    formed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    branches: models.ManyToManyField[Unit, JointMember] = models.ManyToManyField(
        Unit, through="JointMember", verbose_name=_("village branches"), related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("joint general branch")
        verbose_name_plural = _("joint general branches")
        ordering = ["township__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="partybuilding_joint_name_unique")
        ]
        permissions = [
            ("manage", _("Can mark weak branches, form joint branches and clear marks")),
            ("view", _("Can see weak branches and joint branches")),
        ]

    def __str__(self) -> str:
        return self.name


class JointMember(models.Model):
    """A village branch in a joint branch, as its advanced (leading) or weak member."""

    joint_branch = models.ForeignKey(JointBranch, on_delete=models.CASCADE, related_name="members")
    branch = models.ForeignKey(
        Unit, verbose_name=_("party branch"), on_delete=models.PROTECT, related_name="joint_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("joint branch member")
        verbose_name_plural = _("joint branch members")
        ordering = ["joint_branch", "role", "branch__path"]
        constraints = [
            models.UniqueConstraint(fields=["joint_branch", "branch"], name="partybuilding_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.joint_branch} {self.branch} {self.role}"


class JointBranchTask(models.Model):
    """A rectification task of a joint branch (整顿任务), run as a ledger item to sign-off."""

    joint_branch = models.ForeignKey(JointBranch, on_delete=models.PROTECT, related_name="tasks")
    issue = models.OneToOneField(
        Issue,
        verbose_name=_("rectification item"),
        on_delete=models.PROTECT,
        related_name="joint_branch_task",
    )
    area = models.CharField(_("area"), max_length=20, choices=TaskArea.choices)

    class Meta:
        verbose_name = _("joint branch task")
        verbose_name_plural = _("joint branch tasks")
        ordering = ["joint_branch", "issue__deadline", "id"]

    def __str__(self) -> str:
        return f"{self.joint_branch}: {self.issue}"
