"""The evaluation pages through the test client: the office builds, opens, prints codes and closes a
form; citizens answer on the public page with a code; wrong input gets a clear message and stores nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal
from minyi.evaluation import rules
from minyi.evaluation.choices import FormState
from minyi.evaluation.models import AnswerCode, EvaluationForm, Response
from minyi.evaluation.tests.conftest import Setup
from minyi.evaluation.tests.helpers import answer_online
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _client(user: Any = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def test_office_builds_opens_prints_codes_and_closes_a_form(actors: Actors) -> None:
    client = _client(actors.dispatcher)
    assert "/evaluation/" in client.get("/").content.decode()
    today = timezone.localdate()
    data = {
        "title": "窗口服务评议",
        "units": [str(actors.edu.pk), str(actors.housing.pk)],
        "criteria": "服务态度\n办事效率\n",
        "scale_min": "1",
        "scale_max": "3",
        "scale_labels": "不满意\n基本满意\n满意",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=7)).isoformat(),
    }
    bad = client.post("/evaluation/new/", {**data, "scale_labels": "不满意\n满意"})
    assert bad.status_code == 400 and "Name every score" in bad.content.decode()
    assert not EvaluationForm.objects.exists()
    created = client.post("/evaluation/new/", data)
    form = EvaluationForm.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/evaluation/{form.pk}/"
    assert (
        client.post(f"/evaluation/{form.pk}/edit/", {**data, "title": "窗口服务评议（修订）"}).status_code
        == 302
    )
    assert client.post(f"/evaluation/{form.pk}/open/").status_code == 302
    form.refresh_from_db()
    assert form.state == FormState.OPEN and form.title == "窗口服务评议（修订）"
    assert client.get(f"/evaluation/{form.pk}/edit/").status_code == 200
    assert client.post(f"/evaluation/{form.pk}/edit/", data).status_code == 400  # open: no more changes

    assert client.post(f"/evaluation/{form.pk}/codes/new/", {"count": "0"}).status_code == 400
    printed = client.post(f"/evaluation/{form.pk}/codes/new/", {"count": "12"})
    html = printed.content.decode()
    codes = re.findall(r'<code class="code">([A-Z0-9-]+)</code>', html)
    assert len(codes) == 12 and "data:text/csv" in html
    assert AnswerCode.objects.filter(form=form).count() == 12
    assert printed["Cache-Control"].startswith("max-age=0")
    detail = client.get(f"/evaluation/{form.pk}/").content.decode()
    assert "12" in detail and codes[0] not in detail  # made once, never shown again

    assert client.post(f"/evaluation/{form.pk}/close/").status_code == 302
    form.refresh_from_db()
    assert form.state == FormState.CLOSED


def test_only_the_office_manages_forms(setup: Setup) -> None:
    pk = setup.form.pk
    assert _client().get("/evaluation/").status_code == 302
    for user in (setup.actors.handler_edu, setup.actors.cadre):
        client = _client(user)
        assert client.get("/evaluation/").status_code == 403
        assert client.get("/evaluation/new/").status_code == 403
        assert client.post(f"/evaluation/{pk}/close/").status_code == 403
    leader = _client(setup.actors.leader)
    assert leader.get(f"/evaluation/{pk}/").status_code == 200
    assert leader.post(f"/evaluation/{pk}/close/").status_code == 403
    assert leader.post(f"/evaluation/{pk}/codes/new/", {"count": "3"}).status_code == 403
    assert not AnswerCode.objects.exists()


def test_citizen_answers_with_a_code_and_the_code_is_refused_the_second_time(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    citizen = _client()
    page = citizen.get("/evaluation/answer/")
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    town = setup.actors.town.pk
    form_page = citizen.post("/evaluation/answer/", {"code": code.lower(), "check": ""}).content.decode()
    assert "群众满意度测评" in form_page and "海城镇" in form_page and "很满意" in form_page
    done = answer_online(citizen, setup.form, code, {town: [5, 4, 4]}, {town: "希望多下村"})
    assert done.status_code == 302 and done["Location"] == "/evaluation/answer/thanks/"
    assert "Your answer is stored" in citizen.get(done["Location"]).content.decode()
    again = citizen.post("/evaluation/answer/", {"code": code, "check": ""})
    assert again.status_code == 400 and "already been used" in again.content.decode()
    assert Response.objects.count() == 1
    appeal = Appeal.objects.get(channel=Channel.EVALUATION)
    assert appeal.body == "希望多下村" and appeal.citizen_name == "" and appeal.citizen_phone == ""


def test_a_score_outside_the_scale_on_the_page_stores_nothing_and_keeps_the_code(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    citizen = _client()
    town = setup.actors.town.pk
    bad = answer_online(citizen, setup.form, code, {town: [5, 7, 4]}, {town: "留着的意见"})
    html = bad.content.decode()
    assert bad.status_code == 400 and "7 is outside the scale 1–5" in html
    assert "留着的意见" in html  # what was typed is kept
    corrected = answer_online(citizen, setup.form, code, {town: [5, 4, 4]})
    assert corrected.status_code == 302
    assert Response.objects.count() == 1 and AnswerCode.objects.get().used


def test_a_half_rated_unit_or_a_word_instead_of_a_score_is_refused(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    citizen = _client()
    criteria = [c.pk for c in setup.form.criteria.all()]
    town = setup.actors.town.pk
    half = citizen.post("/evaluation/answer/", {"code": code, "submit": "1", f"u{town}_c{criteria[0]}": "4"})
    assert half.status_code == 400 and "rate every criterion, or none" in half.content.decode()
    word = citizen.post(
        "/evaluation/answer/", {"code": code, "submit": "1", f"u{town}_c{criteria[0]}": "good"}
    )
    assert word.status_code == 400 and "is not a score" in word.content.decode()
    nothing = citizen.post("/evaluation/answer/", {"code": code, "submit": "1"})
    assert "Rate at least one unit" in nothing.content.decode()
    assert not Response.objects.exists() and not AnswerCode.objects.get().used


def test_unknown_and_expired_codes_are_refused_and_wrong_codes_are_rate_limited(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    citizen = _client()
    unknown = citizen.post("/evaluation/answer/", {"code": "AAAAA-BBBBB", "check": ""})
    assert unknown.status_code == 400 and "This code is not known" in unknown.content.decode()
    rules.close_form(setup.form, actor=setup.actors.dispatcher)
    closed = citizen.post("/evaluation/answer/", {"code": code, "check": ""})
    assert closed.status_code == 400 and "This form is closed" in closed.content.decode()
    statuses = [
        citizen.post("/evaluation/answer/", {"code": "AAAAA-CCCCC", "check": ""}).status_code
        for _ in range(40)
    ]
    assert statuses[-1] == 429 and 429 in statuses
    assert "Too many wrong codes" in citizen.post("/evaluation/answer/", {"code": code}).content.decode()
