"""The operators' intake: fast keyboard entry of calls, letters and walk-ins, the caller's earlier appeals,
the similar-appeal hint, and the Excel import.

The two panels beside the entry form (caller history, likely duplicates and similar appeals) are htmx
enhancements; without JavaScript the "Look up" button posts the form back to show both. A dispatcher's
"Record and merge into this" submits the entry form with the earlier appeal's number: the call is
stored and merged into it in one transaction, or, on any error, nothing is stored.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from minyi.appeals import rules
from minyi.appeals.access import AppealPerm
from minyi.appeals.choices import Channel
from minyi.appeals.forms.intake import (
    AppealImportForm,
    IntakeForm,
    PlaceChoices,
    normalise_phone,
    phone_variants,
)
from minyi.appeals.imports import AppealImportReport, import_appeals, receipts_workbook, template_workbook
from minyi.appeals.models import Appeal
from minyi.audit.rules import record, record_personal_view
from minyi.insight.duplicates import Candidate, find
from minyi.org.permissions import OrgPerm, can, require, visible
from minyi.privacy import mask_name, mask_phone

SESSION_CHANNEL = "appeals.intake.channel"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Earlier appeals shown for a caller; the newest matter on the phone, the rest are one click away.
CALLER_LIMIT = 10
#: Fewer characters than this say too little to look for similar appeals.
SIMILAR_MIN_CHARS = 4
#: What the duplicate hint reads from the form besides the text (who and where).
SIMILAR_INCLUDE = "#id_title, #id_body, #id_township, #id_village, #id_address, #id_phone, #id_name"
#: Imports up to this size also list the codes on the page (bigger ones: only the download).
RECEIPTS_SHOWN = 50

User_ = User | AnonymousUser


def _detail_url(number: str | None) -> str:
    """The staff page of an appeal, when the staff pages are installed (they are another module's)."""
    if not number:
        return ""
    try:
        return reverse("appeals:detail", args=[number])
    except NoReverseMatch:
        return ""


@dataclass
class CallerHistory:
    """The earlier appeals made from one phone number, as far as the user may see them."""

    phone: str
    error: str = ""
    rows: list[tuple[Appeal, str]] = field(default_factory=list)  # (appeal, link to its page)
    more: bool = False
    name: str = ""  # the name the caller gave last time (masked unless the user may see personal data)


def caller_history(user: User_, raw_phone: str) -> CallerHistory | None:
    """Look up a caller's earlier appeals; a lookup that finds some is a read of personal data, audited."""
    if not raw_phone.strip():
        return None
    try:
        phone = normalise_phone(raw_phone)
    except ValidationError as exc:
        return CallerHistory(phone=raw_phone.strip()[:30], error=" ".join(exc.messages))
    found = list(
        visible(user, Appeal.objects.filter(citizen_phone__in=phone_variants(phone)))
        .only("id", "number", "title", "state", "channel", "received_at", "citizen_name")
        .order_by("-received_at", "-id")[: CALLER_LIMIT + 1]
    )
    history = CallerHistory(phone=phone, more=len(found) > CALLER_LIMIT)
    shown = found[:CALLER_LIMIT]
    history.rows = [(appeal, _detail_url(appeal.number)) for appeal in shown]
    if shown:
        reveal = can(user, OrgPerm.VIEW_PERSONAL_DATA)
        name = next((appeal.citizen_name for appeal in shown if appeal.citizen_name), "")
        history.name = name if reveal else mask_name(name)
        fields = ["citizen_phone", "citizen_name"] if reveal and name else ["citizen_phone"]
        record_personal_view(actor=user, obj=shown[0], subject=mask_phone(phone), fields=fields)
    return history


@dataclass
class SimilarPanel:
    """The hint beside the form: likely duplicates (with their reason) and other alike appeals."""

    asked: bool
    duplicates: list[tuple[Candidate, str]] = field(default_factory=list)  # (candidate, link)
    rows: list[tuple[Appeal, int, str]] = field(default_factory=list)  # (appeal, % alike, link)
    may_merge: bool = False  # merging is the dispatchers' (appeals.dispatch_appeal)


def _unit_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 16 else None  # a typed-in id never overflows the column


def similar_panel(user: User_, typed: Any) -> SimilarPanel:
    """Likely duplicates of what is typed so far (a dict of the form's raw values), among the recent
    or open appeals the user may see; nothing for too little text."""
    title = typed.get("title", "")[: rules.TITLE_MAX]
    body = typed.get("body", "")[: rules.BODY_MAX]
    panel = SimilarPanel(asked=bool((title + body).strip()))
    if len((title + body).strip()) < SIMILAR_MIN_CHARS:
        return panel
    found = find(
        title,
        body,
        phone=typed.get("phone", "")[:40],
        name=typed.get("name", "")[:50],
        township=_unit_id(typed.get("township", "")),
        village=_unit_id(typed.get("village", "")),
        address=typed.get("address", "")[:200],
        within=visible(user, Appeal.objects.all()),
    )
    panel.duplicates = [(c, _detail_url(c.appeal.number)) for c in found.duplicates]
    panel.rows = [(a, round(score * 100), _detail_url(a.number)) for a, score in found.similar]
    panel.may_merge = bool(panel.duplicates) and can(user, AppealPerm.DISPATCH)
    return panel


def _typed(request: HttpRequest) -> dict[str, str]:
    return {key: request.POST.get(key, "") for key in IntakeForm.base_fields}


def _mark_errors(form: IntakeForm) -> None:
    """Tie each input to its help text and error message, so a screen reader reads them with it."""
    for bound in form:
        described = []
        if bound.help_text:
            described.append(f"{bound.auto_id}-help")
        if bound.name in form.errors:
            described.append(f"{bound.auto_id}-error")
            bound.field.widget.attrs["aria-invalid"] = "true"
        if described:
            bound.field.widget.attrs["aria-describedby"] = " ".join(described)


def _render(
    request: HttpRequest,
    form: IntakeForm,
    *,
    status: int = 200,
    caller: CallerHistory | None = None,
    similar: SimilarPanel | None = None,
) -> HttpResponse:
    _mark_errors(form)
    # The duplicate hint looks at who and where as well as at the text.
    for name in ("title", "body"):
        form.fields[name].widget.attrs["hx-include"] = SIMILAR_INCLUDE
    # The cursor goes where the operator has to type next: the first mistake, else the name once the
    # caller is looked up, else the phone.
    first_error = next((bound.name for bound in form if bound.name in form.errors), None)
    focus = first_error or ("name" if caller is not None and not caller.error else "phone")
    for bound in form:
        bound.field.widget.attrs.pop("autofocus", None)
    form.fields[focus].widget.attrs["autofocus"] = True
    context = {"form": form, "caller": caller, "similar": similar}
    return render(request, "appeals/intake/new.html", context, status=status)


def _record_and_merge(request: HttpRequest, form: IntakeForm, number: str) -> rules.Submission:
    """Store the call and merge it into the earlier appeal ``number``, both or neither."""
    master = visible(request.user, Appeal.objects.filter(number=number.strip()[:20])).first()
    if master is None:
        raise ValidationError(_("No appeal you may see has this tracking number."), code="master")
    with transaction.atomic():
        submission = rules.submit(**form.submit_kwargs(), actor=request.user)
        rules.merge(submission.appeal, into=master, actor=request.user)
    return submission


def _record_and_answer(request: HttpRequest, form: IntakeForm, answer: str) -> rules.Submission:
    """Store the call and answer it as answered during the call (直接办结), both or neither."""
    with transaction.atomic():
        submission = rules.submit(**form.submit_kwargs(), actor=request.user)
        rules.answer_during_call(submission.appeal, actor=request.user, body=answer)
    return submission


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """The fast entry form: save, then the same empty form again with the number and the query code."""
    require(request.user, AppealPerm.RECORD)
    places = PlaceChoices.load()
    if request.method == "POST" and "lookup" in request.POST:
        # The no-JavaScript "Look up": show the caller's history and the duplicate hint, keep what was
        # typed, save nothing.
        typed = _typed(request)
        form = IntakeForm(initial=typed, places=places)
        return _render(
            request,
            form,
            caller=caller_history(request.user, typed["phone"]),
            similar=similar_panel(request.user, typed),
        )
    if request.method == "POST":
        form = IntakeForm(request.POST, places=places)
        merge_into = request.POST.get("merge_into", "")
        if form.is_valid():
            try:
                answer = form.cleaned_data["answer"]
                if merge_into:
                    submission = _record_and_merge(request, form, merge_into)
                elif answer.strip():
                    submission = _record_and_answer(request, form, answer)
                else:
                    submission = rules.submit(**form.submit_kwargs(), actor=request.user)
            except PermissionDenied as refusal:
                if merge_into:
                    form.add_error(None, _("Only a dispatcher may merge appeals; save the call instead."))
                else:
                    form.add_error(None, str(refusal))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session[SESSION_CHANNEL] = form.cleaned_data["channel"]
                # Shown once, on the next page: the code is never stored in clear anywhere.
                values = {"number": submission.appeal.number, "code": submission.query_code}
                if merge_into:
                    values["master"] = merge_into.strip()
                    text = _(
                        "Recorded as %(number)s and merged into %(master)s. Query code: %(code)s. "
                        "Read both to the caller."
                    )
                elif answer.strip():
                    text = _(
                        "Recorded as %(number)s and finished with your answer (直接办结); the follow-up call "
                        "checks it. Query code: %(code)s. Read both to the caller."
                    )
                else:
                    text = _("Recorded as %(number)s. Query code: %(code)s. Read both to the caller.")
                messages.success(request, text % values, extra_tags="receipt")
                return redirect("appeals:intake")
        caller = caller_history(request.user, request.POST.get("phone", "")) if form.errors else None
        similar = similar_panel(request.user, _typed(request)) if merge_into else None
        return _render(request, form, status=400, caller=caller, similar=similar)
    channel = request.session.get(SESSION_CHANNEL, Channel.HOTLINE)
    return _render(request, IntakeForm(initial={"channel": channel}, places=places))


@login_required
@never_cache
@require_GET
def caller(request: HttpRequest) -> HttpResponse:
    """The caller panel (htmx): earlier appeals from the phone number typed on the form."""
    require(request.user, AppealPerm.RECORD)
    history = caller_history(request.user, request.GET.get("phone", "")[:40])
    return render(request, "appeals/intake/_caller.html", {"caller": history})


@login_required
@require_GET
def similar(request: HttpRequest) -> HttpResponse:
    """The duplicate hint (htmx): likely duplicates of what is typed (same caller, same problem at the
    same place, same text) and up to five other recent or open appeals like it."""
    require(request.user, AppealPerm.RECORD)
    panel = similar_panel(request.user, request.GET)
    return render(request, "appeals/intake/_similar.html", {"similar": panel})


def _data_url(content: bytes) -> str:
    return f"data:{XLSX};base64,{base64.b64encode(content).decode()}"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload a workbook of appeals; all rows are stored or, on any error, none, with every error listed."""
    require(request.user, AppealPerm.RECORD)
    form = AppealImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "report": None}
    if request.method == "POST" and form.is_valid():
        report: AppealImportReport = import_appeals(form.cleaned_data["file"], actor=request.user)
        context.update(form=AppealImportForm(), report=report)
        if report.ok:
            # The codes leave the server only in this response (a data URL), never stored in clear.
            context["download"] = _data_url(receipts_workbook(report.receipts))
            context["receipts_shown"] = report.receipts if len(report.receipts) <= RECEIPTS_SHOWN else []
        return render(request, "appeals/intake/import.html", context, status=200 if report.ok else 400)
    status = 400 if form.errors else 200
    return render(request, "appeals/intake/import.html", context, status=status)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """The empty workbook to fill in (with a sheet that lists the accepted values)."""
    require(request.user, AppealPerm.RECORD)
    record("appeals.import.template", actor=request.user)
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="appeal-import-template.xlsx"'
    return response
