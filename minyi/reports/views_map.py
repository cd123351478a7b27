"""The admin's page for the map outlines: see what is loaded, upload a new GeoJSON set (replacing the
old one, or changing nothing when the file is refused), download the current set."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from minyi.org.permissions import require
from minyi.reports import geo
from minyi.reports.access import ReportsPerm
from minyi.reports.models import Boundary


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("GeoJSON file"),
        help_text=gettext_lazy(
            "A FeatureCollection of Polygon or MultiPolygon features, each with properties.code set to "
            "the code of a township, village or community."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def boundaries_page(request: HttpRequest) -> HttpResponse:
    require(request.user, ReportsPerm.MANAGE_BOUNDARIES)
    if request.method == "GET" and request.GET.get("format") == "geojson":
        response = HttpResponse(
            json.dumps(geo.as_geojson(), ensure_ascii=False), content_type="application/geo+json"
        )
        response["Content-Disposition"] = 'attachment; filename="boundaries.geojson"'
        return response
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # Read one byte past the limit: enough to refuse a large file without holding it all.
            raw = upload.read(geo.MAX_BYTES + 1)
            try:
                n = geo.upload(raw, actor=request.user)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(request, _("The map now has %(n)d areas.") % {"n": n})
                return redirect("reports:boundaries")
        status = 400
    latest = Boundary.objects.order_by("-uploaded_at").values_list("uploaded_at", flat=True).first()
    return render(
        request,
        "reports/boundaries.html",
        {"form": form, "count": Boundary.objects.count(), "uploaded_at": latest},
        status=status,
    )
