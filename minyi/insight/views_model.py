"""The classifier page for admins: the active model's measured accuracy, its versions (activate = roll
back), the auto-dispatch threshold, and "train from the labels now" (run by the worker)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from minyi.audit.rules import record
from minyi.insight import registry, routing
from minyi.insight.access import InsightPerm
from minyi.insight.jobs import TRAIN_JOB
from minyi.insight.models import ClassifierVersion, InsightSettings, Label
from minyi.org.permissions import can, require
from minyi.worker.rules import enqueue

VERSIONS_SHOWN = 20


class ThresholdForm(forms.Form):
    threshold = forms.FloatField(
        label=gettext_lazy("Auto-dispatch when the first suggestion's confidence is at least (%)"),
        required=False,
        min_value=50,
        max_value=100,
        help_text=gettext_lazy("Leave empty to never auto-dispatch: a person confirms every appeal."),
        widget=forms.NumberInput(attrs={"step": "1"}),
    )


def _figures(version: ClassifierVersion | None) -> dict[str, Any]:
    if version is None:
        return {}
    cv = version.metadata.get("cv") or {}
    return {
        "cv": {
            key: round(float(cv[key]) * 100, 1)
            for key in ("macro_f1", "accuracy", "accuracy_at_half")
            if key in cv
        },
        "live": routing.live_accuracy(version),
        "classes": version.metadata.get("classes") or [],
        "deeper": version.metadata.get("deeper") or {},
    }


@login_required
@require_http_methods(["GET", "POST"])
def classifier_page(request: HttpRequest) -> HttpResponse:
    require(request.user, InsightPerm.VIEW_CLASSIFIER_VERSION)
    settings_row = InsightSettings.load()
    threshold = settings_row.auto_dispatch_threshold
    form = ThresholdForm(initial={"threshold": round(threshold * 100) if threshold is not None else None})
    if request.method == "POST":
        require(request.user, InsightPerm.MANAGE_CLASSIFIER)
        action = request.POST.get("action", "")
        if action == "threshold":
            form = ThresholdForm(request.POST)
            if form.is_valid():
                value = form.cleaned_data["threshold"]
                settings_row.auto_dispatch_threshold = None if value is None else value / 100
                settings_row.updated_by = request.user  # type: ignore[assignment]
                settings_row.save()
                record(
                    "insight.threshold",
                    actor=request.user,
                    obj=settings_row,
                    detail={"threshold": settings_row.auto_dispatch_threshold},
                )
                messages.success(request, _("The auto-dispatch threshold was saved."))
                return redirect("insight:classifier")
        elif action == "activate":
            version = get_object_or_404(ClassifierVersion, pk=request.POST.get("version", ""))
            try:
                registry.activate_version(version, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                record(
                    "insight.activate", actor=request.user, obj=version, detail={"version": version.version}
                )
                messages.success(
                    request, _("Version %(version)s now suggests categories.") % {"version": version.version}
                )
            return redirect("insight:classifier")
        elif action == "train":
            enqueue(TRAIN_JOB, {"actor": request.user.pk})
            record("insight.train", actor=request.user, detail={"labels": Label.objects.count()})
            messages.success(
                request, _("Training was queued; the new version appears here when it is ready.")
            )
            return redirect("insight:classifier")
        else:
            messages.error(request, _("Unknown action."))
    versions = list(ClassifierVersion.objects.all()[:VERSIONS_SHOWN])
    current = (
        next((v for v in versions if v.is_active), None)
        or ClassifierVersion.objects.filter(is_active=True).first()
    )
    label_counts = dict(
        Label.objects.values_list("source").annotate(n=Count("pk")).values_list("source", "n")
    )
    return render(
        request,
        "insight/classifier.html",
        {
            "current": current,
            "demo_only": current is not None and registry.learnt_only_from_demo(current),
            "figures": _figures(current),
            "versions": versions,
            "form": form,
            "may_manage": can(request.user, InsightPerm.MANAGE_CLASSIFIER),
            "labels": {source: label_counts.get(source, 0) for source in Label.Source.values},
            "label_names": dict(Label.Source.choices),
            "labels_total": sum(label_counts.values()),
        },
    )
