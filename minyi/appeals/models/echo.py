"""The echo wall (回音壁): answered appeals chosen for publication, stored already masked.

Entries are written only by ``minyi.appeals.echo`` (publish / unpublish). Everything in a row is fit
for the public as it stands, so the public pages never see the appeal's own personal fields.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models.appeal import Appeal, Category, Reply
from minyi.org.models import Unit


class EchoEntry(models.Model):
    """One published appeal with its published reply, personal data masked (also inside the text).

    ``search_text`` holds the normalised, masked title + question + reply: searching it can never
    reveal what masking hid. Its full-text index is vendor specific (see migration 0003 and echo.py).
    """

    appeal = models.OneToOneField(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="echo"
    )
    reply = models.ForeignKey(
        Reply, verbose_name=_("reply"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A copy of the appeal's number, so the public detail page is one indexed lookup without a join.
    number = models.CharField(_("tracking number"), max_length=20, unique=True)
    title_masked = models.CharField(_("title"), max_length=200)
    question_masked = models.TextField(_("question"))
    reply_masked = models.TextField(_("reply"))
    unit_name = models.CharField(_("answering unit"), max_length=100)
    # No single-column indexes: the (column, published_at) indexes below serve these foreign keys too.
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    township = models.ForeignKey(
        Unit,
        verbose_name=_("township / street"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    received_at = models.DateTimeField(_("received"))
    replied_at = models.DateTimeField(_("replied"))
    published_at = models.DateTimeField(_("published"))
    search_text = models.TextField(editable=False)

    class Meta:
        verbose_name = _("echo wall entry")
        verbose_name_plural = _("echo wall entries")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="echo_published"),
            models.Index(fields=["category", "-published_at"], name="echo_category_published"),
            models.Index(fields=["township", "-published_at"], name="echo_township_published"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title_masked}"
