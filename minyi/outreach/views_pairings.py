"""Pairing pages (挂钩联系), under /outreach/pairings/: the list of the user's scope with planned vs
done, a leader's or cadre's own pairings, the new-pairing form and "end pairing". Views ask and show;
rules.py changes, pairings.py counts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi.org.permissions import can, person_of, require
from minyi.outreach import rules
from minyi.outreach.access import OutreachPerm, may_list
from minyi.outreach.forms import PairingFilterForm, PairingForm
from minyi.outreach.models import Pairing
from minyi.outreach.pairings import measure, progress, visits_done
from minyi.outreach.queries import filtered, scoped_pairings
from minyi.paging import window

PAGE_SIZE = 50


def _show_errors(form: PairingForm, error: ValidationError) -> None:
    """Put the rule's errors on the fields they name (the household code for a household's place)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name == "unit" and form.cleaned_data.get("household_code") is not None:
            name = "household_code"
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_GET
def pairing_list(request: HttpRequest) -> HttpResponse:
    """Pairings of the user's scope, each with its plan and planned vs done, shortfalls marked."""
    if not may_list(request.user):
        require(request.user, OutreachPerm.VIEW_COVERAGE)
    today = timezone.localdate()
    form = PairingFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    date_from: date | None = data.get("date_from")
    date_to: date | None = data.get("date_to")
    pairings = filtered(scoped_pairings(request.user), data).order_by("state", "person__name", "pk")
    annotated = visits_done(pairings, today, date_from, date_to)
    rows, page = window(annotated, request.GET.get("page"), size=PAGE_SIZE, last=1000)
    return render(
        request,
        "outreach/pairing_list.html",
        {
            "form": form,
            "rows": [measure(pairing, today, date_from, date_to) for pairing in rows],
            "page": page,
            "today": today,
            "may_add": can(request.user, OutreachPerm.ADD_PAIRING),
            "may_end": can(request.user, OutreachPerm.CHANGE_PAIRING),
        },
    )


@login_required
@require_GET
def my_pairings(request: HttpRequest) -> HttpResponse:
    """The signed-in leader's or cadre's own pairings with planned vs done (active first)."""
    require(request.user, OutreachPerm.ADD_VISIT)
    person = person_of(request.user)
    today = timezone.localdate()
    pairings = Pairing.objects.filter(person=person).order_by("state", "started_on", "pk")
    return render(
        request,
        "outreach/pairing_mine.html",
        {"rows": progress(pairings, today), "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pairing_new(request: HttpRequest) -> HttpResponse:
    """Pair a leader or cadre with a village, an enterprise or a household, with a plan."""
    require(request.user, OutreachPerm.ADD_PAIRING)
    form = PairingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            pairing = rules.create_pairing(actor=request.user, **form.arguments())
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request, _("%(person)s is paired with %(place)s.") % {"person": pairing.person.name,
                                                                     "place": _place_name(pairing)}
            )  # fmt: skip
            return redirect("outreach:pairings")
    status = 400 if request.method == "POST" else 200
    return render(request, "outreach/pairing_form.html", {"form": form}, status=status)


def _place_name(pairing: Pairing) -> str:
    if pairing.household is not None:
        return f"{pairing.household.village.name} · {pairing.household.code} {pairing.household.head_name}"
    return pairing.unit.name if pairing.unit is not None else ""


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End an active pairing of the user's scope (today)."""
    require(request.user, OutreachPerm.CHANGE_PAIRING)
    pairing = scoped_pairings(request.user).filter(pk=pk).first()
    if pairing is None:
        raise Http404
    try:
        rules.end_pairing(pairing, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The pairing of %(person)s has ended.") % {"person": pairing.person.name})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("outreach:pairings")
