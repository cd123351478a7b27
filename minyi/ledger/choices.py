"""Tracks and states of rectification items (整改事项), with the groups the code uses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Track(models.TextChoices):
    FIX_NOW = "fix_now", _("Fix now")
    FIX_IN_CAMPAIGN = "fix_in_campaign", _("Fix while learning")
    LONG_TERM = "long_term", _("Long-term rectification")


class IssueState(models.TextChoices):
    OPEN = "open", _("Being rectified")
    SUBMITTED = "submitted", _("Submitted for sign-off")
    UNIT_AGREED = "unit_agreed", _("Agreed by the unit head")
    SIGNED_OFF = "signed_off", _("Signed off")


#: Still being worked on (sign-off not yet approved).
OPEN_ISSUE_STATES = (IssueState.OPEN, IssueState.SUBMITTED, IssueState.UNIT_AGREED)
