"""Choices of study (学习教育): kinds of branch, activity, venue, attendance and material."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BranchKind(models.TextChoices):
    REGULAR = "regular", _("Regular branch")
    FLOATING = "floating", _("Floating branch")
    TEMPORARY = "temporary", _("Temporary branch")


class ActivityKind(models.TextChoices):
    LECTURE_TOUR = "lecture_tour", _("Lecture tour")
    REPORT = "report", _("Special report or lecture")
    DISCUSSION = "discussion", _("Discussion")
    RESEARCH = "research", _("Research topic")


class VenueKind(models.TextChoices):
    OFFICES = "offices", _("Offices")
    VILLAGES = "villages", _("Villages")
    COMMUNITIES = "communities", _("Communities")
    SCHOOLS = "schools", _("Schools")
    ENTERPRISES = "enterprises", _("Enterprises")


class AttendanceMode(models.TextChoices):
    CHECK_IN = "check_in", _("Checked in with the code")
    ONLINE = "online", _("Attended online")
    RECORDED = "recorded", _("Recorded by the branch")


class MaterialKind(models.TextChoices):
    BOOK = "book", _("Books")
    DISC = "disc", _("Discs")
    BROCHURE = "brochure", _("Brochures")
    OTHER = "other", _("Other material")
