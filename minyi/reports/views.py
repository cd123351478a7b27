"""The dashboards (live: the last 30 days; or a campaign's) and the bulletin page (choose campaign,
period and unit; read it in the print layout, print it, or download it as PDF, Markdown or HTML).
Both are scoped to the viewer: district-wide roles see the district or any unit, a unit's staff their
own unit. Reading the bulletin is audited (it holds no personal data)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minyi.audit.rules import record
from minyi.ledger.models import Campaign
from minyi.org.choices import Role
from minyi.org.models import Person
from minyi.org.permissions import can, require
from minyi.replica import reads_from_replica
from minyi.reports import bulletin, dashboard, geo, rules
from minyi.reports.access import ReportsPerm
from minyi.reports.forms import BulletinForm, chosen_dashboard, scope_unit_of, units_for
from minyi.reports.models import BulletinSubscription

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
}


@login_required
@require_GET
@reads_from_replica
def dashboard_page(request: HttpRequest) -> HttpResponse:
    require(request.user, ReportsPerm.VIEW)
    form, view = chosen_dashboard(request.user, request.GET)
    if view is None:
        return render(request, "reports/dashboard.html", {"form": form, "panels": []}, status=400)
    unit = view.unit
    panels = dashboard.panels(view)
    area_map = geo.map_data(unit, view.first, view.last)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "view": view,
            "panels": panels,
            "charts": [panel.as_json() for panel in panels],
            "map": area_map,
            "map_json": area_map.as_json(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
@reads_from_replica
def bulletin_page(request: HttpRequest) -> HttpResponse:
    require(request.user, ReportsPerm.VIEW)
    scope_unit = scope_unit_of(request.user)
    form = BulletinForm(request.GET or None, units=units_for(scope_unit), whole_district=scope_unit is None)
    context: dict[str, object] = {"form": form, "bulletin": None}
    status = 200
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            chosen = bulletin.scope_for(
                campaign=data["campaign"], date_from=data["date_from"], date_to=data["date_to"],
                unit=data["unit"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            written = bulletin.build(chosen)
            kind = request.GET.get("format", "")
            figures = written.figures
            detail = {key: figures[key] for key in ("campaign", "unit", "from", "to")}
            record("reports.bulletin_read", actor=request.user, detail={**detail, "format": kind or "page"})
            if kind in FORMATS:
                return _download(written, kind)
            query = request.GET.copy()
            query.pop("format", None)
            context.update(
                bulletin=written,
                query=query.urlencode(),
                may_issue=not written.number and can(request.user, ReportsPerm.MANAGE_BULLETIN),
            )
            if chosen.campaign is not None and can(request.user, ReportsPerm.MANAGE_BULLETIN):
                context["recipients"] = BulletinSubscription.objects.filter(
                    campaign=chosen.campaign, is_active=True
                ).select_related("person")
                context["leaders"] = Person.objects.filter(
                    role=Role.LEADER, is_active=True, user__isnull=False
                ).order_by("name")
    elif request.GET:
        status = 400
    return render(request, "reports/bulletin.html", context, status=status)


def _download(written: bulletin.Bulletin, kind: str) -> HttpResponse:
    content_type, extension = FORMATS[kind]
    if kind == "pdf":
        body: bytes | str = bulletin.as_pdf(written)
    elif kind == "md":
        body = bulletin.as_markdown(written)
    else:
        body = bulletin.as_html(written)
    response = HttpResponse(body, content_type=content_type)
    name = f"bulletin-{written.figures['campaign'] or 'period'}-{written.figures['to']}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    """Number the bulletin of the campaign, period and unit sent (第 N 期 of the office's year), then show
    it again; a bulletin already numbered keeps its number."""
    require(request.user, ReportsPerm.MANAGE_BULLETIN)
    scope_unit = scope_unit_of(request.user)
    form = BulletinForm(request.POST, units=units_for(scope_unit), whole_district=scope_unit is None)
    chosen_fields = {k: v for k, v in request.POST.items() if k in form.fields and v}
    back = f"{reverse('reports:bulletin')}?{urlencode(chosen_fields)}"
    if not form.is_valid():
        messages.error(request, _("The bulletin to number is not clear: choose it again."))
        return redirect(back)
    data = form.cleaned_data
    try:
        chosen = bulletin.scope_for(
            campaign=data["campaign"], date_from=data["date_from"], date_to=data["date_to"], unit=data["unit"]
        )
        numbered = rules.issue_bulletin(chosen, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The bulletin is issue %(n)s of %(year)s.") % {"n": numbered.number, "year": numbered.year},
        )
    return redirect(back)


@login_required
@require_POST
def recipients(request: HttpRequest) -> HttpResponse:
    """Add or stop a weekly recipient of a campaign's bulletin (the campaign office)."""
    require(request.user, ReportsPerm.MANAGE_BULLETIN)
    campaign = get_object_or_404(Campaign, pk=request.POST.get("campaign") or 0)
    back = f"{reverse('reports:bulletin')}?{urlencode({'campaign': campaign.pk})}"
    try:
        if stop := request.POST.get("stop"):
            subscription = get_object_or_404(BulletinSubscription, pk=stop, campaign=campaign)
            rules.unsubscribe(subscription, actor=request.user)
            messages.success(
                request,
                _("%(name)s will no longer receive the bulletin.") % {"name": subscription.person.name},
            )
        else:
            person = get_object_or_404(Person, pk=request.POST.get("person") or 0)
            rules.subscribe(person, campaign, actor=request.user)
            messages.success(
                request, _("%(name)s will receive the bulletin every Monday.") % {"name": person.name}
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(back)
