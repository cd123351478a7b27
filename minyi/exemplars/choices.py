"""Choices of the role-model library (对标学): levels of role model and kinds of material."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """How far a role model's example reaches: from the whole country to people close to home."""

    NATIONAL = "national", _("National role model")
    PROVINCIAL = "provincial", _("Provincial role model")
    LOCAL = "local", _("Local role model")
    CLOSE_TO_HOME = "close_to_home", _("Role model close to home")


class MaterialKind(models.TextChoices):
    COMPILATION = "compilation", _("Compilation of deeds")
    FILM = "film", _("Documentary film")
    EXHIBITION = "exhibition", _("Picture exhibition")
    OTHER = "other", _("Other material")
