"""Choices of symposia: who was heard (the participant group) and the kinds an opinion may be."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.appeals.choices import Kind


class Group(models.TextChoices):
    """The participant group a symposium heard (座谈对象)."""

    RETIRED_CADRES = "retired_cadres", _("Retired cadres")
    DEPUTIES = "deputies", _("Deputies and CPPCC members")
    NON_PARTY = "non_party", _("Non-party people")
    ENTERPRISES = "enterprises", _("Enterprise representatives")
    VILLAGERS = "villagers", _("Villagers and residents")
    GRASSROOTS_CADRES = "grassroots_cadres", _("Grassroots cadres")
    OTHER = "other", _("Other")


#: The kinds of appeal an opinion heard at a symposium may become (the batch form offers these).
OPINION_KINDS = (Kind.SUGGESTION, Kind.COMPLAINT, Kind.HELP, Kind.CONSULTATION)
