"""Symposia pages: the list with its figures, a new symposium, one symposium with its opinions, its
edit form and the batch opinion form. Views only ask and show; rules.py and summary.py do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from minyi.appeals.access import openable
from minyi.org.permissions import can, require, visible
from minyi.paging import window
from minyi.symposia import rules
from minyi.symposia.access import SymposiumPerm
from minyi.symposia.forms import OPINION_ROWS, FilterForm, LinesForm, SymposiumForm, opinion_formset
from minyi.symposia.models import Symposium
from minyi.symposia.rules import BATCH_MAX, OpinionInput
from minyi.symposia.summary import listed

PAGE_SIZE = 50
RELATED = ("host", "township", "village", "campaign")


def _show_errors(form: Form, error: ValidationError) -> None:
    """Put the rule's errors on the form fields they name (others on the form itself)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_GET
def symposium_list(request: HttpRequest) -> HttpResponse:
    """The symposia this user may see, filtered, with symposia, attendees and opinions counted."""
    require(request.user, SymposiumPerm.VIEW)
    form = FilterForm(request.GET or None)
    figures = None
    rows: list[Symposium] = []
    page = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        figures, listed_rows = listed(request.user, data)
        rows, page = window(listed_rows, request.GET.get("page"), size=PAGE_SIZE, last=1000)
    return render(
        request,
        "symposia/list.html",
        {
            "form": form,
            "figures": figures,
            "rows": rows,
            "page": page,
            "may_add": can(request.user, SymposiumPerm.ADD),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_symposium(request: HttpRequest) -> HttpResponse:
    """Record a symposium that was held (mobile first, no JavaScript needed)."""
    require(request.user, SymposiumPerm.ADD)
    form = SymposiumForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            symposium = rules.hold_symposium(actor=request.user, **form.arguments())
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The symposium is recorded: now enter the opinions heard."))
            return redirect("symposia:opinions", pk=symposium.pk)
    return render(request, "symposia/form.html", {"form": form, "symposium": None})


def _visible_symposium(request: HttpRequest, pk: int, action: str = SymposiumPerm.VIEW) -> Symposium:
    """The symposium, if this user may see it (and do ``action`` to it); otherwise 404 or 403."""
    require(request.user, action)
    symposium = visible(request.user, Symposium.objects.filter(pk=pk).select_related(*RELATED)).first()
    if symposium is None:
        raise Http404
    if action != SymposiumPerm.VIEW:
        require(request.user, action, symposium)
    return symposium


@login_required
@require_GET
def symposium_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One symposium: its details, minutes, and the opinions heard, each linking to its appeal."""
    symposium = _visible_symposium(request, pk)
    opinions = list(symposium.opinions.select_related("appeal").order_by("id"))
    return render(
        request,
        "symposia/detail.html",
        {
            "symposium": symposium,
            "opinions": opinions,
            "openable": openable(request.user, [o.appeal for o in opinions if o.appeal is not None]),
            "may_add": can(request.user, SymposiumPerm.ADD, symposium),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_symposium(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a symposium's details (its date and place stay once opinions are entered)."""
    symposium = _visible_symposium(request, pk, SymposiumPerm.ADD)
    initial = {name: getattr(symposium, name) for name in rules.EDITABLE}
    form = SymposiumForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            rules.edit_symposium(symposium, actor=request.user, **form.arguments())
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The symposium is saved."))
            return redirect("symposia:detail", pk=symposium.pk)
    return render(request, "symposia/form.html", {"form": form, "symposium": symposium})


def _rows(request: HttpRequest) -> int:
    try:
        wanted = int(request.GET.get("rows") or OPINION_ROWS)
    except ValueError:
        wanted = OPINION_ROWS
    return min(max(wanted, 1), BATCH_MAX)


@login_required
@require_http_methods(["GET", "POST"])
def add_opinions(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch opinion form: N rows (text, kind, speaker, category), or one opinion per line."""
    symposium = _visible_symposium(request, pk, SymposiumPerm.ADD)
    mode = "lines" if (request.POST.get("mode") or request.GET.get("mode")) == "lines" else "rows"
    rows = _rows(request)
    posted = request.POST if request.method == "POST" else None
    formset = opinion_formset(rows)(posted if mode == "rows" else None, prefix="opinion")
    lines = LinesForm(posted if mode == "lines" else None)
    errors: list[str] = []
    if request.method == "POST":
        items: list[OpinionInput] | None = None
        if mode == "rows" and formset.is_valid():
            items = [
                item for number, row in enumerate(formset, start=1) for item in [row.item(number)] if item
            ]
        elif mode == "lines" and lines.is_valid():
            items = lines.items()
        if items is not None:
            try:
                appeals = rules.add_opinions(symposium, items, actor=request.user)
            except ValidationError as error:
                errors = error.messages
            else:
                count = len(appeals)
                messages.success(
                    request,
                    ngettext(
                        "%(n)d opinion entered as an appeal.", "%(n)d opinions entered as appeals.", count
                    )
                    % {"n": count},
                )
                return redirect("symposia:detail", pk=symposium.pk)
    return render(
        request,
        "symposia/opinions.html",
        {
            "symposium": symposium,
            "formset": formset,
            "lines": lines,
            "mode": mode,
            "errors": errors,
            "more_rows": min(rows + OPINION_ROWS, BATCH_MAX),
        },
    )
