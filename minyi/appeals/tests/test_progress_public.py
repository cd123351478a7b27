"""Progress marked public reaches the citizen (SMS with its template, e-mail, WeChat); internal
progress stays inside. Through the staff page and the API."""

from __future__ import annotations

import pytest
from django.test import Client

from minyi.api.tests.helpers import api_as
from minyi.appeals.tests.factories import in_progress
from minyi.testing import Actors
from minyi.worker.models import Job

pytestmark = pytest.mark.django_db


def _progress_sms() -> list[dict[str, object]]:
    return [
        job.payload
        for job in Job.objects.filter(kind="notify.sms")
        if job.payload.get("template") == "progress"
    ]


def test_public_progress_on_the_staff_page_tells_the_citizen_and_internal_does_not(actors: Actors) -> None:
    appeal = in_progress(actors)
    client = Client()
    client.force_login(actors.handler_edu)
    url = f"/appeals/{appeal.number}/progress/"
    assert client.post(url, {"note": "内部：预算待批", "version": appeal.version}).status_code in (200, 302)
    assert _progress_sms() == []
    appeal.refresh_from_db()
    client.post(url, {"note": "已联系供电所，本周内更换灯泡", "public": "on", "version": appeal.version})
    [sms] = _progress_sms()
    assert sms["text"] == f"您的诉求 {appeal.number} 有新进展：已联系供电所，本周内更换灯泡"
    assert sms["params"] == {"number": appeal.number, "note": "已联系供电所，本周内更换灯泡"}


def test_public_progress_through_the_api(actors: Actors) -> None:
    appeal = in_progress(actors)
    response = api_as(actors.handler_edu).act(
        appeal.number, "progress", {"note": "已派人查看", "public": True}
    )
    assert response.status_code == 200, response.content
    assert [sms["params"] for sms in _progress_sms()] == [{"number": appeal.number, "note": "已派人查看"}]
