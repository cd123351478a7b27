"""Excel exports: the appeal list and the dashboard tables download with the page's filters and the
user's scope, Chinese headers and masked personal data (unmasked only for those allowed who ask, and
audited); large ones go to the worker, which counts its progress, and only their owner downloads them."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal
from minyi.audit.models import AuditEvent
from minyi.reports import exports
from minyi.reports.models import ExportJob
from minyi.sheets import Sheet, exporter
from minyi.testing import PASSWORD, Actors
from minyi.worker.rules import work

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _submit(actors: Actors, channel: str = Channel.HOTLINE, village: Any = None, **extra: Any) -> Appeal:
    return appeal_rules.submit(
        channel=channel,
        kind=Kind.HELP,
        title="路灯不亮",
        body="村口路灯坏了，请联系我",
        village=village or actors.village,
        citizen_name="张三丰",
        citizen_phone=PHONE,
        address="东村三组5号",
        **extra,
    ).appeal


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _download(response: Any) -> bytes:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == exports.XLSX
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_small_list_downloads_at_once_filtered_masked_in_chinese_and_audited(actors: Actors) -> None:
    hotline = [_submit(actors), _submit(actors)]
    _submit(actors, Channel.MAILBOX)
    rows = _rows(_download(_client("dispatcher").get("/reports/export/appeals/", {"channel": "hotline"})))
    header, body = rows[0], rows[1:]
    assert header[0] == "受理编号" and "电话" in header  # the office's language, whatever the user's
    assert sorted(str(row[0]) for row in body) == sorted(str(a.number) for a in hotline)
    assert all(row[header.index("电话")] == "139****5678" for row in body)
    assert all("张三丰" not in str(row) for row in body)
    event = AuditEvent.objects.get(action="reports.export")
    assert event.detail["name"] == "appeals" and event.detail["rows"] == 2
    assert event.detail["params"] == {"channel": "hotline"} and event.detail["worker"] is False
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
    job = ExportJob.objects.get()
    assert (job.state, job.rows_done, job.rows_total) == ("done", 2, 2)


def test_personal_data_only_for_those_allowed_who_ask_and_the_reading_is_audited(actors: Actors) -> None:
    _submit(actors)
    rows = _rows(_download(_client("leader").get("/reports/export/appeals/", {"state": "", "personal": "1"})))
    assert rows[1][rows[0].index("电话")] == PHONE and rows[1][rows[0].index("姓名")] == "张三丰"
    seen = AuditEvent.objects.get(action="personal_data.view")
    assert seen.actor == actors.leader and set(seen.detail["fields"]) >= {"name", "phone"}
    # A handler may not see personal data: the same request gives a masked sheet and no such audit.
    appeal = Appeal.objects.get()
    appeal_rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    rows = _rows(
        _download(_client("handler_edu").get("/reports/export/appeals/", {"state": "", "personal": "1"}))
    )
    assert rows[1][rows[0].index("电话")] == "139****5678"
    assert AuditEvent.objects.filter(action="personal_data.view").count() == 1


def test_the_list_keeps_to_the_users_scope(actors: Actors) -> None:
    mine, theirs = _submit(actors), _submit(actors)
    appeal_rules.dispatch(mine, lead=actors.edu, actor=actors.dispatcher)
    appeal_rules.dispatch(theirs, lead=actors.housing, actor=actors.dispatcher)
    rows = _rows(_download(_client("handler_edu").get("/reports/export/appeals/", {"state": ""})))
    assert [row[0] for row in rows[1:]] == [mine.number]
    # With no filter given, the role's default list (a handler: open work of their unit) is exported.
    rows = _rows(_download(_client("handler_edu").get("/reports/export/appeals/")))
    assert [row[0] for row in rows[1:]] == [mine.number]


def test_a_bad_filter_is_refused_and_nothing_is_saved(actors: Actors) -> None:
    today = timezone.localdate()
    response = _client("dispatcher").get(
        "/reports/export/appeals/",
        {"received_from": today.isoformat(), "received_to": (today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode() or "结束日期" in (
        response.content.decode()
    )
    assert not ExportJob.objects.exists() and not AuditEvent.objects.filter(action="reports.export").exists()
    assert _client("dispatcher").get("/reports/export/nonsense/").status_code == 404
    too_long = _client("dispatcher").get("/reports/export/appeals/", {"q": "x" * 300})
    assert too_long.status_code == 400 and not ExportJob.objects.exists()


def test_an_export_over_the_limit_is_refused(actors: Actors, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "MAX_ROWS", 1)
    _submit(actors)
    _submit(actors)
    response = _client("dispatcher").get("/reports/export/appeals/", {"state": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Narrow the filters" in body or "缩小" in body  # in English until the catalogue has it
    assert not ExportJob.objects.exists()


def test_who_may_not_read_the_list_may_not_export_it(actors: Actors) -> None:
    assert _client("member").get("/reports/export/appeals/").status_code == 403
    assert _client("handler_edu").get("/reports/export/panel/channel/").status_code == 403
    assert not ExportJob.objects.exists()


def test_a_large_list_goes_to_the_worker_with_progress_and_only_the_owner_downloads(
    actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "DIRECT_LIMIT", 2)
    appeals = [_submit(actors) for _i in range(3)]
    client = _client("dispatcher")
    asked = client.get("/reports/export/appeals/", {"state": ""})
    job = ExportJob.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/reports/exports/{job.pk}/"
    assert (job.state, job.rows_total, job.rows_done) == ("queued", 3, 0)
    waiting = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in waiting and "<progress" in waiting
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404  # not written yet

    work("test-worker", once=True)
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total) == ("done", 3, 3)
    assert (Path(exports.export_dir()) / job.file_name).is_file() and job.finished_at is not None
    ready = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in ready and f"/reports/exports/{job.pk}/download/" in ready
    rows = _rows(_download(client.get(f"/reports/exports/{job.pk}/download/")))
    assert sorted(str(row[0]) for row in rows[1:]) == sorted(str(a.number) for a in appeals)
    assert AuditEvent.objects.filter(action="reports.export_download", actor=actors.dispatcher).count() == 1
    other = _client("operator")
    assert other.get(f"/reports/exports/{job.pk}/").status_code == 404
    assert other.get(f"/reports/exports/{job.pk}/download/").status_code == 404
    assert job.title in client.get("/reports/exports/").content.decode()


PROGRESS_SEEN: list[int] = []


@exporter("test.counting")
def _counting(user: Any, params: dict[str, str]) -> Sheet:
    def rows() -> Any:
        for i in range(5):
            # What the status page would read while the worker writes row i.
            PROGRESS_SEEN.append(ExportJob.objects.get().rows_done)
            yield [f"row {i}", i]

    return Sheet(title="计数", headers=["名称", "数"], rows=rows(), total=5)


def test_the_worker_counts_its_progress_on_the_job(actors: Actors, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "DIRECT_LIMIT", 1)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    PROGRESS_SEEN.clear()
    job, content = exports.request_export(actors.dispatcher, "test.counting", {})
    assert content is None
    work("test-worker", once=True)
    assert PROGRESS_SEEN == [0, 0, 2, 2, 4]
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.percent) == ("done", 5, 100)


def test_an_export_whose_user_lost_the_right_fails_visibly(
    actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "DIRECT_LIMIT", 0)
    _submit(actors)
    job, _content = exports.request_export(actors.dispatcher, "appeals", {"state": ""})
    actors.dispatcher.person.role = "member"
    actors.dispatcher.person.save()
    actors.dispatcher.groups.clear()
    work("test-worker", once=True)
    from minyi.worker.models import Job

    print(list(Job.objects.values("kind", "state", "last_error")))
    job.refresh_from_db()
    assert job.state == "failed" and job.error
    client = Client()
    client.force_login(actors.dispatcher)
    assert job.error in client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert not list(exports.export_dir().glob("*.xlsx"))


def test_old_exports_are_deleted_with_their_files(actors: Actors, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "DIRECT_LIMIT", 0)
    _submit(actors)
    old, _c = exports.request_export(actors.dispatcher, "appeals", {"state": ""})
    new, _c = exports.request_export(actors.dispatcher, "appeals", {"state": "", "channel": "hotline"})
    work("test-worker", once=True)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    old.refresh_from_db()
    old_file = exports.export_dir() / old.file_name
    assert old_file.is_file()
    assert exports.delete_older_than(timezone.now() - exports.KEEP) == 1
    assert not old_file.exists()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [new.pk]


def test_a_dashboard_panel_exports_its_table_for_the_viewers_scope(actors: Actors) -> None:
    edu = _submit(actors)
    appeal_rules.dispatch(edu, lead=actors.edu, actor=actors.dispatcher)
    _submit(actors, Channel.MAILBOX)
    _submit(actors, Channel.MAILBOX)
    rows = _rows(_download(_client("leader").get("/reports/export/panel/channel/", {"view": "district"})))
    assert len(rows[0]) == 2  # the item and its figure
    assert sorted(row[1] for row in rows[1:]) == [1, 2]
    # As on the page, a leader's own view (their items and villages: none here) is the default.
    assert _rows(_download(_client("leader").get("/reports/export/panel/channel/")))[1:] == []
    head = _rows(_download(_client("head_edu").get("/reports/export/panel/channel/")))
    assert [row[1] for row in head[1:]] == [1]  # only what the bureau leads
    rates = _rows(_download(_client("leader").get("/reports/export/panel/rate_trend/")))
    assert len(rates[0]) == 4  # the item and one column per rate
    event = AuditEvent.objects.filter(action="reports.export").latest("pk")
    assert event.detail["params"] == {"key": "rate_trend"}


def test_bad_dashboard_exports_are_refused(actors: Actors) -> None:
    head = _client("head_edu")
    assert head.get("/reports/export/panel/nonsense/").status_code == 400
    assert (
        head.get("/reports/export/panel/channel/", {"unit": actors.town.pk}).status_code == 400
    )  # not theirs
    assert not ExportJob.objects.exists()


def test_the_dashboard_offers_an_export_per_table(actors: Actors) -> None:
    page = _client("leader").get("/reports/", {"campaign": ""}).content.decode()
    for key in ("channel", "kind", "township", "due", "rates", "coverage"):
        assert f"/reports/export/panel/{key}/?campaign=" in page
    listing = _client("dispatcher").get("/appeals/", {"channel": "hotline"}).content.decode()
    assert "/reports/export/appeals/?channel=hotline" in listing


def test_the_visit_coverage_table_exports_by_township_with_the_total(actors: Actors) -> None:
    rows = _rows(_download(_client("dispatcher").get("/reports/export/coverage/")))
    assert len(rows[0]) == 9
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["海城镇"][2] == 2 and by_name["海城镇"][5] == 1  # two villages, one household
    assert by_name["青山镇"][2] == 1
    assert rows[-1][2] == 3  # the total row
    refused = _client("dispatcher").get(
        "/reports/export/coverage/", {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert refused.status_code == 400
    assert _client("handler_edu").get("/reports/export/coverage/").status_code == 403


def test_the_left_behind_of_a_branch_export_for_its_period(actors: Actors) -> None:
    from minyi.study.tests.conftest import build_study

    study = build_study(actors)
    query = {"branch": str(study.branch_b.pk), "campaign": study.campaign.code}
    rows = _rows(_download(_client("dispatcher").get("/reports/export/left_behind/", query)))
    assert [row[0] for row in rows[1:]] == ["海**"]  # members' names are masked unless asked for
    assert rows[1][2] == "是"  # a mobile member
    query["personal"] = "1"  # the dispatcher may see personal data: in full, and audited
    rows = _rows(_download(_client("dispatcher").get("/reports/export/left_behind/", query)))
    assert [row[0] for row in rows[1:]] == ["海员乙"]
    # A branch outside the user's scope is refused as if it did not exist.
    assert _client("dispatcher").get("/reports/export/left_behind/", {"branch": "999999"}).status_code == 400
    assert not ExportJob.objects.filter(name="left_behind", rows_total=0).exists()
