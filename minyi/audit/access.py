"""Who may do what in audit: its permissions, carried by the role groups (minyi/roles.py)."""

from __future__ import annotations

from enum import StrEnum


class AuditPerm(StrEnum):
    """Reading the audit trail."""

    VIEW = "audit.view_auditevent"
