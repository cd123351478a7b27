"""Choices of social assistance: the seven types of help and the states of a case and of its parts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssistanceType(models.TextChoices):
    """The seven types of social assistance (社会救助) a case may combine."""

    SUBSISTENCE = "subsistence", _("Subsistence")
    MEDICAL = "medical", _("Medical")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment")
    HOUSING = "housing", _("Housing")
    LEGAL = "legal", _("Legal aid")
    TEMPORARY = "temporary", _("Temporary relief")


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PartState(models.TextChoices):
    """A part waits for the coordinator (requested), is handed to a unit, then delivered or declined."""

    REQUESTED = "requested", _("Waiting to be handed out")
    HANDED = "handed", _("Handed to the unit")
    DELIVERED = "delivered", _("Delivered")
    DECLINED = "declined", _("Declined")


#: Parts still waiting for help to arrive.
PENDING_PART_STATES = (PartState.REQUESTED, PartState.HANDED)
#: Parts whose work is over; a case closes only when every part is in one of these.
FINISHED_PART_STATES = (PartState.DELIVERED, PartState.DECLINED)
#: Parts that count as the household receiving (or about to receive) this type of help.
RECEIVING_PART_STATES = (PartState.HANDED, PartState.DELIVERED)
