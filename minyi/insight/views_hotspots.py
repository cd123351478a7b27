"""The hotspot board (热点) pages: choose a period and ask for a board, read a computed board, list a
hotspot's appeals and turn it into a rectification item. Views only ask and show; board.py does the work."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi.appeals.models import Appeal
from minyi.insight import board, hotspots
from minyi.insight.access import InsightPerm
from minyi.insight.forms_hotspots import PeriodForm, default_period
from minyi.insight.models import HotspotCluster, HotspotRun
from minyi.insight.queries import board_clusters, hide_recused
from minyi.ledger.access import LedgerPerm
from minyi.ledger.forms import IssueForm
from minyi.org.permissions import can, require, visible
from minyi.replica import reads_from_replica

#: Recent boards listed under the form.
RECENT = 10
#: The fields of the ledger's item form that ``board.make_issue`` takes (its source is the hotspot).
ITEM_FIELDS = (
    "campaign",
    "title",
    "description",
    "track",
    "lead_unit",
    "co_units",
    "leader",
    "deadline",
    "tags",
)


def heat_formula() -> str:
    """The heat index's formula in the page's language (Chinese for zh-*, else English)."""
    return hotspots.HEAT_FORMULA if (get_language() or "").startswith("zh") else hotspots.HEAT_FORMULA_EN


def _period_query(run: HotspotRun) -> str:
    return urlencode({"starts_on": run.starts_on.isoformat(), "ends_on": run.ends_on.isoformat()})


def _page(
    request: HttpRequest,
    form: PeriodForm,
    shown: HotspotRun | None,
    latest: HotspotRun | None,
    status: int = 200,
) -> HttpResponse:
    """The board page: the form, the state of the latest run of the period and the board ``shown``."""
    either = latest or shown
    return render(
        request,
        "insight/hotspots.html",
        {
            "form": form,
            "latest": latest,
            "run": shown,
            "clusters": board_clusters(shown, request.user),
            "run_query": urlencode({"run": shown.pk}) if shown else "",
            "formula": heat_formula(),
            "may_make_issue": can(request.user, LedgerPerm.ADD),
            "recent": HotspotRun.objects.order_by("-requested_at", "-pk")[:RECENT],
            "period_query": _period_query(either) if either else "",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@reads_from_replica
def board_page(request: HttpRequest) -> HttpResponse:
    """GET: the latest board of the chosen period (default: the last 30 days), with a note while a newer
    one is being computed. POST: ask the worker for the board of the period."""
    require(request.user, InsightPerm.VIEW_HOTSPOTS)
    if request.method == "POST":
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                run = board.request_run(
                    form.cleaned_data["starts_on"], form.cleaned_data["ends_on"], actor=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("The hotspot board is being computed; reload this page in a moment.")
                )
                return redirect(f"{reverse('insight:hotspots')}?{_period_query(run)}")
        return _page(request, form, None, None, status=400)
    if "starts_on" in request.GET or "ends_on" in request.GET:
        form = PeriodForm(request.GET)
    else:
        first, last = default_period()
        form = PeriodForm({"starts_on": first.isoformat(), "ends_on": last.isoformat()})
    if not form.is_valid():
        return _page(request, form, None, None, status=400)
    starts_on, ends_on = form.cleaned_data["starts_on"], form.cleaned_data["ends_on"]
    latest = board.latest_run(starts_on, ends_on)
    shown = (
        latest
        if latest and latest.state == HotspotRun.State.DONE
        else board.latest_done_run(starts_on, ends_on)
    )
    return _page(request, form, shown, latest)


@login_required
@require_GET
@reads_from_replica
def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One board, as it was computed (also an older one, or one still being computed)."""
    require(request.user, InsightPerm.VIEW_HOTSPOTS)
    run = get_object_or_404(HotspotRun, pk=pk)
    form = PeriodForm({"starts_on": run.starts_on.isoformat(), "ends_on": run.ends_on.isoformat()})
    form.is_valid()  # the form shows the run's period, ready to be asked for again
    return _page(request, form, run if run.state == HotspotRun.State.DONE else None, run)


def _cluster(pk: int) -> HotspotCluster:
    return get_object_or_404(HotspotCluster.objects.select_related("run", "issue"), pk=pk)


def _cluster_page(
    request: HttpRequest, cluster: HotspotCluster, form: IssueForm | None = None, status: int = 200
) -> HttpResponse:
    appeals = list(
        visible(request.user, cluster.appeals.all())
        .select_related("lead_unit", "village", "township")
        .order_by("received_at", "pk")
    )
    hide_recused([cluster], request.user)  # its title and place come from the appeals' text (回避)
    # Only appeals the user may see are linked, as in the inbox: none seen, no item from here.
    may_make = cluster.issue_id is None and bool(appeals) and can(request.user, LedgerPerm.ADD)
    if may_make and form is None:
        units = Counter(appeal.lead_unit for appeal in appeals if appeal.lead_unit is not None)
        initial: dict[str, Any] = {"title": cluster.title}
        if units:
            initial["lead_unit"] = units.most_common(1)[0][0]
        form = IssueForm(initial=initial, appeals=appeals)
    return render(
        request,
        "insight/cluster.html",
        {
            "cluster": cluster,
            "run": cluster.run,
            "appeals": appeals,
            "hidden": cluster.size - len(appeals),
            "form": form if may_make else None,
            "formula": heat_formula(),
        },
        status=status,
    )


@login_required
@require_GET
@reads_from_replica
def cluster_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A hotspot's appeals (those the user may see) and, for the district office, the item form."""
    require(request.user, InsightPerm.VIEW_HOTSPOTS)
    return _cluster_page(request, _cluster(pk))


@login_required
@require_POST
def make_issue_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a rectification item of a hotspot, then go to the new item."""
    require(request.user, InsightPerm.VIEW_HOTSPOTS)
    require(request.user, LedgerPerm.ADD)
    cluster = _cluster(pk)
    if cluster.issue_id is not None:
        messages.error(request, _("This hotspot has already become a rectification item."))
        return redirect("insight:cluster", pk=cluster.pk)
    appeals: list[Appeal] = list(visible(request.user, cluster.appeals.all()))
    if not appeals:
        messages.error(request, _("None of this hotspot's appeals lies within what you may see."))
        return redirect("insight:cluster", pk=cluster.pk)
    form = IssueForm(request.POST, appeals=appeals)
    if form.is_valid():
        try:
            fields = {key: form.cleaned_data[key] for key in ITEM_FIELDS}
            issue = board.make_issue(cluster, actor=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Rectification item “%(title)s” created.") % {"title": issue.title})
            return redirect("ledger:detail", pk=issue.pk)
    return _cluster_page(request, cluster, form, status=400)
