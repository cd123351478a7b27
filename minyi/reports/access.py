"""Who may do what in reports: its permissions, carried by the role groups (minyi/roles.py)."""

from __future__ import annotations

from enum import StrEnum


class ReportsPerm(StrEnum):
    """Reports' permissions: dashboards, the bulletin's recipients, the map's boundaries."""

    VIEW = "reports.view_reports"
    MANAGE_BULLETIN = "reports.manage_bulletin"
    MANAGE_BOUNDARIES = "reports.manage_boundaries"
