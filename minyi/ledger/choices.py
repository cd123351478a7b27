"""Tracks and states of rectification items (整改事项), with the groups the code uses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.org.choices import UnitKind


class Track(models.TextChoices):
    FIX_NOW = "fix_now", _("Fix now")
    FIX_IN_CAMPAIGN = "fix_in_campaign", _("Fix while learning")
    LONG_TERM = "long_term", _("Long-term rectification")


class IssueState(models.TextChoices):
    OPEN = "open", _("Being rectified")
    SUBMITTED = "submitted", _("Submitted for sign-off")
    UNIT_AGREED = "unit_agreed", _("Agreed by the unit head")
    SIGNED_OFF = "signed_off", _("Signed off")


class IssueSource(models.TextChoices):
    APPEALS = "appeals", _("Raised in appeals")
    INSPECTION = "inspection", _("Inspection finding")
    OWN = "own", _("Found by the unit itself")


class EventKind(models.TextChoices):
    """Steps of an item's timeline (every report, decision and notice)."""

    CREATED = "created", _("Item created")
    EDITED = "edited", _("Item edited")
    REPORT = "report", _("Progress reported")
    SUBMITTED = "submitted", _("Submitted for sign-off")
    AGREED = "agreed", _("Agreed by the unit head")
    SENT_BACK = "sent_back", _("Sent back by the unit head")
    APPROVED = "approved", _("Sign-off approved")
    REJECTED = "rejected", _("Sign-off rejected")
    CONVERTED = "converted", _("Became long-term work")
    MILESTONE_ADDED = "milestone_added", _("Step added to the plan")
    MILESTONE_DONE = "milestone_done", _("Step reported done")
    QUANTITY = "quantity", _("Quantity reported")
    NOTICE = "notice", _("Supervision notice issued")
    NOTICE_ANSWERED = "notice_answered", _("Supervision notice answered")


#: Still being worked on (sign-off not yet approved).
OPEN_ISSUE_STATES = (IssueState.OPEN, IssueState.SUBMITTED, IssueState.UNIT_AGREED)
#: Units that lead or co-handle rectification items.
LEAD_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWNSHIP)
