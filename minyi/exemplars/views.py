"""Role-model pages: the library by level, a role model with its materials, showings and the study
activities that learn from it, the forms that keep the library, the links from a study activity, and
the summary. Views ask and show; rules.py does the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi.exemplars import rules
from minyi.exemplars.access import ExemplarPerm
from minyi.exemplars.choices import Level, MaterialKind
from minyi.exemplars.forms import ExemplarForm, LinkForm, MaterialForm, ShowingForm
from minyi.exemplars.models import Exemplar, Showing
from minyi.exemplars.queries import with_figures
from minyi.org.choices import UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import EVERYTHING, can, require, scope_filter, scope_of
from minyi.study.access import StudyPerm
from minyi.study.forms import PeriodForm
from minyi.study.models import Activity

#: Units a showing may be placed in: townships, villages and communities.
SHOWING_UNIT_KINDS = [UnitKind.TOWNSHIP, UnitKind.VILLAGE, UnitKind.COMMUNITY]


def _scope_unit(request: HttpRequest) -> Unit | None:
    scope = scope_of(request.user)
    return None if scope is EVERYTHING or not isinstance(scope, Unit) else scope


def _activities(request: HttpRequest) -> QuerySet[Activity]:
    return scope_filter(request.user, Activity.objects.select_related("unit", "campaign"), "unit__path")


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The library of role models, grouped by level, with their materials, showings and audience."""
    require(request.user, StudyPerm.VIEW)
    rows = list(with_figures(Exemplar.objects.all()))
    groups = [(level.label, [row for row in rows if row.level == level]) for level in Level]
    return render(
        request,
        "exemplars/library.html",
        {"groups": groups, "total": len(rows), "may_manage": can(request.user, ExemplarPerm.MANAGE)},
    )


def _exemplar_form_page(request: HttpRequest, exemplar: Exemplar | None) -> HttpResponse:
    require(request.user, ExemplarPerm.MANAGE)
    initial = {}
    if exemplar is not None:
        initial = {
            "name": exemplar.name, "level": exemplar.level, "known_for": exemplar.known_for,
            "place": exemplar.place, "biography": exemplar.biography,
        }  # fmt: skip
    form = ExemplarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {key: data[key] for key in ("name", "level", "known_for", "place", "biography")}
        try:
            if exemplar is None:
                exemplar = rules.create_exemplar(**fields, actor=request.user)
                messages.success(request, _("The role model was added to the library."))
            else:
                rules.edit_exemplar(exemplar, **fields, actor=request.user)
                messages.success(request, _("The role model was saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("exemplars:detail", pk=exemplar.pk)
    return render(
        request,
        "exemplars/exemplar_form.html",
        {"form": form, "exemplar": exemplar},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemplar_new(request: HttpRequest) -> HttpResponse:
    """A new role model in the library (keepers of the library only)."""
    return _exemplar_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def exemplar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change what the library says of a role model."""
    exemplar = Exemplar.objects.filter(pk=pk).first()
    if exemplar is None:
        raise Http404
    return _exemplar_form_page(request, exemplar)


@login_required
@require_http_methods(["GET", "POST"])
def exemplar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A role model, its materials with where each was shown, the study activities that learn from it
    (those in the user's scope), and for keepers of the library the material and showing forms."""
    require(request.user, StudyPerm.VIEW)
    exemplar = Exemplar.objects.filter(pk=pk).first()
    if exemplar is None:
        raise Http404
    may_manage = can(request.user, ExemplarPerm.MANAGE)
    what = request.POST.get("what")
    materials = exemplar.materials.all()
    units = scope_filter(
        request.user, Unit.objects.filter(kind__in=SHOWING_UNIT_KINDS, is_active=True), "path"
    )
    material_form = MaterialForm(request.POST if what == "material" else None) if may_manage else None
    showing_form = (
        ShowingForm(
            request.POST if what == "showing" else None, materials=materials, units=units.order_by("path")
        )
        if may_manage
        else None
    )
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(_("You may not keep the library of role models."))
        form = material_form if what == "material" else showing_form if what == "showing" else None
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                if what == "material":
                    rules.add_material(
                        exemplar,
                        kind=data["kind"],
                        title=data["title"],
                        copies=data["copies"],
                        actor=request.user,
                    )
                    messages.success(request, _("The material was added."))
                else:
                    rules.record_showing(
                        data["material"], place=data["place"], unit=data["unit"], shown_on=data["shown_on"],
                        audience=data["audience"], actor=request.user,
                    )  # fmt: skip
                    messages.success(request, _("The showing was recorded."))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("exemplars:detail", pk=exemplar.pk)
    shown = materials.prefetch_related(Prefetch("showings", queryset=Showing.objects.select_related("unit")))
    activities = _activities(request).filter(exemplar_links__exemplar=exemplar).order_by("-created_at", "-pk")
    return render(
        request,
        "exemplars/detail.html",
        {
            "exemplar": exemplar,
            "materials": shown,
            "activities": activities,
            "may_manage": may_manage,
            "material_form": material_form,
            "showing_form": showing_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def activity_links(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a role model to a study activity, or unlink it (organisers of the activity's unit), then
    go back to the activity's page."""
    require(request.user, StudyPerm.VIEW)
    activity = _activities(request).filter(pk=pk).first()
    if activity is None:
        raise Http404
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a role model."))
        return redirect("study:activity", pk=activity.pk)
    exemplar = form.cleaned_data["exemplar"]
    try:
        if request.POST.get("what") == "unlink":
            rules.unlink_activity(activity, exemplar, actor=request.user)
            messages.success(request, _("%(name)s is no longer linked.") % {"name": exemplar.name})
        else:
            rules.link_activity(activity, exemplar, actor=request.user)
            messages.success(request, _("%(name)s was linked to the activity.") % {"name": exemplar.name})
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("study:activity", pk=activity.pk)


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    """The role-model figures for a campaign or period (showings and activities of the user's scope)."""
    require(request.user, StudyPerm.VIEW)
    form = PeriodForm(request.GET or None)
    campaign = date_from = date_to = None
    if form.is_valid():
        campaign, date_from, date_to = (form.cleaned_data[k] for k in ("campaign", "date_from", "date_to"))
    figures = rules.summary(campaign, date_from, date_to, unit=_scope_unit(request))
    return render(
        request,
        "exemplars/summary.html",
        {
            "form": form,
            "figures": figures,
            "levels": [(Level(k).label, n) for k, n in figures["exemplars"].items()],
            "materials": _material_rows(figures),
        },
    )


def _material_rows(figures: dict[str, Any]) -> list[tuple[str, int, int, int, int]]:
    """(kind, titles, copies, showings, audience) per kind of material, for the summary table."""
    shown = figures["showings_by_kind"]
    return [
        (
            str(MaterialKind(kind).label),
            m["titles"],
            m["copies"],
            shown[kind]["showings"],
            shown[kind]["audience"],
        )
        for kind, m in figures["materials"].items()
    ]
