"""Evaluation pages: the office's form builder, codes, paper import and results; and the public answer
page (no login). Views only ask and show; rules.py, imports.py and results.py do the work.

The public page keeps nothing between its two steps but the code in a hidden field: no session, no
message, no cookie beyond CSRF's, so that no stored row or session can tie the answer to its code.
"""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi import ratelimit
from minyi.audit.middleware import client_ip
from minyi.audit.rules import record
from minyi.evaluation import imports, results, rules
from minyi.evaluation.access import EvaluationPerm, is_evaluation_staff, result_units
from minyi.evaluation.choices import FormState
from minyi.evaluation.forms import (
    AnswerImportForm,
    CodeForm,
    CodesForm,
    DefinitionForm,
    comment_name,
    field_name,
    read_answer,
)
from minyi.evaluation.models import EvaluationForm
from minyi.org.permissions import can, require, scope_filter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The shared limit of code checks; wrong codes count against the client under their own key.
RATE_LIMIT = "appeal_query"


def _show_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _forms_for(user: Any) -> QuerySet[EvaluationForm]:
    """The forms a staff member works with: all for the office, those about their units otherwise."""
    forms = EvaluationForm.objects.all()
    if can(user, EvaluationPerm.CHANGE_FORM) or can(user, EvaluationPerm.IMPORT_ANSWERS):
        return forms
    if can(user, EvaluationPerm.VIEW_RESULTS):
        return forms.filter(
            pk__in=scope_filter(user, EvaluationForm.objects.all(), "units__path").values("pk")
        )
    return forms.none()


def _form(request: HttpRequest, pk: int) -> EvaluationForm:
    if not is_evaluation_staff(request.user):
        require(request.user, EvaluationPerm.VIEW_RESULTS)
    form = _forms_for(request.user).filter(pk=pk).select_related("campaign").first()
    if form is None:
        raise Http404
    return form


@login_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    """The evaluation forms the user works with, newest first, with their answer counts."""
    if not is_evaluation_staff(request.user):
        require(request.user, EvaluationPerm.VIEW_RESULTS)
    forms = _forms_for(request.user).annotate(answers=Count("responses", distinct=True))
    return render(
        request,
        "evaluation/list.html",
        {"forms": forms[:200], "may_add": can(request.user, EvaluationPerm.ADD_FORM)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_new(request: HttpRequest) -> HttpResponse:
    """The form builder for a new draft form."""
    require(request.user, EvaluationPerm.ADD_FORM)
    form = DefinitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = rules.create_form(form.definition(), actor=request.user)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The draft form is saved."))
            return redirect("evaluation:detail", pk=created.pk)
    return render(
        request,
        "evaluation/edit.html",
        {"form": form, "evaluation": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The form builder for a draft form."""
    require(request.user, EvaluationPerm.CHANGE_FORM)
    evaluation = _form(request, pk)
    form = DefinitionForm(request.POST or None, initial=DefinitionForm.initial_of(evaluation))
    if request.method == "POST" and form.is_valid():
        try:
            rules.update_form(evaluation, form.definition(), actor=request.user)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The draft form is saved."))
            return redirect("evaluation:detail", pk=evaluation.pk)
    status = 400 if form.errors else 200
    return render(request, "evaluation/edit.html", {"form": form, "evaluation": evaluation}, status=status)


@login_required
@require_GET
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One form: its definition, how many codes were made and used, answers and comments."""
    evaluation = _form(request, pk)
    counts = evaluation.codes.aggregate(made=Count("id"), used=Count("id", filter=Q(used=True)))
    user = request.user
    return render(
        request,
        "evaluation/detail.html",
        {
            "evaluation": evaluation,
            "units": evaluation.units.order_by("path"),
            "criteria": evaluation.criteria.all(),
            "codes": counts,
            "answers": evaluation.responses.count(),
            "comments": evaluation.comments.count(),
            "may_change": can(user, EvaluationPerm.CHANGE_FORM),
            "may_import": can(user, EvaluationPerm.IMPORT_ANSWERS) and evaluation.state == FormState.OPEN,
            "may_see_results": can(user, EvaluationPerm.VIEW_RESULTS),
        },
    )


@login_required
@require_POST
def form_state(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Open or close the form."""
    require(request.user, EvaluationPerm.CHANGE_FORM)
    evaluation = _form(request, pk)
    change = {"open": rules.open_form, "close": rules.close_form}.get(action)
    if change is None:
        raise Http404
    try:
        change(evaluation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The form is open for answers.") if action == "open" else _("The form is closed.")
        )
    return redirect("evaluation:detail", pk=evaluation.pk)


def _codes_csv(evaluation: EvaluationForm, codes: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Form"), _("Code")])
    writer.writerows([evaluation.title, rules.printed(code)] for code in codes)
    data = base64.b64encode(("\ufeff" + buffer.getvalue()).encode()).decode()
    return f"data:text/csv;charset=utf-8;base64,{data}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def codes(request: HttpRequest, pk: int) -> HttpResponse:
    """Make one-time codes and show them once, ready to print on slips (and as a CSV file)."""
    require(request.user, EvaluationPerm.CHANGE_FORM)
    evaluation = _form(request, pk)
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = rules.generate_codes(evaluation, actor=request.user, count=form.cleaned_data["count"])
        except ValidationError as error:
            _show_errors(form, error)
        else:
            # The codes leave the server only in this response, never stored in clear.
            answer_url = request.build_absolute_uri(reverse("evaluation:answer"))
            return render(
                request,
                "evaluation/codes_print.html",
                {
                    "evaluation": evaluation,
                    "codes": [rules.printed(code) for code in made],
                    "download": _codes_csv(evaluation, made),
                    "answer_url": answer_url,
                },
            )
    status = 400 if form.errors else 200
    return render(request, "evaluation/codes.html", {"evaluation": evaluation, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the paper forms typed into the template; all rows are stored or, on any error, none."""
    require(request.user, EvaluationPerm.IMPORT_ANSWERS)
    evaluation = _form(request, pk)
    form = AnswerImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"evaluation": evaluation, "form": form, "report": None}
    if request.method == "POST" and form.is_valid():
        report = imports.import_answers(evaluation, form.cleaned_data["file"], actor=request.user)
        context.update(form=AnswerImportForm(), report=report)
        return render(request, "evaluation/import.html", context, status=200 if report.ok else 400)
    return render(request, "evaluation/import.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The empty workbook for this form's paper answers."""
    require(request.user, EvaluationPerm.IMPORT_ANSWERS)
    evaluation = _form(request, pk)
    response = HttpResponse(imports.template_workbook(evaluation), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="evaluation-{evaluation.pk}.xlsx"'
    return response


def _results(request: HttpRequest, pk: int) -> tuple[EvaluationForm, list[results.UnitResult]]:
    require(request.user, EvaluationPerm.VIEW_RESULTS)
    evaluation = _form(request, pk)
    units = result_units(request.user, list(evaluation.units.order_by("path")))
    if not units:
        raise PermissionDenied(_("None of the units of this form lies in your area of work."))
    record("evaluation.results_viewed", actor=request.user, obj=evaluation)
    return evaluation, results.unit_results(evaluation, units)


@login_required
@require_GET
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Per unit and criterion: count, mean and distribution; groups under five answers are not shown."""
    evaluation, rows = _results(request, pk)
    return render(
        request,
        "evaluation/results.html",
        {"evaluation": evaluation, "rows": rows, "min_group": rules.MIN_GROUP, "scale": evaluation.scale},
    )


@login_required
@require_GET
def results_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The results as JSON, under the same rule as the page."""
    evaluation, rows = _results(request, pk)
    return JsonResponse(results.as_json(evaluation, rows), json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The results as an Excel sheet, under the same rule as the page."""
    evaluation, rows = _results(request, pk)
    response = HttpResponse(results.as_workbook(evaluation, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="evaluation-results-{evaluation.pk}.xlsx"'
    return response


# --- the public answer page -----------------------------------------------------------------------


def _rate_key(request: HttpRequest) -> str:
    return f"evaluation:{client_ip(request) or 'unknown'}"


def _code_page(
    request: HttpRequest, form: CodeForm, *, status: int = 200, limited: bool = False
) -> HttpResponse:
    return render(request, "evaluation/answer_code.html", {"form": form, "limited": limited}, status=status)


def _answer_page(
    request: HttpRequest,
    evaluation: EvaluationForm,
    code: str,
    *,
    data: dict[str, str] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    data = data or {}
    criteria = list(evaluation.criteria.all())
    units = [
        {
            "unit": unit,
            "comment_name": comment_name(unit.pk),
            "comment": data.get(comment_name(unit.pk), ""),
            "rows": [
                {
                    "criterion": criterion,
                    "name": field_name(unit.pk, criterion.pk),
                    "chosen": data.get(field_name(unit.pk, criterion.pk), ""),
                }
                for criterion in criteria
            ],
        }
        for unit in evaluation.units.order_by("path")
    ]
    return render(
        request,
        "evaluation/answer_form.html",
        {
            "evaluation": evaluation,
            "code": code,
            "units": units,
            "scale": [(str(value), label) for value, label in evaluation.scale],
            "problems": problems or [],
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest) -> HttpResponse:
    """Enter the code from the paper slip, then rate: no login. Wrong codes are rate limited."""
    if request.method != "POST":
        return _code_page(request, CodeForm())
    key = _rate_key(request)
    if ratelimit.blocked(request, RATE_LIMIT, key=key):
        return _code_page(request, CodeForm(initial={"code": ""}), status=429, limited=True)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _code_page(request, form, status=400)
    code = form.cleaned_data["code"]
    try:
        evaluation = rules.form_for_code(code)
    except ValidationError as error:
        if getattr(error, "code", None) in {"unknown", "used"}:
            ratelimit.hit(request, RATE_LIMIT, key=key)
        form.add_error("code", error)
        return _code_page(request, form, status=400)
    if "submit" not in request.POST:
        return _answer_page(request, evaluation, code)
    data = {name: str(request.POST.get(name, "")) for name in request.POST if name.startswith("u")}
    answer_input, problems = read_answer(evaluation, data)
    if not problems:
        try:
            rules.submit_answer(code, answer_input)
        except ValidationError as error:
            if getattr(error, "code", None) in {"unknown", "used", "closed", "not_open"}:
                form.add_error("code", error)
                return _code_page(request, form, status=400)
            problems = error.messages
        else:
            return redirect("evaluation:thanks")
    return _answer_page(request, evaluation, code, data=data, problems=problems, status=400)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/answer_thanks.html")
