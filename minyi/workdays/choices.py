"""Choices of the working-day calendar: where a year's holidays came from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    LIBRARY = "library", _("Library (chinesecalendar)")
    ADMIN = "admin", _("Entered by an administrator")


#: The name given to a weekend day on which people work to make up for a holiday (调休上班).
MAKE_UP_DAY = "调休上班"
