"""Assistance pages: the coordinator's desk and case pages, a delivering unit's parts, opening a case
from an appeal or a visit's difficulty. Views only ask and show; rules.py does the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi.appeals.access import openable
from minyi.appeals.models import Appeal
from minyi.appeals.uploads import serve, serve_thumbnail
from minyi.assistance import rules
from minyi.assistance.access import (
    AssistancePerm,
    coordination,
    delivers_for,
    household_details,
    is_coordinator,
    may_open_case,
    sees_all,
)
from minyi.assistance.choices import CaseState, PartState
from minyi.assistance.forms import DeclineForm, DeliveryForm, EligibilityForm, HandOutForm, OpenCaseForm
from minyi.assistance.models import Case, CasePart, Delivery, EligibilityItem
from minyi.assistance.queries import desk_cases, unit_parts
from minyi.assistance.summary import summary
from minyi.org.models import Household
from minyi.org.permissions import visible
from minyi.outreach.models import Difficulty, Visit
from minyi.paging import window

PAGE_SIZE = 50


def _put_errors(form: Form, error: ValidationError) -> None:
    """Put the rule's errors on the form fields they name (others on the form itself)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The coordinator and overseers go to the desk; a delivering unit to its parts."""
    if sees_all(request.user):
        return redirect("assistance:desk")
    if request.user.has_perm(AssistancePerm.DELIVER):
        return redirect("assistance:parts")
    if may_open_case(request.user):
        return redirect("assistance:new")
    raise PermissionDenied(_("You may not do this here: it lies outside your unit or your role."))


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """The coordinator's desk: parts waiting to be handed out, stale cases, all cases, and figures."""
    if not sees_all(request.user):
        raise PermissionDenied(_("Only the coordinating unit sees all assistance cases."))
    config = coordination()
    show = request.GET.get("state", CaseState.OPEN)
    code = request.GET.get("household", "").strip()
    cases = desk_cases(show, code)
    rows, page = window(cases, request.GET.get("page"), size=PAGE_SIZE, last=1000)
    return render(
        request,
        "assistance/desk.html",
        {
            "config": config,
            "coordinating": is_coordinator(request.user, config),
            "waiting": rules.parts_waiting()[:PAGE_SIZE],
            "stale": rules.stale_cases(config=config)[:PAGE_SIZE] if config else [],
            "rows": rows,
            "page": page,
            "show": show,
            "household": code,
            "figures": summary(),
            "states": CaseState.choices,
        },
    )


@login_required
@require_GET
def my_parts(request: HttpRequest) -> HttpResponse:
    """The parts handed to the user's unit, those still to deliver first."""
    if not request.user.has_perm(AssistancePerm.DELIVER):
        raise PermissionDenied(_("You may not do this here: it lies outside your unit or your role."))
    pending = request.GET.get("show") != "all"
    rows, page = window(
        unit_parts(request.user, pending=pending), request.GET.get("page"), size=PAGE_SIZE, last=1000
    )
    return render(request, "assistance/parts.html", {"rows": rows, "page": page, "pending": pending})


def _source(request: HttpRequest) -> tuple[Appeal | None, Difficulty | None]:
    """The appeal or difficulty named in the query, if this user may see it (404 otherwise)."""
    appeal = difficulty = None
    number = request.GET.get("appeal") or request.POST.get("appeal")
    if number:
        appeal = visible(request.user, Appeal.objects.filter(number=number)).first()
        if appeal is None:
            raise Http404
    raw = request.GET.get("difficulty") or request.POST.get("difficulty")
    if raw:
        if not str(raw).isdigit():
            raise Http404
        difficulty = (
            Difficulty.objects.select_related("visit__household__village").filter(pk=int(raw)).first()
        )
        seen = difficulty is not None and (
            is_coordinator(request.user)
            or visible(request.user, Visit.objects.filter(pk=difficulty.visit_id)).exists()
        )
        if not seen:
            raise Http404
    return appeal, difficulty


def _suggested_household(appeal: Appeal | None, difficulty: Difficulty | None) -> Household | None:
    if difficulty is not None:
        return difficulty.visit.household
    if appeal is not None and appeal.village_id and appeal.citizen_phone:
        found = list(Household.objects.filter(village_id=appeal.village_id, phone=appeal.citizen_phone)[:2])
        if len(found) == 1:
            return found[0]
    return None


@login_required
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest) -> HttpResponse:
    """Open a case for a household, from an appeal (?appeal=number), a visit's difficulty
    (?difficulty=id) or directly."""
    if not may_open_case(request.user):
        raise PermissionDenied(_("You may not open assistance cases."))
    appeal, difficulty = _source(request)
    if request.method == "POST":
        form = OpenCaseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = rules.open_case(
                    actor=request.user,
                    household=data["household_code"],
                    types=data["types"],
                    note=data["note"],
                    campaign=data["campaign"],
                    source_appeal=appeal,
                    source_difficulty=difficulty,
                )
            except ValidationError as error:
                _put_errors(form, error)
            else:
                messages.success(request, _("Assistance case #%(n)s is opened.") % {"n": case.pk})
                if sees_all(request.user):
                    return redirect("assistance:case", pk=case.pk)
                if difficulty is not None:
                    return redirect("outreach:visit", pk=difficulty.visit_id)
                if appeal is not None:
                    return redirect("appeals:detail", appeal.number)
                return redirect("home")
    else:
        household = _suggested_household(appeal, difficulty)
        initial: dict[str, Any] = {"household_code": household.code if household else ""}
        if difficulty is not None:
            initial["note"] = difficulty.text[:500]
        elif appeal is not None:
            initial["note"] = appeal.title
        form = OpenCaseForm(initial=initial)
    return render(request, "assistance/new.html", {"form": form, "appeal": appeal, "difficulty": difficulty})


def _case(request: HttpRequest, pk: int) -> Case:
    case = (
        visible(request.user, Case.objects.filter(pk=pk))
        .select_related(
            "household__village__parent",
            "township",
            "campaign",
            "source_appeal",
            "source_difficulty__visit",
            "opened_by__person",
        )
        .first()
    )
    if case is None:
        raise Http404
    return case


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    failed: dict[int, HandOutForm] | None = None,
    eligibility: EligibilityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    config = coordination()
    coordinating = is_coordinator(request.user, config)
    parts = list(
        case.parts.select_related("unit", "handed_by__person").prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.select_related("delivered_by"))
        )
    )
    rows = []
    for part in parts:
        form = None
        warnings: list[CasePart] = []
        # A part may be handed (again) until something is delivered for it.
        if (
            coordinating
            and case.state == CaseState.OPEN
            and (
                part.state == PartState.REQUESTED
                or (part.state == PartState.HANDED and not part.deliveries.all())
            )
        ):
            form = (failed or {}).get(part.pk) or HandOutForm(part=part)
            warnings = list(rules.repeats(part, config=config))
        rows.append({"part": part, "form": form, "repeats": warnings})
    types = [p.type for p in parts]
    items = list(EligibilityItem.objects.filter(type__in=types, is_active=True))
    answers = {a.item_id: a for a in case.eligibility.select_related("answered_by__person")}
    if eligibility is None and items:
        eligibility = EligibilityForm(items=items, answers=answers)
    history = rules.household_history(case.household).exclude(case=case)
    return render(
        request,
        "assistance/case.html",
        {
            "case": case,
            "household": household_details(request.user, case.household, obj=case),
            "rows": rows,
            "coordinating": coordinating,
            "eligibility": eligibility if coordinating and case.state == CaseState.OPEN else None,
            "answers": [answers[i.pk] for i in items if i.pk in answers],
            "history": history,
            "openable": openable(request.user, [case.source_appeal] if case.source_appeal else []),
            "may_close": coordinating
            and case.state == CaseState.OPEN
            and all(p.state in (PartState.DELIVERED, PartState.DECLINED) for p in parts),
        },
        status=status,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One case with all its parts, deliveries, eligibility, and the household's other cases."""
    return _case_page(request, _case(request, pk))


@login_required
@require_POST
def hand_out(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand one part of a case to a delivering unit."""
    part = visible(request.user, CasePart.objects.filter(pk=pk)).select_related("case").first()
    if part is None:
        raise Http404
    case = _case(request, part.case_id)
    form = HandOutForm(request.POST, part=part)
    if form.is_valid():
        try:
            rules.hand_out(
                part,
                actor=request.user,
                unit=form.cleaned_data["unit"],
                confirm_repeat=form.cleaned_data["confirm_repeat"],
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(
                request,
                _("%(type)s assistance is handed to %(unit)s.")
                % {"type": part.get_type_display(), "unit": form.cleaned_data["unit"].name},
            )
            return redirect("assistance:case", pk=case.pk)
    return _case_page(request, case, failed={part.pk: form}, status=400)


@login_required
@require_POST
def eligibility(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the answers to the eligibility checklists of the case's types."""
    case = _case(request, pk)
    items = list(EligibilityItem.objects.filter(type__in=case.parts.values("type"), is_active=True))
    form = EligibilityForm(request.POST, items=items, answers={})
    if form.is_valid():
        try:
            rules.record_eligibility(case, actor=request.user, answers=form.answers())
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("The eligibility checklist is recorded."))
            return redirect("assistance:case", pk=case.pk)
    return _case_page(request, case, eligibility=form, status=400)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    try:
        rules.close_case(case, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case is closed."))
    return redirect("assistance:case", pk=case.pk)


def _part(request: HttpRequest, pk: int) -> CasePart:
    part = (
        visible(request.user, CasePart.objects.filter(pk=pk))
        .select_related("case__household__village__parent", "unit", "case__township")
        .first()
    )
    if part is None:
        raise Http404
    return part


def _part_page(
    request: HttpRequest,
    part: CasePart,
    *,
    delivery: DeliveryForm | None = None,
    decline: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    acting = delivers_for(request.user, part.unit) and part.case.state == CaseState.OPEN
    return render(
        request,
        "assistance/part.html",
        {
            "part": part,
            "case": part.case,
            "household": household_details(request.user, part.case.household, obj=part),
            "deliveries": part.deliveries.select_related("delivered_by"),
            "delivery_form": (delivery or DeliveryForm())
            if acting and part.state in (PartState.HANDED, PartState.DELIVERED)
            else None,
            "decline_form": (decline or DeclineForm()) if acting and part.state == PartState.HANDED else None,
            "sees_case": sees_all(request.user),
        },
        status=status,
    )


@login_required
@require_GET
def part_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One part as its delivering unit sees it: the household, what to deliver, what was given."""
    return _part_page(request, _part(request, pk))


@login_required
@require_POST
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    part = _part(request, pk)
    form = DeliveryForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rules.record_delivery(
                part, actor=request.user, item=form.item(), evidence=form.cleaned_data["evidence"]
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("The delivery is recorded."))
            return redirect("assistance:part", pk=part.pk)
    return _part_page(request, part, delivery=form, status=400)


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    part = _part(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            rules.decline_part(part, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("The part is declined."))
            return redirect("assistance:part", pk=part.pk)
    return _part_page(request, part, decline=form, status=400)


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A delivery's evidence file, for those who may see its part."""
    return serve(_visible_delivery(request, pk))


@login_required
@require_GET
def evidence_thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    """A delivery's evidence photo as a thumbnail, for the same readers as the photo."""
    return serve_thumbnail(_visible_delivery(request, pk))


def _visible_delivery(request: HttpRequest, pk: int) -> Delivery:
    delivery = Delivery.objects.filter(pk=pk).first()
    if delivery is None or not visible(request.user, CasePart.objects.filter(pk=delivery.part_id)).exists():
        raise Http404
    return delivery
