"""Who may see which assistance case and part; registered into minyi.org.permissions at start-up.

- The coordinator (staff with ``assistance.coordinate`` in the coordinating unit, 民政局 in the demo)
  and the auditors see every case with its whole history across departments.
- A delivering unit (``assistance.deliver``) sees only the parts handed to it (or to a unit below
  it): not the other parts of the case, nor the household's other cases.
- Personal data of the household is shown in full only with ``org.view_personal_data``, and that
  reading is audited (as for appeals); otherwise it is masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.db.models import QuerySet

from minyi.assistance.models import Case, CasePart, Coordination
from minyi.audit.rules import record_personal_view
from minyi.org.choices import Role
from minyi.org.models import Household, Unit
from minyi.org.permissions import AnyUser, OrgPerm, can, person_of, register_queryset_scope
from minyi.privacy import mask_address, mask_name, mask_phone


class AssistancePerm(StrEnum):
    """Social assistance's permissions."""

    OPEN_CASE = "assistance.open_case"
    COORDINATE = "assistance.coordinate"
    DELIVER = "assistance.deliver"
    VIEW_CASE = "assistance.view_case"
    VIEW_COORDINATION = "assistance.view_coordination"
    ADD_COORDINATION = "assistance.add_coordination"
    CHANGE_COORDINATION = "assistance.change_coordination"
    VIEW_DELIVERY_ROUTE = "assistance.view_deliveryroute"
    ADD_DELIVERY_ROUTE = "assistance.add_deliveryroute"
    CHANGE_DELIVERY_ROUTE = "assistance.change_deliveryroute"
    VIEW_ELIGIBILITY_ITEM = "assistance.view_eligibilityitem"
    ADD_ELIGIBILITY_ITEM = "assistance.add_eligibilityitem"
    CHANGE_ELIGIBILITY_ITEM = "assistance.change_eligibilityitem"


#: Roles of a delivering unit that act on its parts.
DELIVERING_ROLES = (Role.HANDLER, Role.UNIT_HEAD)


def coordination() -> Coordination | None:
    """The coordination settings in force (the first row), or None when nobody coordinates yet."""
    return Coordination.objects.select_related("unit").order_by("pk").first()


def district_of(unit: Unit) -> Unit:
    """The root of the tree ``unit`` belongs to (its district)."""
    root_code = unit.path.strip("/").split("/")[0]
    return unit if unit.code == root_code else Unit.objects.get(code=root_code)


def is_coordinator(user: AnyUser, config: Coordination | None = None) -> bool:
    """Staff of the coordinating unit (or a unit below it) with ``assistance.coordinate``."""
    if not user.is_authenticated or not user.is_active or not user.has_perm(AssistancePerm.COORDINATE):
        return False
    config = config if config is not None else coordination()
    person = person_of(user)
    if config is None or person is None or not person.is_active:
        return False
    return person.unit.is_within(config.unit)


def sees_all(user: AnyUser) -> bool:
    """The coordinator and read-only overseers (auditors) see every case."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm(AssistancePerm.VIEW_CASE) or is_coordinator(user)


def may_open_case(user: AnyUser) -> bool:
    """The coordinator, and staff allowed to open a case (from an appeal or a visit's difficulty)."""
    return is_coordinator(user) or can(user, AssistancePerm.OPEN_CASE)


def delivers_for(user: AnyUser, unit: Unit | None) -> bool:
    """Whether the user acts for ``unit`` (a handler or head of it or of a unit above it)."""
    if unit is None or not user.is_authenticated or not user.has_perm(AssistancePerm.DELIVER):
        return False
    person = person_of(user)
    return (
        person is not None
        and person.is_active
        and person.role in DELIVERING_ROLES
        and unit.is_within(person.unit)
    )


def visible_cases(user: AnyUser, queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Whole cases are seen only by those who see all; a delivering unit sees parts, not cases."""
    return queryset if sees_all(user) else queryset.none()


def visible_parts(user: AnyUser, queryset: QuerySet[CasePart]) -> QuerySet[CasePart]:
    """Every part for those who see all; otherwise the parts handed to the user's unit subtree."""
    if sees_all(user):
        return queryset
    person = person_of(user)
    if person is None or not person.is_active or not user.has_perm(AssistancePerm.DELIVER):
        return queryset.none()
    if person.role not in DELIVERING_ROLES:
        return queryset.none()
    return queryset.filter(unit__path__startswith=person.unit.path)


def register() -> None:
    register_queryset_scope(Case, visible_cases)
    register_queryset_scope(CasePart, visible_parts)


@dataclass(frozen=True)
class HouseholdDetails:
    """The household as a viewer may read it: head's name, phone and address full or masked."""

    code: str
    village: str
    township: str
    size: int
    name: str
    phone: str
    address: str
    revealed: bool


def household_details(user: AnyUser, household: Household, *, obj: models.Model) -> HouseholdDetails:
    """The household's details for a viewer already allowed to see ``obj`` (a case or a part): in full,
    audited, with ``org.view_personal_data``; masked otherwise."""
    village = household.village
    township = village.parent.name if village.parent is not None else ""
    revealed = user.has_perm(OrgPerm.VIEW_PERSONAL_DATA)
    if revealed:
        fields = [
            name
            for name, value in (
                ("head_name", household.head_name),
                ("phone", household.phone),
                ("address", household.address),
            )
            if value
        ]
        if fields:
            record_personal_view(actor=user, obj=obj, subject=mask_name(household.head_name), fields=fields)
        return HouseholdDetails(
            household.code,
            village.name,
            township,
            household.size,
            household.head_name,
            household.phone,
            household.address,
            True,
        )
    return HouseholdDetails(
        household.code,
        village.name,
        township,
        household.size,
        mask_name(household.head_name),
        mask_phone(household.phone),
        mask_address(household.address),
        False,
    )
