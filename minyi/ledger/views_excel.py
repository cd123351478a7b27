"""The ledger as Excel: the export of the page's items (its filters, the user's scope) and the import
of the same layout, all or nothing, with its empty template."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from minyi.audit.rules import record
from minyi.ledger.access import LedgerPerm
from minyi.ledger.excel import (
    XLSX,
    LedgerImportReport,
    import_ledger,
    template_workbook,
    title_line,
    write_ledger,
)
from minyi.ledger.filters import LedgerFilters
from minyi.ledger.forms import LedgerImportForm
from minyi.org.permissions import require


def _xlsx(file: Any, name: str) -> FileResponse:
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)


@login_required
@require_GET
def export(request: HttpRequest) -> FileResponse:
    """The ledger page's items (same filters, same scope) as the office's sheet, audited."""
    require(request.user, LedgerPerm.VIEW)
    chosen = LedgerFilters.parse(request.GET)
    today = timezone.localdate()
    issues = chosen.apply(request.user, today)
    # A temporary file, not memory: a city's ledger may have 100,000 rows.
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when sent)
    rows = write_ledger(out, issues, user=request.user, title=title_line(chosen, request.user, today))
    record("ledger.export", actor=request.user, detail={"filters": chosen.query(), "rows": rows})
    return _xlsx(out, f"{_('Rectification ledger')}-{today:%Y%m%d}")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponseBase:
    """Upload an edited export (or the filled-in template); ?template=1 downloads the empty sheet."""
    require(request.user, LedgerPerm.ADD)
    if request.method == "GET" and request.GET.get("template"):
        record("ledger.import.template", actor=request.user)
        out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when sent)
        template_workbook(out, user=request.user)
        return _xlsx(out, _("ledger-import-template"))
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    report: LedgerImportReport | None = None
    if request.method == "POST" and form.is_valid():
        report = import_ledger(form.cleaned_data["file"], actor=request.user)
        form = LedgerImportForm()
    status = 400 if form.errors or (report is not None and not report.ok) else 200
    return render(request, "ledger/import.html", {"form": form, "report": report}, status=status)
