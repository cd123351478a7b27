"""What the export tests share: download a list's Excel as a user and read it back."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from minyi.audit.models import AuditEvent
from minyi.reports.models import ExportJob
from minyi.testing import PASSWORD


def client_for(user: Any) -> Client:
    client = Client()
    username = user if isinstance(user, str) else user.get_username()
    assert client.login(username=username, password=PASSWORD)
    return client


def sheet(user: Any, name: str, query: dict[str, str] | None = None) -> list[list[Any]]:
    """The rows (headers first) of export `name` downloaded by `user`."""
    response = client_for(user).get(f"/reports/export/{name}/", query or {})
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [list(row) for row in book.iter_rows(values_only=True)]


def column(rows: list[list[Any]], header: str) -> list[Any]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def refused(user: Any, name: str, query: dict[str, str] | None = None) -> int:
    """The status `user` gets for export `name`, checking that nothing was saved."""
    before = ExportJob.objects.count()
    status = client_for(user).get(f"/reports/export/{name}/", query or {}).status_code
    assert ExportJob.objects.count() == before
    return status


def audited(name: str) -> dict[str, Any]:
    """The detail of the newest export's audit row, which must be export `name`'s."""
    event = AuditEvent.objects.filter(action="reports.export").latest("pk")
    assert event.detail["name"] == name
    return dict(event.detail)
