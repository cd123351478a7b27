"""The visit sheet upload: a township's clerk uploads the Excel sheet of the visits collected on paper
(``imports.read_workbook`` reads it, ``imports.import_visits`` checks and records it, all or nothing)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from minyi.fields import ModelChoice
from minyi.ledger.models import Campaign
from minyi.org.permissions import require
from minyi.outreach import imports
from minyi.outreach.access import OutreachPerm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 10 * 1024 * 1024


class VisitSheetForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("visit sheet (.xlsx)"))
    campaign = ModelChoice(label=gettext_lazy("campaign"), queryset=Campaign.objects.all(), required=False)

    def clean_file(self) -> object:
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD:
            raise ValidationError(gettext_lazy("The file is larger than 10 MB."))
        return file


@login_required
@require_http_methods(["GET", "POST"])
def import_sheet(request: HttpRequest) -> HttpResponse:
    """Upload a visit sheet; every row is checked before any is saved, and the refusal lists the rows."""
    require(request.user, OutreachPerm.ADD_VISIT)
    if request.method == "GET" and request.GET.get("blank"):
        response = HttpResponse(imports.blank_workbook(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="visit-sheet.xlsx"'
        return response
    form = VisitSheetForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = imports.read_workbook(upload, actor=request.user)  # type: ignore[arg-type]
            result = imports.import_visits(
                rows,
                actor=request.user,
                campaign=form.cleaned_data["campaign"],
                source=upload.name,
                first_row=2,
            )
        except ValidationError as error:
            problems = list(error.messages)
        else:
            messages.success(
                request,
                _("%(visits)d visits recorded, with %(difficulties)d difficulties.")
                % {"visits": result.visits, "difficulties": result.difficulties},
            )
            return redirect("outreach:visits")
    return render(
        request,
        "outreach/import.html",
        {"form": form, "problems": problems, "columns": [header for _key, header in imports.COLUMNS]},
        status=400 if request.method == "POST" else 200,
    )
