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
    except the diary entry, whose note is the diary text itself. The labels are the default words
    (the campaign's: 留一张便民联系卡、办一件群众急事、写一本民情日记、订一份包村帮扶计划、上一堂知行点评课);
    a campaign may use its own words for the same five slots (``models.CampaignChecklist``)."""

    CONTACT_CARD = "contact_card", _("Leave a contact card")
    URGENT_MATTER = "urgent_matter", _("Handle one urgent matter")
    DIARY = "diary", _("Write the diary")
    ASSISTANCE_PLAN = "assistance_plan", _("Make a village assistance plan")
    REVIEW_SESSION = "review_session", _("Give a review class")


#: The checklist items that carry their own short note (the diary's note is the diary text).
NOTED_ITEMS = (
    Checklist.CONTACT_CARD,
    Checklist.URGENT_MATTER,
    Checklist.ASSISTANCE_PLAN,
    Checklist.REVIEW_SESSION,
)
