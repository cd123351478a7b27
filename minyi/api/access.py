"""Who may do what in api: its permissions, carried by the role groups (minyi/roles.py)."""

from __future__ import annotations

from enum import StrEnum


class ApiPerm(StrEnum):
    """What the REST API's own permissions are (the rest are the apps')."""

    MANAGE = "api.manage_token"
