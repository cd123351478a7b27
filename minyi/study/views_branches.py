"""Keeping branches and their rolls (党支部, 党员名册), for those who hold the branch and membership
permissions (the admin): create and edit a branch (regular, floating or temporary, with its liaison
cadre and responsible member), put a member found by name on the roll, and move a member to another
current branch or mark them mobile with where they work now. Views ask and show; rules.py decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minyi.org.choices import Role
from minyi.org.models import Person, Unit
from minyi.org.permissions import AnyUser, can, require, scope_filter
from minyi.study import rules
from minyi.study.access import StudyPerm
from minyi.study.forms import BranchForm, EnrolForm, MemberSearchForm, MoveForm
from minyi.study.models import Branch, Membership

#: At most this many people are listed for a name search (narrow the name to find others).
SEARCH_LIMIT = 20


def _people(user: AnyUser) -> QuerySet[Person]:
    return scope_filter(user, Person.objects.filter(is_active=True).select_related("unit"), "unit__path")


def _branches(user: AnyUser) -> QuerySet[Branch]:
    return scope_filter(user, Branch.objects.select_related("unit"), "unit__path")


def _branch_form(request: HttpRequest, *, editing: bool, initial: dict[str, Any] | None = None) -> BranchForm:
    people = _people(request.user).order_by("name", "pk")
    return BranchForm(
        request.POST or None,
        initial=initial,
        editing=editing,
        units=scope_filter(request.user, Unit.objects.filter(is_active=True).order_by("path"), "path"),
        liaisons=people.filter(role__in=(Role.CADRE, Role.LEADER)),
        members=people.filter(role=Role.MEMBER),
    )


def _show_errors(form: Form, error: ValidationError) -> None:
    """Put the rule's errors on the fields they name, the others above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def branch_new(request: HttpRequest) -> HttpResponse:
    """A new branch of the user's scope."""
    require(request.user, StudyPerm.ADD_BRANCH)
    form = _branch_form(request, editing=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            branch = rules.create_branch(
                code=data["code"].strip(), name=data["name"].strip(), kind=data["kind"], unit=data["unit"],
                liaison=data["liaison"], responsible=data["responsible"], actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The branch %(name)s was created.") % {"name": branch.name})
            return redirect("study:branch", pk=branch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "study/branch_form.html", {"form": form, "branch": None}, status=status)


def _kept_branch(request: HttpRequest, pk: int, permission: str) -> Branch:
    """The branch, if it is in the user's scope and they hold ``permission`` for it; 404 otherwise."""
    require(request.user, permission)
    branch = _branches(request.user).select_related("liaison", "responsible").filter(pk=pk).first()
    if branch is None:
        raise Http404
    require(request.user, permission, branch)
    return branch


@login_required
@require_http_methods(["GET", "POST"])
def branch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a branch's name, kind, unit, liaison cadre or responsible member."""
    branch = _kept_branch(request, pk, StudyPerm.CHANGE_BRANCH)
    initial = {
        "name": branch.name, "kind": branch.kind, "unit": branch.unit_id, "liaison": branch.liaison_id,
        "responsible": branch.responsible_id,
    }  # fmt: skip
    form = _branch_form(request, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rules.update_branch(
                branch, name=data["name"], kind=data["kind"], unit=data["unit"], liaison=data["liaison"],
                responsible=data["responsible"], actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The branch was saved."))
            return redirect("study:branch", pk=branch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "study/branch_form.html", {"form": form, "branch": branch}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def member_roll(request: HttpRequest, pk: int) -> HttpResponse:
    """The branch's roll to keep: find a member by name and enrol them; move a member (current branch,
    mobile mark, whereabouts)."""
    may_enrol = can(request.user, StudyPerm.ADD_MEMBERSHIP)
    may_move = can(request.user, StudyPerm.CHANGE_MEMBERSHIP)
    if not (may_enrol or may_move):
        require(request.user, StudyPerm.ADD_MEMBERSHIP)
    branch = _branches(request.user).select_related("liaison", "responsible").filter(pk=pk).first()
    if branch is None:
        raise Http404
    roll = (
        Membership.objects.filter(Q(home_branch=branch) | Q(current_branch=branch), is_active=True)
        .select_related("person", "home_branch", "current_branch")
        .order_by("person__name", "pk")
    )
    targets = _branches(request.user).filter(is_active=True).order_by("code")
    what = request.POST.get("what")
    enrol_form = EnrolForm(
        request.POST if what == "enrol" else None, people=_people(request.user), branches=targets
    )
    move_form = MoveForm(request.POST if what == "move" else None, members=roll, branches=targets)
    if request.method == "POST":
        if what == "enrol":
            if not may_enrol:
                raise PermissionDenied(_("You may not keep the branches and rolls of this unit."))
            if _enrol(request, branch, enrol_form):
                return redirect("study:member_roll", pk=branch.pk)
        elif what == "move":
            if not may_move:
                raise PermissionDenied(_("You may not keep the branches and rolls of this unit."))
            if _move(request, move_form):
                return redirect("study:member_roll", pk=branch.pk)
    search = MemberSearchForm(request.GET or None)
    found: list[Person] = []
    if search.is_valid() and search.cleaned_data["find"].strip():
        found = list(
            _people(request.user)
            .filter(role=Role.MEMBER, name__icontains=search.cleaned_data["find"].strip())
            .select_related("membership__home_branch")
            .order_by("name", "pk")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "study/member_roll.html",
        {
            "branch": branch,
            "roll": roll,
            "targets": targets,
            "search": search,
            "found": found,
            "enrol_form": enrol_form,
            "move_form": move_form,
            "may_enrol": may_enrol,
            "may_move": may_move,
            "may_edit": can(request.user, StudyPerm.CHANGE_BRANCH, branch),
        },
        status=400 if request.method == "POST" else 200,
    )


def _enrol(request: HttpRequest, branch: Branch, form: EnrolForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        membership = rules.enrol_member(
            data["person"], home_branch=branch, current_branch=data["current_branch"], mobile=data["mobile"],
            whereabouts=data["whereabouts"].strip(), actor=request.user,
        )  # fmt: skip
    except ValidationError as error:
        _show_errors(form, error)
        return False
    messages.success(
        request,
        _("%(name)s is on the roll of %(branch)s.") % {"name": membership.person.name, "branch": branch.name},
    )
    return True


def _move(request: HttpRequest, form: MoveForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        membership = rules.move_member(
            data["membership"], current_branch=data["current_branch"], mobile=data["mobile"],
            whereabouts=data["whereabouts"].strip(), actor=request.user,
        )  # fmt: skip
    except ValidationError as error:
        _show_errors(form, error)
        return False
    messages.success(
        request,
        _("%(name)s now studies with %(branch)s.")
        % {"name": membership.person.name, "branch": membership.current_branch.name},
    )
    return True
