"""Enumerations of the Open311 GeoReport v2 interface."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Datatype(models.TextChoices):
    """The attribute datatypes of the GeoReport v2 service definition."""

    STRING = "string", _("Text on one line")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Longer text")
    SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
    MULTIVALUELIST = "multivaluelist", _("Several choices from a list")


LIST_DATATYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)
