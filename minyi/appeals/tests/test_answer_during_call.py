"""直接办结: an operator answers a consultation during the call; it is recorded as answered by the
operator's unit, the answer goes to the caller, and the follow-up runs as usual (one rule:
rules.answer_during_call, offered on the intake form, the appeal page and the API)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from minyi.api.tests.helpers import api_as
from minyi.appeals import rules
from minyi.appeals.choices import Channel, EventKind, Kind, ReplyState, State
from minyi.appeals.models import Appeal, EchoEntry
from minyi.appeals.tests.factories import new_appeal
from minyi.testing import Actors
from minyi.worker.models import Job

pytestmark = pytest.mark.django_db
ZH = {"accept-language": "zh-hans"}
ANSWER = "医保卡丢失可到区政务服务中心医保窗口补办，带身份证即可，当场办结，工本费全免。"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def call(actors: Actors, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "hotline", "phone": "138 0000 1111", "name": "张三", "kind": "consultation",
        "urgency": "ordinary", "title": "医保卡丢了怎么补办", "body": "医保卡丢了，去哪里补办，要带什么？",
        "township": "", "village": str(actors.village2.pk), "address": "", "concerns_unit": "",
        "received_at": "", "answer": ANSWER,
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_operator_records_and_finishes_a_consultation_in_one_step(client: Any, actors: Actors) -> None:
    client.force_login(actors.operator)
    response = client.post("/appeals/intake/new/", call(actors), headers=ZH, follow=True)
    assert "直接办结" in response.content.decode()
    appeal = Appeal.objects.get()
    assert appeal.state == State.REPLIED and appeal.lead_unit is None and not appeal.assignments.exists()
    reply = appeal.replies.get()
    assert (reply.state, reply.unit, reply.drafted_by, reply.body) == (
        ReplyState.SENT,
        actors.operator.person.unit,
        actors.operator,
        ANSWER,
    )
    assert appeal.events.get(kind=EventKind.REPLIED).data["answered_during_call"] is True
    texts = [j.payload["text"] for j in Job.objects.filter(kind="notify.sms").order_by("id")]
    assert len(texts) == 2 and "已受理" in texts[0] and "已有答复" in texts[1]

    # The follow-up call runs as for any answer, and closes it.
    page = client.get(f"/appeals/{appeal.number}/", headers=ZH).content.decode()
    assert 'id="act-follow_up"' in page
    client.post(
        f"/appeals/{appeal.number}/follow-up/",
        {"version": Appeal.objects.get().version, "result": "satisfied", "comment": "满意"},
    )
    assert Appeal.objects.get().state == State.CLOSED


def test_the_tracking_page_shows_the_answer(client: Any, actors: Actors) -> None:
    submission = rules.submit(
        channel=Channel.HOTLINE, kind=Kind.CONSULTATION, title="医保卡丢了怎么补办", body="去哪里补办？",
        actor=actors.operator,
    )  # fmt: skip
    rules.answer_during_call(submission.appeal, actor=actors.operator, body=ANSWER, publish=True)
    page = client.post(
        "/appeal/track/",
        {"number": submission.appeal.number, "code": submission.query_code},
        headers=ZH,
        follow=True,
    ).content.decode()
    assert ANSWER in page
    assert EchoEntry.objects.filter(appeal=submission.appeal).exists()  # chosen for the echo wall


def test_only_a_consultation_is_answered_during_the_call(client: Any, actors: Actors) -> None:
    client.force_login(actors.operator)
    response = client.post("/appeals/intake/new/", call(actors, kind="complaint"), headers=ZH)
    assert response.status_code == 400
    assert "只有咨询类诉求可以在通话中直接答复办结" in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_appeal_page_offers_it_to_the_operator_who_took_the_call(client: Any, actors: Actors) -> None:
    appeal = new_appeal(actors, channel=Channel.HOTLINE, kind=Kind.CONSULTATION, actor=actors.operator)
    client.force_login(actors.dispatcher)  # may dispatch it, did not take the call
    assert 'id="act-answer_during_call"' not in client.get(f"/appeals/{appeal.number}/").content.decode()
    data = {"version": appeal.version, "body": ANSWER}
    assert client.post(f"/appeals/{appeal.number}/answer-during-call/", data).status_code == 403
    client.force_login(actors.operator)
    assert 'id="act-answer_during_call"' in client.get(f"/appeals/{appeal.number}/").content.decode()
    empty = client.post(f"/appeals/{appeal.number}/answer-during-call/", {**data, "body": " "}, headers=ZH)
    assert empty.status_code == 400 and Appeal.objects.get().state == State.RECEIVED
    assert client.post(f"/appeals/{appeal.number}/answer-during-call/", data).status_code == 302
    assert Appeal.objects.get().state == State.REPLIED
    # Once answered it cannot be answered again, nor dispatched.
    again = client.post(
        f"/appeals/{appeal.number}/answer-during-call/", {**data, "version": appeal.version + 1}
    )
    assert again.status_code == 409


def test_the_api_offers_the_same_action(actors: Actors) -> None:
    appeal = new_appeal(actors, channel=Channel.HOTLINE, kind=Kind.CONSULTATION, actor=actors.operator)
    operator = api_as(actors.operator)
    done = operator.act(appeal.number, "answer-during-call", {"body": ANSWER, "version": appeal.version})
    assert done.status_code == 200, done.content.decode()
    assert done.json()["appeal"]["state"] == "replied"
    complaint = new_appeal(actors, channel=Channel.HOTLINE, actor=actors.operator)
    refused = operator.act(
        complaint.number, "answer-during-call", {"body": ANSWER, "version": complaint.version}
    )
    assert refused.status_code == 409
