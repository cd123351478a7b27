"""Outreach pages: record a visit, my visits, one visit with its difficulties, and coverage. Views only
ask and show; rules.py and coverage.py do the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi.appeals.access import openable
from minyi.org.models import Unit
from minyi.org.permissions import person_of, require, scope_of, visible
from minyi.outreach import rules
from minyi.outreach.access import OutreachPerm
from minyi.outreach.choices import Checklist
from minyi.outreach.coverage import coverage as compute_coverage
from minyi.outreach.forms import CoverageForm, DifficultyFormSet, VisitForm
from minyi.outreach.models import Difficulty, Visit, checklist_labels
from minyi.paging import window

PAGE_SIZE = 50
RELATED = ("visitor", "village", "household", "enterprise", "campaign")


def _show_errors(form: VisitForm, error: ValidationError) -> None:
    """Put the rule's errors on the form fields they name (others on the form itself)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            if name == "household":  # the household is picked under its search box
                name = "household_search"
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _checklist_rows(form: VisitForm) -> list[tuple[Any, Any, str]]:
    """(box, note, word) of each slot of the five ones, in the words of the form's campaign."""
    words = checklist_labels(form.chosen_campaign())
    return [
        (
            form[item.value],
            form["diary_text" if item == Checklist.DIARY else f"{item.value}_note"],
            words[item.value],
        )
        for item in Checklist
    ]


@login_required
@require_http_methods(["GET", "POST"])
def record_visit(request: HttpRequest) -> HttpResponse:
    """The cadre's "record a visit" form (phone first; works without JavaScript, htmx only helps)."""
    require(request.user, OutreachPerm.ADD_VISIT)
    if request.method == "POST":
        form = VisitForm(request.POST, user=request.user)
        formset = DifficultyFormSet(request.POST, prefix="difficulty")
        if form.is_valid() and formset.is_valid():
            items = [item for row in formset for item in [row.item()] if item is not None]
            try:
                visit = rules.record_visit(actor=request.user, difficulties=items, **form.arguments())
            except ValidationError as error:
                _show_errors(form, error)
            else:
                messages.success(request, _("The visit is recorded."))
                return redirect("outreach:visit", pk=visit.pk)
    else:
        form = VisitForm(user=request.user)
        formset = DifficultyFormSet(prefix="difficulty")
    context = {
        "form": form,
        "formset": formset,
        "checklist": _checklist_rows(form),
        "matches": form.household_matches(),
        "picked": form.data.get("household", "") if form.is_bound else "",
        "wrong": _wrong_fields(form, formset),
    }
    return render(request, "outreach/record.html", context)


def _wrong_fields(form: VisitForm, formset: Any) -> list[str]:
    """The labels of the fields with an error, for the summary above the form."""
    if not form.is_bound:
        return []
    wrong = [str(form.fields[name].label) for name in form.errors if name in form.fields]
    if any(row.errors for row in formset) or formset.non_form_errors():
        wrong.append(_("Difficulties found"))
    return wrong


@login_required
@require_GET
def household_search(request: HttpRequest) -> HttpResponse:
    """The households of the chosen village that match what was typed (the head's name, door number
    or code), as the short list of the visit form (htmx); names masked."""
    require(request.user, OutreachPerm.ADD_VISIT)
    form = VisitForm(request.GET, user=request.user)
    village = form.chosen_village()
    query = request.GET.get("household_search", "").strip()
    context = {
        "form": form,
        "matches": form.household_matches(),
        "picked": request.GET.get("household", ""),
        "no_village": village is None and bool(query),
        "searched": bool(query),
    }
    return render(request, "outreach/_household_results.html", context)


@login_required
@require_GET
def visit_checklist(request: HttpRequest) -> HttpResponse:
    """The five ones of the visit form in the words of the chosen campaign (htmx), keeping the ticks
    and notes already made."""
    require(request.user, OutreachPerm.ADD_VISIT)
    form = VisitForm(request.GET, user=request.user)
    return render(request, "outreach/_checklist.html", {"checklist": _checklist_rows(form), "quiet": True})


@login_required
@require_GET
def my_visits(request: HttpRequest) -> HttpResponse:
    """The visits the signed-in leader or cadre made, newest first."""
    require(request.user, OutreachPerm.ADD_VISIT)
    person = person_of(request.user)
    visits = Visit.objects.filter(visitor=person).select_related(*RELATED)
    rows, page = window(visits, request.GET.get("page"), size=PAGE_SIZE, last=1000)
    return render(request, "outreach/list.html", {"rows": rows, "page": page})


def _visible_visit(request: HttpRequest, pk: int) -> Visit:
    """The visit, if this user may see it; otherwise 404 (its existence is not revealed)."""
    if not (
        request.user.has_perm(OutreachPerm.ADD_VISIT) or request.user.has_perm(OutreachPerm.VIEW_COVERAGE)
    ):
        require(request.user, OutreachPerm.ADD_VISIT)
    visit = visible(request.user, Visit.objects.filter(pk=pk).select_related(*RELATED)).first()
    if visit is None:
        raise Http404
    return visit


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit: checklist, diary, and the difficulties with their "make it an appeal" buttons."""
    visit = _visible_visit(request, pk)
    difficulties = list(visit.difficulties.select_related("appeal", "category"))
    person = person_of(request.user)
    words = checklist_labels(visit.campaign)
    checklist = [
        (
            getattr(visit, item.value),
            words[item.value],
            "" if item == Checklist.DIARY else getattr(visit, f"{item.value}_note"),
        )
        for item in Checklist
    ]
    return render(
        request,
        "outreach/detail.html",
        {
            "checklist": checklist,
            "visit": visit,
            "difficulties": difficulties,
            "openable": openable(request.user, [d.appeal for d in difficulties if d.appeal is not None]),
            "is_visitor": person is not None and person.pk == visit.visitor_id,
        },
    )


@login_required
@require_POST
def make_appeal(request: HttpRequest, pk: int, difficulty_pk: int) -> HttpResponse:
    """Turn one difficulty of the visit into an appeal (channel visit)."""
    visit = _visible_visit(request, pk)
    difficulty = Difficulty.objects.filter(pk=difficulty_pk, visit=visit).first()
    if difficulty is None:
        raise Http404
    try:
        appeal = rules.make_appeal(difficulty, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Appeal %(number)s is made of this difficulty.") % {"number": appeal.number}
        )
    return redirect("outreach:visit", pk=visit.pk)


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Coverage (进村入户) in the user's scope, for a period, with the places not yet visited."""
    require(request.user, OutreachPerm.VIEW_COVERAGE)
    scope = scope_of(request.user)
    within = scope if isinstance(scope, Unit) else None
    form = CoverageForm(request.GET or None)
    figures = None
    rows: list[object] = []
    page = None
    show = "villages"
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        figures = compute_coverage(
            within=within,
            campaign=data.get("campaign"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        show = data.get("show") or "villages"
        missing = (
            figures.households_not_visited().order_by("code")
            if show == "households"
            else figures.villages_not_visited().order_by("path")
        )
        rows, page = window(missing, request.GET.get("page"), size=PAGE_SIZE, last=1000)
    return render(
        request,
        "outreach/coverage.html",
        {"form": form, "figures": figures, "rows": rows, "page": page, "show": show},
    )
