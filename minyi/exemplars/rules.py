"""Every change to the role-model library, and the figures computed from it.

Each function that changes something takes a keyword-only ``actor`` (None: the system, e.g. the demo),
checks who may do it (``PermissionDenied``) and its input (``ValidationError`` with a translated
message, nothing saved), runs in one transaction and writes an audit record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.audit.rules import record
from minyi.exemplars.access import ExemplarPerm
from minyi.exemplars.choices import Level, MaterialKind
from minyi.exemplars.models import ActivityExemplar, Exemplar, ExemplarMaterial, Showing
from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.org.permissions import can
from minyi.org.rules import Actor
from minyi.study.access import StudyPerm
from minyi.study.models import Activity
from minyi.study.rules import Period

#: Who may see the library: everyone who may see study.
#: Who may keep the library (role models, materials, showings).


def _require_manager(actor: Actor) -> None:
    if actor is None:
        return  # the system (commands, demo)
    if not can(actor, ExemplarPerm.MANAGE):
        raise PermissionDenied(_("You may not keep the library of role models."))


def _require_organiser(actor: Actor, activity: Activity) -> None:
    if actor is None:
        return
    if not can(actor, StudyPerm.ORGANISE, activity.unit):
        raise PermissionDenied(_("You may not organise study for this unit."))


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _text(value: str, label: str, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("Please fill in %(field)s.") % {"field": label}, code="required")
    if len(value) > limit:
        raise ValidationError(
            _("%(field)s is too long (at most %(n)d characters).") % {"field": label, "n": limit},
            code="too_long",
        )
    return value


def _exemplar_fields(*, name: str, level: str, known_for: str, biography: str, place: str) -> dict[str, str]:
    if level not in Level.values:
        raise ValidationError(_("Unknown level of role model."), code="level")
    return {
        "name": _text(name, _("the name"), limit=100),
        "level": level,
        "known_for": _text(known_for, _("what they are known for")),
        "biography": (biography or "").strip(),
        "place": _text(place, _("the unit or place"), required=False),
    }


def _check_unique(fields: dict[str, str], exclude: int | None = None) -> None:
    same = Exemplar.objects.filter(name=fields["name"], place=fields["place"])
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ValidationError(
            _("The library already has %(name)s of this unit or place.") % {"name": fields["name"]},
            code="duplicate",
        )


# --- the library -----------------------------------------------------------------------------------


def create_exemplar(
    *, name: str, level: str, known_for: str, biography: str = "", place: str = "", actor: Actor
) -> Exemplar:
    """A new role model in the library."""
    _require_manager(actor)
    fields = _exemplar_fields(name=name, level=level, known_for=known_for, biography=biography, place=place)
    _check_unique(fields)
    with transaction.atomic():
        exemplar = Exemplar.objects.create(**fields, created_by=_user(actor))
        record("exemplars.exemplar.create", actor=actor, obj=exemplar, detail={"level": level})
    return exemplar


def edit_exemplar(
    exemplar: Exemplar,
    *,
    name: str,
    level: str,
    known_for: str,
    biography: str = "",
    place: str = "",
    actor: Actor,
) -> Exemplar:
    """Change what the library says of a role model; the audit record names the fields changed."""
    _require_manager(actor)
    fields = _exemplar_fields(name=name, level=level, known_for=known_for, biography=biography, place=place)
    _check_unique(fields, exclude=exemplar.pk)
    changed = [key for key, value in fields.items() if getattr(exemplar, key) != value]
    if not changed:
        return exemplar
    with transaction.atomic():
        for key in changed:
            setattr(exemplar, key, fields[key])
        exemplar.save(update_fields=changed)
        record("exemplars.exemplar.edit", actor=actor, obj=exemplar, detail={"fields": changed})
    return exemplar


def add_material(
    exemplar: Exemplar, *, kind: str, title: str, copies: int = 1, actor: Actor
) -> ExemplarMaterial:
    """A material about the role model (compilation, film, picture exhibition …) with its copies."""
    _require_manager(actor)
    if kind not in MaterialKind.values:
        raise ValidationError(_("Unknown kind of material."), code="kind")
    title = _text(title, _("the title"))
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise ValidationError(_("A material has at least one copy or set."), code="copies")
    with transaction.atomic():
        material = ExemplarMaterial.objects.create(
            exemplar=exemplar, kind=kind, title=title, copies=copies, created_by=_user(actor)
        )
        record(
            "exemplars.material.add",
            actor=actor,
            obj=material,
            subject=exemplar.name,
            detail={"kind": kind, "copies": copies},
        )
    return material


def record_showing(
    material: ExemplarMaterial,
    *,
    place: str,
    shown_on: dt.date,
    audience: int,
    unit: Unit | None = None,
    actor: Actor,
    today: dt.date | None = None,
) -> Showing:
    """Where and when a material was shown, and to how many people (not a day in the future)."""
    _require_manager(actor)
    place = (place or "").strip() or (unit.name if unit is not None else "")
    place = _text(place, _("where it was shown"))
    if not isinstance(shown_on, dt.date):
        raise ValidationError(_("Please give the day of the showing."), code="date")
    if shown_on > (today or timezone.localdate()):
        raise ValidationError(_("A showing cannot be recorded for a day in the future."), code="future")
    if isinstance(audience, bool) or not isinstance(audience, int) or audience < 0:
        raise ValidationError(_("The audience is a whole number, 0 or more."), code="audience")
    with transaction.atomic():
        showing = Showing.objects.create(
            material=material, place=place, unit=unit, shown_on=shown_on, audience=audience,
            recorded_by=_user(actor),
        )  # fmt: skip
        record(
            "exemplars.showing",
            actor=actor,
            obj=showing,
            subject=material.exemplar.name,
            detail={"date": shown_on.isoformat(), "audience": audience, "unit": unit.code if unit else None},
        )
    return showing


# --- study activities ------------------------------------------------------------------------------


def link_activity(activity: Activity, exemplar: Exemplar, *, actor: Actor) -> ActivityExemplar:
    """The study activity learns from the role model (organisers of the activity's unit only)."""
    _require_organiser(actor, activity)
    if ActivityExemplar.objects.filter(activity=activity, exemplar=exemplar).exists():
        raise ValidationError(
            _("%(activity)s is already linked to %(name)s.")
            % {"activity": activity.title, "name": exemplar.name},
            code="duplicate",
        )
    try:
        with transaction.atomic():
            link = ActivityExemplar.objects.create(
                activity=activity, exemplar=exemplar, linked_by=_user(actor)
            )
            record(
                "exemplars.link",
                actor=actor,
                obj=activity,
                subject=exemplar.name,
                detail={"exemplar": exemplar.pk},
            )
    except IntegrityError as error:  # a second request linked the same pair a moment earlier
        raise ValidationError(
            _("%(activity)s is already linked to %(name)s.")
            % {"activity": activity.title, "name": exemplar.name},
            code="duplicate",
        ) from error
    return link


def unlink_activity(activity: Activity, exemplar: Exemplar, *, actor: Actor) -> None:
    """The study activity no longer learns from the role model."""
    _require_organiser(actor, activity)
    with transaction.atomic():
        deleted, _rows = ActivityExemplar.objects.filter(activity=activity, exemplar=exemplar).delete()
        if not deleted:
            raise ValidationError(
                _("%(activity)s is not linked to %(name)s.")
                % {"activity": activity.title, "name": exemplar.name},
                code="not_linked",
            )
        record(
            "exemplars.unlink",
            actor=actor,
            obj=activity,
            subject=exemplar.name,
            detail={"exemplar": exemplar.pk},
        )


def exemplars_of(activity: Activity) -> QuerySet[Exemplar]:
    """The role models a study activity learns from."""
    return Exemplar.objects.filter(activity_links__activity=activity).order_by("name", "pk")


# --- figures ---------------------------------------------------------------------------------------


def showings_in(period: Period, unit: Unit | None = None) -> QuerySet[Showing]:
    """Showings on a day of the period (and, with ``unit``, placed in its subtree; those placed in no
    unit count for the district, the root of the tree)."""
    showings = Showing.objects.all()
    if period.date_from is not None:
        showings = showings.filter(shown_on__gte=period.date_from)
    if period.date_to is not None:
        showings = showings.filter(shown_on__lte=period.date_to)
    if unit is not None:
        within = Q(unit__path__startswith=unit.path)
        if unit.parent_id is None:  # a showing placed in no unit belongs to the whole district
            within |= Q(unit__isnull=True)
        showings = showings.filter(within)
    return showings


def linked_activities(period: Period, unit: Unit | None = None) -> QuerySet[Activity]:
    """Study activities linked to a role model: of the campaign, with a session in the period when
    dates are given (as the study figures count them), in the unit subtree when given."""
    activities = Activity.objects.filter(exemplar_links__isnull=False)
    if period.campaign is not None:
        activities = activities.filter(campaign=period.campaign)
    if unit is not None:
        activities = activities.filter(unit__path__startswith=unit.path)
    if period.explicit_dates:
        activities = activities.filter(pk__in=period.sessions().values("activity_id"))
    return activities.distinct()


def summary(
    campaign: Campaign | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    unit: Unit | None = None,
) -> dict[str, Any]:
    """The role-model figures of a campaign or period (the campaign's dates unless dates are given;
    everything when neither): the library by level, materials by kind (titles and copies), showings
    in the period by kind of material with their audience, places and role models shown, and the study
    activities linked to a role model. ``ValidationError`` when the period ends before it starts."""
    period = Period(campaign, date_from, date_to)
    by_level = dict(Exemplar.objects.values_list("level").annotate(n=Count("pk")).order_by())
    materials = {
        kind: {"titles": titles, "copies": copies or 0}
        for kind, titles, copies in ExemplarMaterial.objects.values_list("kind")
        .annotate(titles=Count("pk"), copies=Sum("copies"))
        .order_by()
    }
    showings = showings_in(period, unit)
    shown = {
        kind: {"showings": n, "audience": people or 0}
        for kind, n, people in showings.values_list("material__kind")
        .annotate(n=Count("pk"), people=Sum("audience"))
        .order_by()
    }
    totals = showings.aggregate(
        n=Count("pk"),
        audience=Sum("audience"),
        places=Count("place", distinct=True),
        exemplars=Count("material__exemplar", distinct=True),
    )
    activities = linked_activities(period, unit)
    return {
        "campaign": period.campaign.code if period.campaign else None,
        "from": period.date_from.isoformat() if period.date_from else None,
        "to": period.date_to.isoformat() if period.date_to else None,
        "exemplars": {level: by_level.get(level, 0) for level in Level.values},
        "exemplars_total": sum(by_level.values()),
        "materials": {kind: materials.get(kind, {"titles": 0, "copies": 0}) for kind in MaterialKind.values},
        "showings": totals["n"],
        "audience": totals["audience"] or 0,
        "places": totals["places"],
        "exemplars_shown": totals["exemplars"],
        "showings_by_kind": {
            kind: shown.get(kind, {"showings": 0, "audience": 0}) for kind in MaterialKind.values
        },
        "activities_linked": activities.count(),
        "links": ActivityExemplar.objects.filter(activity__in=activities).count(),
    }
