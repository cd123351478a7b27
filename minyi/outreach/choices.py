"""Choices of outreach: pairings, places of a visit and the five-ones checklist (五个一)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PairingState(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class PlanPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


class PlaceKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    VILLAGE = "village", _("Village / community")
    ENTERPRISE = "enterprise", _("Enterprise")


class Checklist(models.TextChoices):
    """The five ones (五个一); each is a boolean field on Visit with a ``<name>_note`` beside it,
    except the diary entry, whose note is the diary text itself."""

    CONTACT_CARD = "contact_card", _("Contact card left")
    URGENT_MATTER = "urgent_matter", _("One urgent matter handled")
    DIARY = "diary", _("Diary entry written")
    ASSISTANCE_PLAN = "assistance_plan", _("Village assistance plan")
    REVIEW_SESSION = "review_session", _("Review session held")


#: The checklist items that carry their own short note (the diary's note is the diary text).
NOTED_ITEMS = (
    Checklist.CONTACT_CARD,
    Checklist.URGENT_MATTER,
    Checklist.ASSISTANCE_PLAN,
    Checklist.REVIEW_SESSION,
)
