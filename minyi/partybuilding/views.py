"""Village party organisation pages: weak branches and joint branches with their tasks' state, and the
forms to mark a branch weak, form a joint branch, add a task and clear a mark. Views ask and show;
rules.py does the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from minyi.ledger.models import Campaign
from minyi.org.permissions import AnyUser, Everything, can, require, scope_of, visible
from minyi.partybuilding import rules
from minyi.partybuilding.access import PartyBuildingPerm
from minyi.partybuilding.forms import ClearForm, JointBranchForm, MarkForm, TaskForm
from minyi.partybuilding.models import JointBranch, WeakMark
from minyi.partybuilding.queries import listed


def _may_view(user: AnyUser) -> None:
    if not can(user, PartyBuildingPerm.MANAGE):
        require(user, PartyBuildingPerm.VIEW)


def _show_errors(form: forms.Form, error: ValidationError) -> None:
    """Put the rule's errors on the form fields they name (others on the form itself)."""
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Weak branches and joint branches in the user's scope, with the tasks' state and the figures."""
    _may_view(request.user)
    code = request.GET.get("campaign", "")
    campaign = Campaign.objects.filter(code=code).first() if code else None
    marks, joints = listed(request.user, campaign)
    scope = scope_of(request.user)
    figures = rules.summary(campaign, unit=None if isinstance(scope, Everything) else scope)
    return render(
        request,
        "partybuilding/index.html",
        {
            "marks": marks,
            "joints": joints,
            "figures": figures,
            "sentence": rules.summary_sentence(figures),
            "campaigns": Campaign.objects.all(),
            "campaign": campaign,
            "may_manage": can(request.user, PartyBuildingPerm.MANAGE),
        },
    )


def _form_page(request: HttpRequest, form: forms.Form, title: str, **extra: Any) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(request, "partybuilding/form.html", {"form": form, "title": title, **extra}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def mark(request: HttpRequest) -> HttpResponse:
    """Mark a village party branch weak."""
    require(request.user, PartyBuildingPerm.MANAGE)
    form = MarkForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            made = rules.mark_weak(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("%(branch)s is marked weak.") % {"branch": made.branch.name})
            return redirect("partybuilding:index")
    return _form_page(request, form, _("Mark a village party branch weak"))


@login_required
@require_http_methods(["GET", "POST"])
def joint_new(request: HttpRequest) -> HttpResponse:
    """Form a joint general branch of advanced and weak village branches."""
    require(request.user, PartyBuildingPerm.MANAGE)
    form = JointBranchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            joint = rules.form_joint_branch(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Joint branch “%(name)s” formed.") % {"name": joint.name})
            return redirect("partybuilding:index")
    return _form_page(request, form, _("Form a joint general branch"))


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a joint branch a rectification task (a ledger item)."""
    require(request.user, PartyBuildingPerm.MANAGE)
    joint = get_object_or_404(visible(request.user, JointBranch.objects.select_related("township")), pk=pk)
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            task = rules.add_task(joint, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request, _("Task “%(title)s” added to the ledger.") % {"title": task.issue.title}
            )
            return redirect("partybuilding:index")
    return _form_page(request, form, _("Add a rectification task to %(name)s") % {"name": joint.name})


@login_required
@require_http_methods(["GET", "POST"])
def clear(request: HttpRequest, pk: int) -> HttpResponse:
    """Clear a weak mark by a recorded decision (refused while a task is not signed off)."""
    require(request.user, PartyBuildingPerm.MANAGE)
    found = visible(request.user, WeakMark.objects.select_related("branch")).filter(pk=pk).first()
    if found is None:
        raise Http404
    form = ClearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rules.clear_weak(found, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request, _("%(branch)s is no longer marked weak.") % {"branch": found.branch.name}
            )
            return redirect("partybuilding:index")
    pending = rules.open_tasks(found.branch)
    return _form_page(
        request, form, _("Clear the weak mark of %(branch)s") % {"branch": found.branch.name}, pending=pending
    )
