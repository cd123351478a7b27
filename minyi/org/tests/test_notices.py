"""Notices to staff: at once or in one daily digest, as each person chose."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest
from django.utils import timezone

from minyi.org.choices import NoticeMode, Role
from minyi.org.models import Person, StaffNotice
from minyi.org.notices import DIGEST_JOB, send_digests, staff_of, tell
from minyi.testing import Actors
from minyi.worker.models import Job
from minyi.worker.schedule import Periodic, slot

pytestmark = pytest.mark.django_db


def test_immediate_readers_get_an_sms_per_notice_digest_readers_one_message(actors: Actors) -> None:
    Person.objects.filter(user=actors.head_edu).update(phone="13700000001", notice_mode=NoticeMode.DIGEST)
    people = staff_of([actors.edu], [Role.HANDLER, Role.UNIT_HEAD])
    assert {p.user for p in people} == {actors.handler_edu, actors.head_edu}
    tell(people, "新交办件：东村路灯坏了", link="/appeals/1/")
    tell(people, "新交办件：西村水管破裂", link="/appeals/2/")
    assert StaffNotice.objects.filter(user=actors.head_edu).count() == 2
    sms = Job.objects.filter(kind="notify.sms")
    assert [j.payload["phone"] for j in sms] == ["13800003333", "13800003333"]  # the handler, at once
    send_digests({})
    send_digests({})  # a rerun sends nothing more
    digest = [j.payload for j in Job.objects.filter(kind="notify.sms") if j.payload["phone"] == "13700000001"]
    assert len(digest) == 1
    assert "东村路灯坏了" in digest[0]["text"] and "西村水管破裂" in digest[0]["text"]


def test_the_daily_slot_begins_at_the_local_run_time() -> None:
    job = Periodic(DIGEST_JOB, daily_at=time(18, 0))
    shanghai = timezone.get_default_timezone()
    assert slot(job, datetime(2026, 11, 29, 17, 59, tzinfo=shanghai)) is None
    assert slot(job, datetime(2026, 11, 29, 18, 0, tzinfo=shanghai)) == "2026-11-29"


def test_staff_read_their_notices_and_choose_a_daily_digest(client: Any, actors: Actors) -> None:
    people = staff_of([actors.edu], [Role.HANDLER])
    tell(people, "新交办件：东村路灯坏了", link="/appeals/1/")
    client.force_login(actors.handler_edu)
    home = client.get("/").content.decode()
    assert "1 条新通知" in home
    page = client.get("/org/notices/").content.decode()
    assert "东村路灯坏了" in page
    assert StaffNotice.objects.get().read_at is not None  # shown, so read
    assert "条新通知" not in client.get("/").content.decode()
    response = client.post("/org/notices/", {"notice_mode": NoticeMode.DIGEST})
    assert response.status_code == 302
    assert Person.objects.get(user=actors.handler_edu).notice_mode == NoticeMode.DIGEST
    assert client.post("/org/notices/", {"notice_mode": "hourly"}).status_code == 400
