"""Who may do what in insight: its permissions, carried by the role groups (minyi/roles.py)."""

from __future__ import annotations

from enum import StrEnum


class InsightPerm(StrEnum):
    """Insight's permissions: the hotspot board, the gazetteer's places and the category model."""

    VIEW_HOTSPOTS = "insight.view_hotspots"
    MANAGE_CLASSIFIER = "insight.manage_classifier"
    VIEW_CLASSIFIER_VERSION = "insight.view_classifierversion"
    VIEW_PLACE = "insight.view_gazetteerplace"
    ADD_PLACE = "insight.add_gazetteerplace"
    CHANGE_PLACE = "insight.change_gazetteerplace"
    DELETE_PLACE = "insight.delete_gazetteerplace"
