"""回避 on every staff path: an appeal about a unit's officials is never dispatched to, listed for, found
by, exported to, or opened by that unit or the units below it — even if an assignment slipped through."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minyi.appeals import rules
from minyi.appeals.access import AppealPerm
from minyi.appeals.choices import AssignmentRole, State
from minyi.appeals.models import Appeal, Assignment, Category
from minyi.appeals.tests.factories import new_appeal
from minyi.org.models import Unit
from minyi.org.permissions import can, visible
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TITLE = "举报镇干部吃拿卡要"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def about(actors: Actors, unit: Unit | None, **fields: Any) -> Appeal:
    photo = SimpleUploadedFile("证据.png", PNG, content_type="image/png")
    return new_appeal(actors, title=TITLE, concerns_unit=unit, files=[photo], **fields)


def slipped_through(appeal: Appeal, unit: Unit, actors: Actors) -> Assignment:
    """An assignment no rule would make (dispatch refuses it): as if a bug or an import had written it."""
    now = timezone.now()
    return Assignment.objects.create(
        appeal=appeal,
        unit=unit,
        role=AssignmentRole.LEAD,
        dispatched_by=actors.dispatcher,
        return_by=now + timedelta(days=2),
        deadline=now + timedelta(days=5),
    )


def paths_seen_by(client: Client, user: User, appeal: Appeal) -> dict[str, bool]:
    """Whether ``appeal`` shows through each staff path for ``user``."""
    client.force_login(user)
    number = str(appeal.number)
    listed = client.get(reverse("appeals:list"), {"state": ""}).content.decode()
    usual = client.get(reverse("appeals:list")).content.decode()
    found = client.get(reverse("appeals:list"), {"q": "吃拿卡要", "state": ""}).content.decode()
    exported = client.get(reverse("appeals:export"), {"state": ""}, follow=True)
    export = exported.content
    detail = client.get(reverse("appeals:detail", args=[number]))
    attachment = client.get(reverse("appeals:attachment", args=[number, appeal.attachments.get().pk]))
    accept = client.post(reverse("appeals:accept", args=[number]), {"version": appeal.version})
    return {
        "list": number in listed or number in usual,
        "search": number in found,
        "export": number.encode() in _unzipped(export),
        "detail": detail.status_code != 404,
        "attachment": attachment.status_code != 404,
        "action": accept.status_code != 404,
        "visible": visible(user, Appeal.objects.filter(pk=appeal.pk)).exists(),
        "can": can(user, AppealPerm.VIEW, appeal),
    }


def _unzipped(xlsx: bytes) -> bytes:
    """The workbook's text (shared strings and sheets), to look for a number in it."""
    from zipfile import ZipFile

    with ZipFile(io.BytesIO(xlsx)) as book:
        return b"".join(book.read(name) for name in book.namelist() if name.endswith(".xml"))


NOWHERE = dict.fromkeys(
    ["list", "search", "export", "detail", "attachment", "action", "visible", "can"], False
)
EVERYWHERE = dict.fromkeys(NOWHERE, True)


def test_appeal_about_a_township_never_reaches_its_staff(client: Client, actors: Actors) -> None:
    appeal = rules.dispatch(about(actors, actors.town), lead=actors.edu, actor=actors.dispatcher)
    slipped_through(appeal, actors.village, actors)  # even assigned below 海城镇, it stays hidden there
    for insider in (actors.town_handler, actors.cadre):
        assert paths_seen_by(client, insider, appeal) == NOWHERE, insider.username

    control = rules.dispatch(about(actors, None), lead=actors.edu, actor=actors.dispatcher)  # no 回避
    slipped_through(control, actors.village, actors)
    assert paths_seen_by(client, actors.town_handler, control) == EVERYWHERE  # so the test can tell
    assert paths_seen_by(client, actors.dispatcher, appeal)["detail"]  # the district office still works on it


def test_appeal_about_a_department_is_not_offered_to_it_and_stays_hidden_even_if_assigned(
    client: Client, actors: Actors
) -> None:
    schools = Category.objects.create(code="schools", name="学校管理", default_unit=actors.edu)
    appeal = about(actors, actors.edu, category=schools)
    client.force_login(actors.dispatcher)
    html = client.get(reverse("appeals:detail", args=[appeal.number]), headers={"accept-language": "en"})
    start = html.content.decode().index('id="act-dispatch"')
    dispatch_form = html.content.decode()[start:]
    dispatch_form = dispatch_form[: dispatch_form.index("</details>")]
    assert f'value="{actors.housing.pk}"' in dispatch_form
    assert f'value="{actors.edu.pk}"' not in dispatch_form  # neither as lead nor as co-unit, though suggested
    response = client.post(
        reverse("appeals:dispatch", args=[appeal.number]), {"version": appeal.version, "lead": actors.edu.pk}
    )
    assert response.status_code == 400
    appeal.refresh_from_db()
    assert appeal.state == State.RECEIVED and not appeal.assignments.exists()

    slipped_through(appeal, actors.edu, actors)
    for insider in (actors.head_edu, actors.handler_edu):
        assert paths_seen_by(client, insider, appeal) == NOWHERE, insider.username
    assert paths_seen_by(client, actors.handler_housing, appeal) == NOWHERE  # not assigned to him either
    rules.dispatch(appeal, lead=actors.housing, actor=actors.dispatcher)
    appeal.refresh_from_db()
    assert paths_seen_by(client, actors.handler_housing, appeal) == EVERYWHERE


def test_recusal_and_scope_hold_through_the_api_reads(client: Client, actors: Actors) -> None:
    """回避 through the API: list and detail, like the pages (the full REST API extends this)."""
    from minyi.appeals.tests.factories import dispatched

    about_town = dispatched(actors, concerns_unit=actors.town)  # handled by EDU, about T1's officials
    plain = dispatched(actors)
    client.force_login(actors.dispatcher)
    numbers = {a["number"] for a in client.get("/api/v1/appeals/").json()["results"]}
    assert {about_town.number, plain.number} <= numbers
    client.force_login(actors.cadre)  # in T1: recused from the first, and neither is assigned to T1
    assert client.get("/api/v1/appeals/").json()["results"] == []
    assert client.get(f"/api/v1/appeals/{about_town.number}/").status_code == 404
    client.force_login(actors.handler_edu)  # EDU holds both
    assert client.get(f"/api/v1/appeals/{about_town.number}/").json()["lead_unit"] == "EDU"
    client.force_login(actors.town_handler)
    assert client.get(f"/api/v1/appeals/{about_town.number}/").status_code == 404
    client.logout()
    assert client.get("/api/v1/appeals/").status_code == 403
