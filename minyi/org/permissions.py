"""The one place that answers "may this user do X to this object?".

Two questions make up every answer:
1. does the user's role allow the action (Django permissions carried by the role groups), and
2. is the object inside the user's scope: the whole district for district-wide roles, otherwise the
   subtree of the user's own unit. Other apps register how to find an object's unit
   (``register_unit_of``) and extra object rules such as 回避 (``register_rule``).
Views, the API and commands ask ``can``/``require``/``scope_filter``; nothing else decides access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from minyi.org.choices import DISTRICT_WIDE_ROLES
from minyi.org.models import Household, Person, Unit

AnyUser = User | AnonymousUser
M = TypeVar("M", bound=models.Model)


class OrgPerm(StrEnum):
    """The organisation's permissions: units, people, households and personal data."""

    VIEW_UNIT = "org.view_unit"
    ADD_UNIT = "org.add_unit"
    CHANGE_UNIT = "org.change_unit"
    VIEW_PERSON = "org.view_person"
    ADD_PERSON = "org.add_person"
    CHANGE_PERSON = "org.change_person"
    VIEW_HOUSEHOLD = "org.view_household"
    ADD_HOUSEHOLD = "org.add_household"
    CHANGE_HOUSEHOLD = "org.change_household"
    VIEW_PERSONAL_DATA = "org.view_personal_data"
    IMPORT_ORG = "org.import_org"
    VIEW_LOGIN_DELAY = "org.view_loginthrottle"
    UNLOCK_LOGIN = "org.unlock_login"


class Everything:
    """Scope of superusers and district-wide roles with no unit: no restriction."""


EVERYTHING = Everything()
Scope = Unit | Everything | None

_unit_of: dict[type[models.Model], Callable[[Any], Unit | None]] = {
    Unit: lambda unit: unit,
    Person: lambda person: person.unit,
    Household: lambda household: household.village,
}
_rules: dict[type[models.Model], list[Callable[[AnyUser, str, Any], bool]]] = {}
_queryset_scopes: dict[type[models.Model], Callable[[AnyUser, Any], Any]] = {}


def register_unit_of(model: type[M], finder: Callable[[M], Unit | None]) -> None:
    """Tell the permission module how to find the unit that owns objects of ``model``."""
    _unit_of[model] = finder


def register_rule(model: type[M], rule: Callable[[AnyUser, str, M], bool]) -> None:
    """Add an object rule for ``model`` that must also hold (e.g. a unit never sees appeals about itself)."""
    _rules.setdefault(model, []).append(rule)


def register_queryset_scope(
    model: type[M], scope: Callable[[AnyUser, models.QuerySet[M]], models.QuerySet[M]]
) -> None:
    """Tell the permission module how to restrict lists of ``model`` to what a user may see."""
    _queryset_scopes[model] = scope


def visible(user: AnyUser, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """The rows of ``queryset`` the user may see, by the rule the row's app registered."""
    return _queryset_scopes[queryset.model](user, queryset)


def person_of(user: AnyUser) -> Person | None:
    """The staff record behind a login, or None."""
    if not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def acts_for(user: AnyUser | None, unit: Unit, roles: Iterable[str] | None = None) -> bool:
    """Whether the user is staff of ``unit`` or of a unit above it (in one of ``roles``, if given):
    who may act for a unit that holds an assignment or a rectification item."""
    person = person_of(user) if user is not None else None
    if person is None or not person.is_active or not unit.is_within(person.unit):
        return False
    return roles is None or person.role in set(roles)


def scope_of(user: AnyUser) -> Scope:
    """The part of the tree the user works on (cached on the user object for the request)."""
    cached = getattr(user, "_minyi_scope", None)
    if cached is not None:
        return cached
    scope: Scope
    if not user.is_authenticated or not user.is_active:
        scope = None
    elif user.is_superuser:
        scope = EVERYTHING
    else:
        person = person_of(user)
        if person is None or not person.is_active:
            scope = None
        elif person.role in DISTRICT_WIDE_ROLES:
            root_code = person.unit.path.strip("/").split("/")[0]
            scope = Unit.objects.get(code=root_code)
        else:
            scope = person.unit
    if scope is not None:
        user._minyi_scope = scope  # type: ignore[union-attr]
    return scope


def in_scope(user: AnyUser, unit: Unit | None) -> bool:
    """Whether ``unit`` lies inside the user's scope."""
    scope = scope_of(user)
    if scope is None:
        return False
    if isinstance(scope, Everything) or unit is None:
        return True
    return unit.is_within(scope)


def can(user: AnyUser, action: str, obj: models.Model | None = None) -> bool:
    """May ``user`` do ``action`` (to ``obj``, when given)?"""
    if not user.is_authenticated or not user.is_active or not user.has_perm(str(action)):
        return False
    if obj is None:
        return scope_of(user) is not None
    finder = _unit_of.get(type(obj))
    if finder is not None and not in_scope(user, finder(obj)):
        return False
    return all(rule(user, str(action), obj) for rule in _rules.get(type(obj), []))


def require(user: AnyUser, action: str, obj: models.Model | None = None) -> None:
    """Raise PermissionDenied (shown as a clear refusal page) unless ``can`` says yes."""
    if not can(user, action, obj):
        raise PermissionDenied(_("You may not do this here: it lies outside your unit or your role."))


def scope_filter(user: AnyUser, queryset: models.QuerySet[M], path_field: str) -> models.QuerySet[M]:
    """Restrict ``queryset`` to rows whose unit path (``path_field``, e.g. "unit__path") is in scope."""
    scope = scope_of(user)
    if scope is None:
        return queryset.none()
    if isinstance(scope, Everything):
        return queryset
    return queryset.filter(**{f"{path_field}__startswith": scope.path})
