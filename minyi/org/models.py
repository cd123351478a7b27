"""The organisation: the unit tree, the people who work in it, and the households of villages."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.org.choices import NoticeMode, Role, UnitKind
from minyi.privacy import mask_name

code_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{1,32}$", _("A code may hold only letters, digits, '-' and '_' (at most 32).")
)


class Unit(models.Model):
    """A node of the organisation tree: district, department, township, village, enterprise, branch.

    ``path`` is the materialised chain of codes from the root ("/D/T01/V0101/"), so a subtree is one
    indexed prefix query; rules.create_unit (and the demo and Excel import) write it.
    """

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=400, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        permissions = [("import_org", _("Can import units, people and households from Excel"))]
        indexes = [
            models.Index(fields=["path"], name="org_unit_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "path"], name="org_unit_kind_path"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Unit) -> bool:
        """True when this unit is ``other`` or lies below it."""
        return self.path.startswith(other.path)


class Person(models.Model):
    """Someone who works in a unit (official, operator, leader, member), optionally with a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    name = models.CharField(_("name"), max_length=50)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("position"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notice_mode = models.CharField(
        _("how to receive notices"), max_length=20, choices=NoticeMode.choices, default=NoticeMode.IMMEDIATE
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "name", "id"]
        permissions = [("view_personal_data", _("Can see unmasked personal data"))]
        indexes = [models.Index(fields=["role"], name="org_person_role")]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household of a village or community, the unit of visit coverage (进村入户)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    village = models.ForeignKey(
        Unit, verbose_name=_("village / community"), on_delete=models.PROTECT, related_name="households"
    )
    head_name = models.CharField(_("head of household"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    size = models.PositiveSmallIntegerField(_("members"), default=1)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.head_name}"

    @property
    def audit_label(self) -> str:
        """How the audit trail names the household: the head's name masked (the trail is read widely)."""
        return f"{self.code} {mask_name(self.head_name)}"


class LoginThrottle(models.Model):
    """Failed logins of one user name from one client address, and until when its next try waits
    (minyi/org/throttle.py)."""

    username = models.CharField(_("user name"), max_length=150)
    address = models.CharField(_("client address"), max_length=45, blank=True)  # "" when unknown
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"))
    retry_at = models.DateTimeField(_("next try not before"), null=True, blank=True)

    class Meta:
        verbose_name = _("login delay")
        verbose_name_plural = _("login delays")
        ordering = ["-last_failure_at"]
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="org_loginthrottle_user_address")
        ]
        indexes = [models.Index(fields=["last_failure_at"], name="org_loginthrottle_last")]
        permissions = [("unlock_login", _("Can clear the login delay of a user"))]

    def __str__(self) -> str:
        return f"{self.username} @ {self.address or '?'}"


class UnlockCode(models.Model):
    """A one-time code sent to a user's phone or e-mail that clears their login delays; only its
    keyed hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unlock_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)  # redeemed, replaced or spent by wrong tries
    wrong_tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("unlock code")
        verbose_name_plural = _("unlock codes")
        indexes = [models.Index(fields=["user", "-created_at"], name="org_unlockcode_user_created")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class StaffNotice(models.Model):
    """A notice for one staff member (new assignment, reply to approve …): shown in the app, and sent
    by SMS/e-mail at once or in the daily digest, as the person chose."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(_("text"), max_length=300)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff notice")
        verbose_name_plural = _("staff notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="org_notice_user_created")]

    def __str__(self) -> str:
        return self.text
