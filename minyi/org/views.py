"""Pages of the organisation: unit tree, people, households, and the Excel import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minyi import ratelimit
from minyi.audit.rules import record, record_personal_view
from minyi.errors import Invalid
from minyi.org import throttle
from minyi.org.forms import ImportForm, NoticeModeForm, UnlockCodeForm, UnlockRequestForm
from minyi.org.imports import import_workbook, template_workbook
from minyi.org.models import Household, LoginThrottle, Person, StaffNotice, Unit
from minyi.org.permissions import OrgPerm, can, person_of, require, scope_filter
from minyi.org.queries import households_matching, people_matching
from minyi.privacy import mask_address, mask_name, mask_phone

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Node:
    unit: Unit
    children: list[Node] = field(default_factory=list)


def _page(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    require(request.user, OrgPerm.VIEW_UNIT)
    units = list(scope_filter(request.user, Unit.objects.filter(is_active=True), "path").order_by("path"))
    by_id: dict[int, Node] = {}
    roots: list[Node] = []
    for unit in units:  # ordered by path, so every parent comes before its children
        node = by_id[unit.pk] = Node(unit)
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return render(request, "org/unit_tree.html", {"roots": roots, "count": len(units)})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit, code=code)
    require(request.user, OrgPerm.VIEW_UNIT, unit)
    codes = unit.path.strip("/").split("/")[:-1]
    ancestors = sorted(Unit.objects.filter(code__in=codes), key=lambda u: u.depth)
    people = (
        unit.people.filter(is_active=True).order_by("name") if can(request.user, OrgPerm.VIEW_PERSON) else []
    )
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "children": unit.children.filter(is_active=True).order_by("sort", "code"),
            "people": [(p, mask_phone(p.phone)) for p in people],
            "household_count": unit.households.count(),
        },
    )


@login_required
def people(request: HttpRequest) -> HttpResponse:
    require(request.user, OrgPerm.VIEW_PERSON)
    query = request.GET.get("q", "").strip()[:50]
    page = _page(request, people_matching(request.user, query))
    rows = [(person, mask_phone(person.phone)) for person in page]
    return render(request, "org/people.html", {"page": page, "rows": rows, "q": query})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("unit", "user"), pk=pk)
    require(request.user, OrgPerm.VIEW_PERSON, person)
    reveal = can(request.user, OrgPerm.VIEW_PERSONAL_DATA, person)
    if reveal and person.phone:
        record_personal_view(actor=request.user, obj=person, subject=mask_name(person.name), fields=["phone"])
    phone = person.phone if reveal else mask_phone(person.phone)
    context = {"person": person, "phone": phone, "revealed": reveal, "may_unlock": False, "delayed": 0}
    if person.user is not None and can(request.user, OrgPerm.UNLOCK_LOGIN, person):
        delays = LoginThrottle.objects.filter(username=person.user.username, retry_at__gt=throttle.now())
        context.update(may_unlock=True, delayed=delays.count())
    return render(request, "org/person_detail.html", context)


@login_required
@require_http_methods(["POST"])
def person_unlock_login(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin clears every login delay of the person's user name (audited)."""
    person = get_object_or_404(Person.objects.select_related("unit", "user"), pk=pk)
    require(request.user, OrgPerm.UNLOCK_LOGIN, person)
    if person.user is None:
        messages.error(request, _("This person has no login."))
        return redirect("org:person_detail", pk=person.pk)
    throttle.clear_delays(person.user.username, actor=request.user, via="admin", obj=person)
    messages.success(request, _("The login delays of %(name)s are cleared.") % {"name": person.name})
    return redirect("org:person_detail", pk=person.pk)


@require_http_methods(["GET", "POST"])
def unlock_request(request: HttpRequest) -> HttpResponse:
    """Step 1 of unlocking one's own login: a code to the phone or e-mail, if the account exists."""
    form = UnlockRequestForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.hit(request, "login_unlock"):
            return _unlock_limited(request, "org/unlock_request.html", form)
        if form.is_valid():
            username = form.cleaned_data["username"]
            throttle.request_unlock_code(username)  # the same answer whether or not it was sent
            request.session["unlock_username"] = username
            minutes = int(settings.LOGIN_UNLOCK_CODE_VALID.total_seconds() // 60)
            messages.info(
                request,
                _(
                    "If this account exists and has a phone number or e-mail address, a code was sent to it. "
                    "It is valid for %(n)d minutes."
                )
                % {"n": minutes},
            )
            return redirect("unlock_code")
    return render(request, "org/unlock_request.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def unlock_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code clears every login delay of the user name."""
    initial = {"username": request.session.get("unlock_username", "")}
    form = UnlockCodeForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not ratelimit.hit(request, "login_unlock"):
            return _unlock_limited(request, "org/unlock_code.html", form)
        if form.is_valid():
            try:
                throttle.redeem_unlock_code(form.cleaned_data["username"], form.cleaned_data["code"])
            except Invalid as error:
                form.add_error("code", error)
            else:
                request.session.pop("unlock_username", None)
                messages.success(request, _("The waiting time is cleared: you can log in now."))
                return redirect("login")
    return render(request, "org/unlock_code.html", {"form": form}, status=400 if form.errors else 200)


def _unlock_limited(request: HttpRequest, template: str, form: Any) -> HttpResponse:
    return render(request, template, {"form": form, "limited": True}, status=429)


@login_required
def households(request: HttpRequest) -> HttpResponse:
    require(request.user, OrgPerm.VIEW_HOUSEHOLD)
    query = request.GET.get("q", "").strip()[:50]
    page = _page(request, households_matching(request.user, query))
    rows = [(h, mask_name(h.head_name), mask_phone(h.phone), mask_address(h.address)) for h in page]
    return render(request, "org/households.html", {"page": page, "rows": rows, "q": query})


@login_required
def household_detail(request: HttpRequest, code: str) -> HttpResponse:
    household = get_object_or_404(Household.objects.select_related("village"), code=code)
    require(request.user, OrgPerm.VIEW_HOUSEHOLD, household)
    reveal = can(request.user, OrgPerm.VIEW_PERSONAL_DATA, household)
    if reveal:
        record_personal_view(
            actor=request.user,
            obj=household,
            subject=mask_name(household.head_name),
            fields=["head_name", "phone", "address"],
        )
        shown = {"head_name": household.head_name, "phone": household.phone, "address": household.address}
    else:
        shown = {
            "head_name": mask_name(household.head_name),
            "phone": mask_phone(household.phone),
            "address": mask_address(household.address),
        }
    return render(
        request, "org/household_detail.html", {"household": household, "shown": shown, "revealed": reveal}
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_workbook_view(request: HttpRequest) -> HttpResponse:
    require(request.user, OrgPerm.IMPORT_ORG)
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = import_workbook(form.cleaned_data["file"], actor=request.user)
        status = 200 if report.ok else 400
        return render(request, "org/import.html", {"form": ImportForm(), "report": report}, status=status)
    status = 400 if form.errors else 200
    return render(request, "org/import.html", {"form": form, "report": report}, status=status)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    require(request.user, OrgPerm.IMPORT_ORG)
    record("org.import.template", actor=request.user)
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_("org-import-template")}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_notices(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notices (read when shown) and how they want them sent."""
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied(
            _("Your login is not linked to a person in a unit yet; ask the administrator.")
        )
    form = NoticeModeForm(request.POST or None, initial={"notice_mode": person.notice_mode})
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "org/notices.html", {"form": form, "page": None}, status=400)
        Person.objects.filter(pk=person.pk).update(notice_mode=form.cleaned_data["notice_mode"])
        record(
            "org.notice_mode",
            actor=request.user,
            obj=person,
            detail={"mode": form.cleaned_data["notice_mode"]},
        )
        messages.success(request, _("Your choice was saved."))
        return redirect("org:notices")
    page = _page(request, StaffNotice.objects.filter(user_id=person.user_id or 0))
    unread = [n.pk for n in page if n.read_at is None]
    StaffNotice.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "org/notices.html", {"form": form, "page": page, "unread": set(unread)})
