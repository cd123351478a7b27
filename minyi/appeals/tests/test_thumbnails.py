"""Photos show as thumbnails drawn once on the server (never the whole image inline), PDFs as an icon with
their name; both open the whole file; the thumbnail answers only the readers who may see the file."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image

from minyi.appeals.tests.factories import dispatched
from minyi.appeals.uploads import THUMBNAIL_SIZE, _thumbnail_name
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Path) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield


def photo(width: int = 1600, height: int = 1200) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "PNG")
    return SimpleUploadedFile("路灯.png", out.getvalue(), content_type="image/png")


def test_a_photo_shows_as_its_thumbnail_and_opens_whole(actors: Actors) -> None:
    pdf = SimpleUploadedFile("回复函.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    appeal = dispatched(actors, files=[photo(), pdf])
    shot = appeal.attachments.get(content_type="image/png")
    letter = appeal.attachments.get(content_type="application/pdf")
    client = Client()
    client.force_login(actors.handler_edu)
    page = client.get(reverse("appeals:detail", args=[appeal.number])).content.decode()
    full = reverse("appeals:attachment", args=[appeal.number, shot.pk])
    thumb = reverse("appeals:attachment_thumbnail", args=[appeal.number, shot.pk])
    assert f'<a href="{full}" class="thumb"' in page and f'<img src="{thumb}"' in page
    assert f'src="{full}"' not in page  # never the whole photo inline
    letter_url = reverse("appeals:attachment", args=[appeal.number, letter.pk])
    assert f'<a href="{letter_url}" class="file-name">' in page and "回复函.pdf" in page

    answer = client.get(thumb)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    drawn = Image.open(io.BytesIO(answer.content))
    assert max(drawn.size) == THUMBNAIL_SIZE and drawn.size == (240, 180)
    assert default_storage.exists(_thumbnail_name(shot))  # drawn once, then kept
    assert client.get(thumb).content == answer.content
    assert (
        client.get(reverse("appeals:attachment_thumbnail", args=[appeal.number, letter.pk])).status_code
        == 404
    )

    outsider = Client()
    outsider.force_login(actors.outsider)
    assert outsider.get(thumb).status_code == 404
    assert Client().get(thumb).status_code == 302  # to the login page
