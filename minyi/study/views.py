"""Study pages: activities and sessions for organisers, the member's check-in (phone first, no
JavaScript needed), branches with who is left behind, and the summary. Views ask and show; rules.py
does the work."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from minyi.dates import minute_text
from minyi.org.models import Unit
from minyi.org.permissions import EVERYTHING, can, person_of, require, scope_filter, scope_of
from minyi.study import qr, rules
from minyi.study.access import StudyPerm
from minyi.study.choices import ActivityKind, MaterialKind
from minyi.study.forms import ActivityForm, CheckInForm, MaterialForm, PeriodForm, RecordForm, SessionForm
from minyi.study.models import Activity, Attendance, Branch, Membership, Session
from minyi.study.queries import branches_of, scoped_activities

#: Days the branch page looks back by default for members left behind.
DEFAULT_PERIOD_DAYS = 30


def _scope_unit(request: HttpRequest) -> Unit | None:
    scope = scope_of(request.user)
    return None if scope is EVERYTHING or not isinstance(scope, Unit) else scope


def _activities(request: HttpRequest) -> QuerySet[Activity]:
    return scoped_activities(request.user)


def _branches(request: HttpRequest) -> QuerySet[Branch]:
    return branches_of(request.user)


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """Study activities of the user's scope, newest first, with their session counts."""
    require(request.user, StudyPerm.VIEW)
    activities = _activities(request).annotate(session_count=Count("sessions"))[:200]
    return render(
        request,
        "study/activity_list.html",
        {"activities": activities, "may_organise": can(request.user, StudyPerm.ORGANISE)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    """A new activity organised by the user's own unit."""
    require(request.user, StudyPerm.ORGANISE)
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied(_("Only staff with a unit can organise study."))
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = rules.create_activity(
                kind=data["kind"], title=data["title"], unit=person.unit, campaign=data["campaign"],
                venue_kind=data["venue_kind"], actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The activity was created; now add its sessions."))
            return redirect("study:activity", pk=activity.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "study/activity_new.html", {"form": form}, status=status)


def _visible_activity(request: HttpRequest, pk: int) -> Activity:
    require(request.user, StudyPerm.VIEW)
    activity = _activities(request).filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


@login_required
@require_http_methods(["GET", "POST"])
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One activity, its sessions with their attendance, and (for organisers) the new-session form."""
    activity = _visible_activity(request, pk)
    may_organise = can(request.user, StudyPerm.ORGANISE, activity.unit)
    form = SessionForm(request.POST or None, branches=_branches(request)) if may_organise else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may not organise study for this unit."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = rules.add_session(
                    activity, starts_at=data["starts_at"], topic=data["topic"], place=data["place"],
                    ship=data["ship"], speaker=data["speaker"], branches=data["branches"], actor=request.user,
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The session was added."))
                return redirect("study:session", pk=session.pk)
    sessions = activity.sessions.annotate(attendance_count=Count("attendances")).prefetch_related("branches")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "study/activity_detail.html",
        {"activity": activity, "sessions": sessions, "form": form, "owners": activity.owners.all()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's page of a session: the code and check-in link to show, and who attended."""
    require(request.user, StudyPerm.VIEW)
    session = Session.objects.select_related("activity__unit").filter(pk=pk).first()
    if session is None or not _activities(request).filter(pk=session.activity_id).exists():
        raise Http404
    may_organise = can(request.user, StudyPerm.ORGANISE, session.activity.unit)
    members = scope_filter(
        request.user,
        Membership.objects.filter(is_active=True).select_related("person"),
        "current_branch__unit__path",
    ).exclude(person__study_attendances__session=session)
    form = RecordForm(request.POST or None, members=members) if may_organise else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may not organise study for this unit."))
        if form.is_valid():
            try:
                rules.record_attendance(session, form.cleaned_data["member"], actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The attendance was recorded."))
                return redirect("study:session", pk=session.pk)
    attendances = Attendance.objects.filter(session=session).select_related("person")
    link = qr.check_in_url(request, session)
    now = timezone.now()
    return render(
        request,
        "study/session_detail.html",
        {
            "session": session,
            "attendances": attendances,
            "form": form,
            "check_in_url": link,
            "qr": qr.svg(link),
            "code_open": session.code_opens_at <= now <= session.code_closes_at,
            "branches": session.branches.all(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _check_in_page(request: HttpRequest, session: Session | None) -> HttpResponse:
    initial = {"code": request.GET.get("code", "")}
    form = CheckInForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            if session is not None and request.POST.get("online"):
                attendance = rules.attend_online(session, actor=request.user)
            elif form.is_valid():
                attendance = rules.check_in(
                    code=form.cleaned_data["code"], actor=request.user, session=session
                )
            else:
                attendance = None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if attendance is not None:
                messages.success(
                    request,
                    _("Checked in: %(topic)s, %(time)s.")
                    % {
                        "topic": attendance.session.topic,
                        "time": minute_text(attendance.session.starts_at),
                    },
                )
                return redirect("study:check_in")
    return render(
        request,
        "study/check_in.html",
        {"form": form, "session": session},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    """The member types the code shown at the session."""
    return _check_in_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def session_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The page the session's QR code / link opens: the code (pre-filled) or online attendance."""
    session = Session.objects.filter(pk=pk).first()
    if session is None:
        raise Http404
    return _check_in_page(request, session)


def _period(request: HttpRequest) -> tuple[PeriodForm, rules.Period]:
    today = timezone.localdate()
    data = request.GET.copy()
    if not data.get("date_from") and not data.get("date_to") and not data.get("campaign"):
        data["date_from"] = f"{today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1):%Y-%m-%d}"
        data["date_to"] = f"{today:%Y-%m-%d}"
    form = PeriodForm(data)
    if form.is_valid():
        period = rules.Period(
            form.cleaned_data["campaign"], form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        )
    else:
        period = rules.Period(None, today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)
    return form, period


@login_required
@require_GET
def branch_list(request: HttpRequest) -> HttpResponse:
    """Branches of the user's scope with their member counts."""
    require(request.user, StudyPerm.VIEW)
    branches = _branches(request).annotate(member_count=Count("current_members"))
    return render(request, "study/branch_list.html", {"branches": branches})


@login_required
@require_http_methods(["GET", "POST"])
def branch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A branch, its members, who is left behind in the period (mobile first), the reminder button and
    the materials form."""
    require(request.user, StudyPerm.VIEW)
    branch = _branches(request).select_related("liaison", "responsible").filter(pk=pk).first()
    if branch is None:
        raise Http404
    period_form, period = _period(request)
    may_organise = can(request.user, StudyPerm.ORGANISE, branch.unit)
    members = Membership.objects.filter(current_branch=branch, is_active=True)
    material_form = MaterialForm(request.POST if request.POST.get("what") == "material" else None)
    if request.method == "POST":
        if not may_organise:
            raise PermissionDenied(_("You may not organise study for this unit."))
        if request.POST.get("what") == "remind":
            try:
                sent = rules.send_reminders(members, period, actor=request.user)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, _("Reminders sent: %(n)d.") % {"n": sent})
            return redirect(request.get_full_path())
        if material_form.is_valid():
            data = material_form.cleaned_data
            try:
                rules.hand_out(
                    kind=data["kind"], title=data["title"], count=data["count"], handed_on=data["handed_on"],
                    branch=branch, actor=request.user,
                )  # fmt: skip
            except ValidationError as error:
                material_form.add_error(None, error)
            else:
                messages.success(request, _("The material was recorded."))
                return redirect(request.get_full_path())
    roll = rules.with_reached(members, period).select_related("person", "home_branch")
    return render(
        request,
        "study/branch_detail.html",
        {
            "branch": branch,
            "roll": roll,
            "behind": rules.left_behind(members, period),
            "period_form": period_form,
            "period": period,
            "may_organise": may_organise,
            "material_form": material_form,
            "materials": branch.materials.all()[:50],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    """The study figures of the user's scope for a campaign or period."""
    require(request.user, StudyPerm.VIEW)
    form = PeriodForm(request.GET or None)
    period = rules.Period()
    if form.is_valid():
        period = rules.Period(
            form.cleaned_data["campaign"], form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        )
    figures = rules.summary(period, unit=_scope_unit(request))
    return render(
        request, "study/summary.html", {"form": form, "figures": figures, "labels": _labels(figures)}
    )


def _labels(figures: dict[str, object]) -> dict[str, list[tuple[str, int]]]:
    activities = figures["activities"]
    materials = figures["materials"]
    assert isinstance(activities, dict) and isinstance(materials, dict)
    return {
        "activities": [(str(ActivityKind(k).label), n) for k, n in activities.items()],
        "materials": [(str(MaterialKind(k).label), n) for k, n in materials.items()],
    }
