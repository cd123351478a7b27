"""Handlers record progress with photos; the citizen sees the notes marked public and their own photos
on the tracking page, never the internal notes nor the staff's photos."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.appeals import rules
from minyi.appeals.choices import EventKind
from minyi.appeals.models import AppealEvent, Attachment
from minyi.appeals.tests.factories import in_progress
from minyi.testing import Actors

pytestmark = pytest.mark.django_db
ZH = {"accept-language": "zh-hans"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PUBLIC_NOTE = "已请电力维修队于11月20日上午到场更换路灯，联系人王大海。"
INTERNAL_NOTE = "内部：配件要等一周，钱师傅说先别告诉群众"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path  # uploaded photos land in the test's own folder
    cache.clear()
    yield
    cache.clear()


def _photo(name: str = "lamp.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def _report(client: Any, number: str | None, version: int, **data: Any) -> Any:
    return client.post(f"/appeals/{number}/progress/", {"version": version, **data}, headers=ZH)


def test_the_handler_reports_progress_with_photos_shown_as_thumbnails(client: Any, actors: Actors) -> None:
    appeal = in_progress(actors)
    client.force_login(actors.handler_edu)
    page = client.get(f"/appeals/{appeal.number}/", headers=ZH).content.decode()
    assert 'enctype="multipart/form-data"' in page[page.index('id="act-progress"') :]
    response = _report(
        client, appeal.number, appeal.version, note=PUBLIC_NOTE, public="on",
        uploads=[_photo(), _photo("site.jpg", JPEG)],
    )  # fmt: skip
    assert response.status_code == 302
    event = AppealEvent.objects.get(appeal=appeal, kind=EventKind.PROGRESS)
    assert event.data["public"] is True and event.attachments.count() == 2
    assert {a.content_type for a in event.attachments.all()} == {"image/png", "image/jpeg"}
    page = client.get(f"/appeals/{appeal.number}/", headers=ZH).content.decode()
    timeline = page[page.index('id="h-timeline"') :]
    for photo in event.attachments.all():
        assert f'<img class="thumb" src="/appeals/{appeal.number}/files/{photo.pk}/"' in timeline
    assert "已向群众公开" in timeline
    first = event.attachments.all()[0]
    served = client.get(f"/appeals/{appeal.number}/files/{first.pk}/")
    assert served.status_code == 200


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(client: Any, actors: Actors) -> None:
    appeal = in_progress(actors)
    client.force_login(actors.handler_edu)
    fake = _photo("lamp.jpg", b"MZ\x90\x00 this is a program")
    response = _report(client, appeal.number, appeal.version, note=PUBLIC_NOTE, uploads=[_photo(), fake])
    assert response.status_code == 400
    assert "不是照片" in response.content.decode()
    assert (
        not AppealEvent.objects.filter(kind=EventKind.PROGRESS).exists() and not Attachment.objects.exists()
    )
    too_many = [_photo(f"p{i}.png") for i in range(6)]
    response = _report(client, appeal.number, appeal.version, note=PUBLIC_NOTE, uploads=too_many)
    assert response.status_code == 400 and not Attachment.objects.exists()


def test_the_citizen_sees_public_notes_and_their_own_photos_only(client: Any, actors: Actors) -> None:
    submission = rules.submit(
        channel="mailbox", kind="complaint", title="东村路灯坏了三个月", body="东村三组村口的路灯坏了。",
        village=actors.village, citizen_name="王大海", citizen_phone="13900001111",
        files=[_photo("mine.png")],
    )  # fmt: skip
    appeal = rules.dispatch(submission.appeal, lead=actors.edu, actor=actors.dispatcher)
    rules.accept(appeal.assignments.get(), actor=actors.handler_edu)
    rules.report_progress(appeal, actor=actors.handler_edu, note=PUBLIC_NOTE, public=True, files=[_photo()])
    rules.report_progress(appeal, actor=actors.handler_edu, note=INTERNAL_NOTE, files=[_photo("x.png")])
    own = Attachment.objects.get(event__isnull=True)
    staff_photos = list(Attachment.objects.filter(event__isnull=False))

    query = {"number": appeal.number, "code": submission.query_code}
    page = client.post("/appeal/track/", query, headers=ZH, follow=True).content.decode()
    assert "区教育局 办理进展：已请电力维修队于11月20日上午到场更换路灯" in page
    assert "王大海" not in page and INTERNAL_NOTE not in page and "钱师傅" not in page
    assert f'src="/appeal/track/{appeal.number}/files/{own.pk}/"' in page
    assert "已附 1 个文件" in page  # the citizen's own file, not the staff's two
    assert all(f"/files/{photo.pk}/" not in page for photo in staff_photos)
    assert client.get(f"/appeal/track/{appeal.number}/files/{own.pk}/").status_code == 200
    assert client.get(f"/appeal/track/{appeal.number}/files/{staff_photos[0].pk}/").status_code == 404

    stranger = client.__class__()  # a browser that never showed the query code
    response = stranger.get(f"/appeal/track/{appeal.number}/files/{own.pk}/")
    assert response.status_code == 302 and "/appeal/track/?number=" in response["Location"]
