"""Choices of the organisation: kinds of unit and the roles people play."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("District")
    DEPARTMENT = "department", _("Department")
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")
    ENTERPRISE = "enterprise", _("Enterprise")
    PARTY_BRANCH = "party_branch", _("Party branch")


#: Kinds whose households are recorded (visit coverage counts them).
RESIDENTIAL_KINDS = frozenset({UnitKind.VILLAGE, UnitKind.COMMUNITY})

#: Which kinds of unit may hang under which parent kind (None: the root).
ALLOWED_PARENTS: dict[str, frozenset[str | None]] = {
    UnitKind.DISTRICT: frozenset({None}),
    UnitKind.DEPARTMENT: frozenset({UnitKind.DISTRICT, UnitKind.DEPARTMENT}),
    UnitKind.TOWNSHIP: frozenset({UnitKind.DISTRICT}),
    UnitKind.VILLAGE: frozenset({UnitKind.TOWNSHIP}),
    UnitKind.COMMUNITY: frozenset({UnitKind.TOWNSHIP}),
    UnitKind.ENTERPRISE: frozenset({UnitKind.DISTRICT, UnitKind.TOWNSHIP, UnitKind.VILLAGE}),
    UnitKind.PARTY_BRANCH: frozenset(
        {
            UnitKind.DISTRICT,
            UnitKind.DEPARTMENT,
            UnitKind.TOWNSHIP,
            UnitKind.VILLAGE,
            UnitKind.COMMUNITY,
            UnitKind.ENTERPRISE,
            UnitKind.PARTY_BRANCH,
        }
    ),
}


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Handler")
    UNIT_HEAD = "unit_head", _("Unit head")
    LEADER = "leader", _("Supervising leader")
    CADRE = "cadre", _("Cadre")
    MEMBER = "member", _("Party member")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


#: Roles that work for the whole district rather than for their own unit's subtree.
DISTRICT_WIDE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.LEADER, Role.AUDITOR, Role.ADMIN})


class NoticeMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Each notice at once")
    DIGEST = "digest", _("One daily digest")


def group_name(role: str) -> str:
    """The group that carries a role's permissions (named by the role's code; minyi/roles.py fills it)."""
    return f"role:{role}"
