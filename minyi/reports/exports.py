"""Excel exports of every list and dashboard table: asking for one, writing it, and the worker's job.

Each app declares the exports of its own pages in its ``exports.py`` with ``minyi.sheets.exporter``
(ReportsConfig.ready imports them all at start-up, as the admin finds every ``admin.py``), reading the
page's filters through the query the page uses (the app's ``queries.py``); an exporter decides the
scope itself and masks personal data unless the user may see it and asked for it, in which case the
reading is audited. ``request_export`` writes small sheets at once (the caller sends them) and leaves larger
ones to the worker, which counts its progress on the ``ExportJob`` row the status page polls. Every
export is audited (``reports.export``).
"""

from __future__ import annotations

import io
import logging
import os
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from minyi.audit.rules import record, record_personal_view
from minyi.dates import local_day
from minyi.reports.models import ExportJob
from minyi.sheets import Sheet, exporter_named
from minyi.worker.rules import PermanentFailure, enqueue

logger = logging.getLogger("minyi.reports")
AnyUser = User | AnonymousUser
#: Sheets of at most this many rows are written while the user waits; larger ones by the worker.
DIRECT_LIMIT = 2_000
#: The most rows one export may hold: at ~2,600 rows/s (measured on SQLite) the worker writes it in
#: about two minutes, well within the worker's lock timeout (10 minutes), after which a second worker
#: would take the job over.
MAX_ROWS = 300_000
#: The worker writes its progress on the job every this many rows.
PROGRESS_EVERY = 1_000
#: Files (and their job rows) are deleted this long after they were asked for.
KEEP = timedelta(days=7)
#: Parameters longer than this, or more of them, are refused (they come from a URL).
MAX_PARAMS, MAX_PARAM_CHARS = 30, 200
EXPORT_JOB = "reports.export"
CLEANUP_JOB = "reports.export_cleanup"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- asking for an export and writing it ---------------------------------------------------------------


def clean_params(params: dict[str, str]) -> dict[str, str]:
    if len(params) > MAX_PARAMS or any(
        len(str(key)) > MAX_PARAM_CHARS or len(str(value)) > MAX_PARAM_CHARS for key, value in params.items()
    ):
        raise ValidationError(_("The export's filters are too long."))
    return {
        str(key): str(value) for key, value in params.items() if key not in ("page", "csrfmiddlewaretoken")
    }


def _sheet(job_user: AnyUser, name: str, params: dict[str, str]) -> Sheet:
    found = exporter_named(name)
    if found is None:
        raise ValidationError(_("There is no such export."))
    return found(job_user, params)


def request_export(user: AnyUser, name: str, params: dict[str, str]) -> tuple[ExportJob, bytes | None]:
    """Ask for the export ``name`` with ``params`` as ``user``: returns the job and, for a small
    sheet, its content (written now); for a large one None, the worker writing it later. Bad
    parameters raise ValidationError and a user outside the export's scope PermissionDenied; then
    nothing is saved."""
    if not isinstance(user, User):
        raise PermissionDenied
    params = clean_params(params)
    # Offices keep these sheets in the site's language (Chinese), whatever the exporter's own.
    with translation.override(settings.LANGUAGE_CODE):
        sheet = _sheet(user, name, params)
        if sheet.total > MAX_ROWS:
            raise ValidationError(
                _("%(n)s rows match; at most %(max)s can be exported at once. Narrow the filters.")
                % {"n": f"{sheet.total:,}", "max": f"{MAX_ROWS:,}"}
            )
        direct = sheet.total <= DIRECT_LIMIT
        with transaction.atomic():
            job = ExportJob.objects.create(
                user=user,
                name=name,
                params=params,
                title=sheet.title[:200],
                rows_total=sheet.total,
                state=ExportJob.State.RUNNING if direct else ExportJob.State.QUEUED,
            )
            record(
                "reports.export",
                actor=user,
                obj=job,
                subject=sheet.title,
                detail={"name": name, "params": params, "rows": sheet.total, "worker": not direct},
            )
            if sheet.personal_fields:
                record_personal_view(
                    actor=user, obj=job, subject=sheet.title, fields=list(sheet.personal_fields)
                )
            if not direct:
                enqueue(EXPORT_JOB, {"export": job.pk})
        if not direct:
            return job, None
        out = io.BytesIO()
        written = write(sheet, out)
    job.state, job.rows_done, job.finished_at = ExportJob.State.DONE, written, timezone.now()
    job.save(update_fields=["state", "rows_done", "finished_at"])
    return job, out.getvalue()


def _text(sheet: Any, value: str) -> Any:
    """A cell that stays text: openpyxl would turn a citizen's "=HYPERLINK(…)" into a live formula."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def write(sheet: Sheet, target: IO[bytes] | str | Path, progress: Callable[[int], None] | None = None) -> int:
    """Write ``sheet`` as an .xlsx to ``target`` (streaming rows: memory stays flat); returns the rows
    written, calling ``progress(n)`` every PROGRESS_EVERY rows."""
    book = Workbook(write_only=True)
    out = book.create_sheet(_sheet_title(sheet.title))
    out.append(list(sheet.headers))
    written = 0
    for row in sheet.rows:
        out.append([_text(out, value) if isinstance(value, str) else value for value in row])
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)
    book.save(target)
    return written


def file_name(job: ExportJob) -> str:
    """The name the download is offered under: the sheet's title and the day it was asked for."""
    return f"{job.title or job.name}-{local_day(job.created_at):%Y%m%d}.xlsx"


def export_dir() -> Path:
    return Path(settings.VAR_DIR) / "exports"


def path_of(job: ExportJob) -> Path | None:
    """The written file of a finished job, if it is still there."""
    if job.state != ExportJob.State.DONE or not job.file_name:
        return None
    path = export_dir() / job.file_name
    return path if path.is_file() else None


def run(job_id: Any) -> None:
    """Write a large export under var/exports/ (the worker calls this), counting progress on its job.
    Safe to repeat: a job already done is left alone, an interrupted one is written again from the
    start. A failure is written on the job, which the status page shows."""
    job = (
        ExportJob.objects.select_related("user").filter(pk=job_id).first()
        if isinstance(job_id, int)
        else None
    )
    if job is None:
        raise PermanentFailure(f"no export job {job_id!r}")
    if job.state == ExportJob.State.DONE:
        return
    rows = ExportJob.objects.filter(pk=job.pk)
    rows.update(state=ExportJob.State.RUNNING, rows_done=0, error="")
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{job.pk}-{secrets.token_hex(8)}.xlsx"
    part = folder / f"{name}.part"
    try:
        with translation.override(settings.LANGUAGE_CODE):
            sheet = _sheet(job.user, job.name, job.params)
            rows.update(rows_total=sheet.total)

            def progress(n: int) -> None:
                rows.update(rows_done=n)

            written = write(sheet, part, progress=progress)
        os.replace(part, folder / name)
    except Exception as error:
        part.unlink(missing_ok=True)
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        rows.update(state=ExportJob.State.FAILED, error=message[:2000] or type(error).__name__,
                    finished_at=timezone.now())  # fmt: skip
        # Recorded on the job, not raised: the worker would roll the record back with the handler's
        # savepoint, and retrying cannot help (the same rows fail the same way; the user may ask again).
        logger.warning("export %s failed: %s", job.pk, message, exc_info=True)
        return
    rows.update(
        state=ExportJob.State.DONE,
        rows_done=written,
        rows_total=max(written, sheet.total),
        file_name=name,
        finished_at=timezone.now(),
    )


def delete_older_than(moment: datetime) -> int:
    """Delete the exports asked for before ``moment`` with their files; returns how many."""
    old = list(ExportJob.objects.filter(created_at__lt=moment))
    for job in old:
        if job.file_name:
            (export_dir() / job.file_name).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
