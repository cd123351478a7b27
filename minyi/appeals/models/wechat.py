"""The WeChat official account's pushes, one row per message (minyi/appeals/wechat.py)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models.appeal import Appeal


class WechatMessage(models.Model):
    """A message a citizen sent to the official account, keyed by WeChat's ``MsgId``: a push WeChat
    sends again (it does when we answer slowly) finds its row and gets the same answer, with nothing
    stored twice. ``openid`` is the citizen's account on the official account: never shown."""

    msg_id = models.CharField(max_length=64, unique=True)
    openid = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(_("kind"), max_length=16)
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("answer"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("WeChat message")
        verbose_name_plural = _("WeChat messages")

    def __str__(self) -> str:
        return f"{self.kind} {self.msg_id}"
