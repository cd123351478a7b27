"""Open311 GeoReport v2: the API keys of client systems, the extra fields a service asks for, and
what a client sent with each request beyond the appeal itself."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Appeal, Category
from minyi.open311.choices import Datatype

attribute_code_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{1,40}$", _("Use letters, digits, '-' and '_' only (at most 40).")
)


class Open311Key(models.Model):
    """An API key of a client system; only its hash is stored, and the prefix names it in lists."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class ServiceAttribute(models.Model):
    """An extra field a public category asks Open311 clients for (GeoReport v2 service definition)."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="open311_attributes"
    )
    code = models.CharField(_("code"), max_length=40, validators=[attribute_code_validator])
    description = models.CharField(_("question"), max_length=200)
    datatype = models.CharField(
        _("datatype"), max_length=20, choices=Datatype.choices, default=Datatype.STRING
    )
    datatype_description = models.CharField(_("hint"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("asks for input"), default=True, help_text=_("Off: the text is only shown to the user.")
    )
    order = models.PositiveIntegerField(_("order"), default=1)
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For list datatypes: [{"key": "1", "name": "…"}, …]'),
    )

    class Meta:
        verbose_name = _("Open311 service attribute")
        verbose_name_plural = _("Open311 service attributes")
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.code}"


class Open311Request(models.Model):
    """What an Open311 client sent with an appeal beyond its text: which key, the device and account
    ids, the media link and the attribute answers."""

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="open311")
    key = models.ForeignKey(Open311Key, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="+")
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    account_id = models.CharField(_("account"), max_length=100, blank=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    media_url = models.URLField(_("media link"), max_length=500, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return str(self.appeal_id)
