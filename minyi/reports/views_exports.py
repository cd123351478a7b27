"""Excel exports: ask for one (small ones download at once, large ones go to the worker and the user
waits on a page that shows the progress), follow it, and download it (its owner only, audited)."""

from __future__ import annotations

from typing import TypeVar, cast
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from minyi.audit.rules import record
from minyi.reports import exports
from minyi.reports.models import ExportJob
from minyi.sheets import exporter_named

R = TypeVar("R", HttpResponse, FileResponse)


def _attachment(response: R, job: ExportJob) -> R:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(exports.file_name(job))}"
    return response


@login_required
@require_GET
def export_start(request: HttpRequest, name: str, key: str = "") -> HttpResponse:
    """``/reports/export/<name>/?<the page's filters>``: the sheet, or the page of the worker's job."""
    if exporter_named(name) is None:
        raise Http404
    params = request.GET.dict()
    if key:
        params["key"] = key
    try:
        job, content = exports.request_export(request.user, name, params)
    except ValidationError as error:
        return render(request, "reports/export_refused.html", {"errors": error.messages}, status=400)
    if content is None:
        return redirect("reports:export_status", job.pk)
    return _attachment(HttpResponse(content, content_type=exports.XLSX), job)


def _owner(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required let only a logged-in user through


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    # Another user's export is not revealed: 404, as for one that does not exist.
    return get_object_or_404(ExportJob, pk=pk, user=_owner(request))


@login_required
@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    waiting = job.state in (ExportJob.State.QUEUED, ExportJob.State.RUNNING)
    return render(
        request,
        "reports/export_status.html",
        {"job": job, "waiting": waiting, "file_there": exports.path_of(job) is not None},
    )


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    path = exports.path_of(job)
    if path is None:
        raise Http404
    record(
        "reports.export_download",
        actor=request.user,
        obj=job,
        subject=job.title,
        detail={"rows": job.rows_done},
    )
    response = FileResponse(path.open("rb"), content_type=exports.XLSX)
    return _attachment(response, job)


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """The user's own exports of the last week."""
    jobs = ExportJob.objects.filter(user=_owner(request))[:50]
    return render(request, "reports/export_list.html", {"jobs": jobs})
