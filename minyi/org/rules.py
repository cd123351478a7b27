"""Rules of the organisation: placing units in the tree, and giving people their logins and roles."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from minyi.audit.rules import record
from minyi.org.choices import ALLOWED_PARENTS, UnitKind, group_name
from minyi.org.models import Person, Unit

Actor = User | AnonymousUser | None


def check_parent(kind: str, parent_kind: str | None) -> None:
    """Raise ValidationError unless a unit of ``kind`` may hang under a unit of ``parent_kind``."""
    allowed = ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise ValidationError(_("Unknown unit kind: %(kind)s") % {"kind": kind})
    if parent_kind not in allowed:
        if parent_kind is None:
            raise ValidationError(_("A %(kind)s needs a parent unit.") % {"kind": UnitKind(kind).label})
        raise ValidationError(
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": UnitKind(kind).label, "parent": UnitKind(parent_kind).label}
        )


def path_for(code: str, parent: Unit | None) -> str:
    """The materialised path of a unit with ``code`` under ``parent``."""
    return f"{parent.path if parent else '/'}{code}/"


@transaction.atomic
def create_unit(*, code: str, name: str, kind: str, parent: Unit | None, actor: Actor, sort: int = 0) -> Unit:
    """Add a unit to the tree after checking its kind fits under its parent."""
    check_parent(kind, parent.kind if parent else None)
    unit = Unit(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=path_for(code, parent),
        depth=(parent.depth + 1) if parent else 0,
        sort=sort,
    )
    unit.full_clean()
    unit.save()
    record("org.unit.create", actor=actor, obj=unit, detail={"parent": parent.code if parent else None})
    return unit


def sync_role_group(person: Person) -> None:
    """Make the person's login belong to exactly the group of their role."""
    user = person.user
    if user is None:
        return
    role_groups = Group.objects.filter(name__startswith="role:")
    user.groups.remove(*role_groups.exclude(name=group_name(person.role)))
    if person.is_active:
        user.groups.add(Group.objects.get(name=group_name(person.role)))
    else:
        user.groups.remove(*role_groups)


@transaction.atomic
def create_person(
    *,
    name: str,
    unit: Unit,
    role: str,
    actor: Actor,
    phone: str = "",
    title: str = "",
    username: str | None = None,
    password_hash: str | None = None,
) -> Person:
    """Record a person; with ``username`` also give them a login carrying their role's permissions.

    ``password_hash`` is an already hashed password (None: the login has no usable password until an
    admin sets one).
    """
    user = None
    if username:
        user_model = get_user_model()
        user = user_model(username=username, first_name=name[:150])
        if password_hash:
            user.password = password_hash
        else:
            user.set_unusable_password()
        user.save()
    person = Person(name=name, unit=unit, role=role, phone=phone, title=title, user=user)
    person.full_clean()
    person.save()
    sync_role_group(person)
    record("org.person.create", actor=actor, obj=person, detail={"unit": unit.code, "role": role})
    return person
