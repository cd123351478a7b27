"""Choices of evaluation forms: the state of a form and where an answer came from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FormState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Answering closed")


class Source(models.TextChoices):
    """How an answer reached us: typed by the citizen with a paper code, or typed in from a paper form."""

    ONLINE = "online", _("Online, with a code")
    PAPER = "paper", _("Paper form, imported")
