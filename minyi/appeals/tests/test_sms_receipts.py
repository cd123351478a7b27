"""What the citizen is told by SMS: a receipt with the number at intake, from every channel that takes a
phone, and never the query code, in any message of the loop (docs/design.md, "The appeal loop")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from minyi.appeals import rules
from minyi.appeals.choices import Channel, FollowupBy, Kind, RejectReason, Satisfaction, WaitingFor
from minyi.appeals.tests.factories import lead_assignment, new_appeal
from minyi.testing import Actors
from minyi.worker.models import Job

pytestmark = pytest.mark.django_db
ZH = {"accept-language": "zh-hans"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()  # the public forms' limits live in the cache, which outlives a test
    yield
    cache.clear()


def sms_to(phone: str) -> list[str]:
    jobs = Job.objects.filter(kind="notify.sms", payload__phone=phone).order_by("id")
    return [job.payload["text"] for job in jobs]


def test_the_citizen_gets_the_number_by_sms_from_the_public_form(client: Any, actors: Actors) -> None:
    data = {
        "kind": Kind.COMPLAINT, "title": "东村路灯坏了三个月", "body": "东村三组村口的路灯坏了三个月。",
        "township": actors.town.pk, "village": actors.village.pk, "address": "", "name": "王大海",
        "phone": "139 0000 1111", "email": "", "concerns_unit": "",
    }  # fmt: skip
    assert client.post("/appeal/new/", data, headers=ZH).status_code == 302
    number = rules.Appeal.objects.get().number
    assert sms_to("13900001111") == [
        f"您的诉求已受理，编号{number}，将交有关单位办理。可凭编号和查询码在网上查询办理进展。"
    ]


def test_an_operator_s_call_sends_the_receipt_too(client: Any, actors: Actors) -> None:
    client.force_login(actors.operator)
    data = {
        "channel": "hotline", "phone": "138 0000 1111", "name": "张三", "kind": "complaint",
        "urgency": "ordinary", "title": "西村垃圾三天没人清运", "body": "西村村口垃圾桶满了三天没人清运。",
        "township": "", "village": str(actors.village2.pk), "address": "", "concerns_unit": "",
        "received_at": "",
    }  # fmt: skip
    assert client.post("/appeals/intake/new/", data, headers=ZH).status_code == 302
    (receipt,) = sms_to("13800001111")
    assert str(rules.Appeal.objects.get().number) in receipt


def test_an_api_submission_sends_the_receipt_and_a_retry_does_not_send_it_again(
    client: Any, actors: Actors
) -> None:
    data = {"kind": "complaint", "title": "东村路灯坏了", "body": "东村三组村口的路灯坏了三个月。",
            "village": "T1V1", "phone": "13900002222"}  # fmt: skip
    for _ in range(2):
        payload, key = json.dumps(data), {"Idempotency-Key": "k1"}
        response = client.post("/api/v1/appeals/", payload, content_type="application/json", headers=key)
        assert response.status_code in (200, 201)
    assert len(sms_to("13900002222")) == 1


@pytest.mark.parametrize("channel", Channel.values)
def test_every_channel_sends_the_receipt_once(actors: Actors, channel: str) -> None:
    appeal = new_appeal(actors, channel=channel, citizen_phone="13900003333")
    assert sms_to("13900003333") == [rules.MSG_RECEIVED % {"number": appeal.number}]


def test_nobody_is_told_without_a_phone_or_an_address(actors: Actors) -> None:
    new_appeal(actors, citizen_name="", citizen_phone="")
    assert not Job.objects.filter(kind__in=["notify.sms", "notify.email"]).exists()


def test_no_citizen_message_has_a_place_for_the_query_code() -> None:
    templates = {name: str(value) for name, value in vars(rules).items() if name.startswith("MSG_")}
    assert len(templates) >= 7
    for name, text in templates.items():
        places = set(re.findall(r"%\((\w+)\)s", text))
        assert places <= {"number", "unit", "date", "reason", "reply", "note"}, name


def test_no_sms_of_the_whole_loop_carries_the_query_code(actors: Actors) -> None:
    """Every message a citizen can get, in one life of two appeals: received, dispatched, more time,
    information needed, answered, reopened, refused; the SMS and e-mails of staff too."""
    submission = rules.submit(
        channel=Channel.HOTLINE, kind=Kind.COMPLAINT, title="东村路灯坏了三个月",
        body="东村三组村口的路灯坏了。", village=actors.village, citizen_phone="13900004444",
        citizen_email="dahai@example.com",
    )  # fmt: skip
    appeal, code = submission.appeal, submission.query_code
    appeal = rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    assignment = lead_assignment(appeal)
    rules.accept(assignment, actor=actors.handler_edu)
    extension = rules.request_extension(assignment, actor=actors.handler_edu, days=2, reason="需要协调资金")
    rules.decide_extension(extension, actor=actors.dispatcher, approve=True)
    rules.pause_clock(appeal, actor=actors.handler_edu, waiting_for=WaitingFor.CITIZEN, reason="请说明位置")
    rules.add_citizen_information(appeal, text="在村口小卖部旁边")
    reply = rules.draft_reply(appeal, actor=actors.handler_edu, body="已更换路灯三盏，现已恢复照明。")
    rules.approve_reply(reply, actor=actors.head_edu)
    rules.follow_up(appeal, result=Satisfaction.UNSATISFIED, by=FollowupBy.CALL, actor=actors.dispatcher)
    other = rules.submit(
        channel=Channel.MAILBOX,
        kind=Kind.COMPLAINT,
        title="广告",
        body="广告内容",
        citizen_phone="13900005555",
    )
    rules.reject(other.appeal, actor=actors.dispatcher, reason=RejectReason.ABUSIVE, note="与政务无关")

    messages = list(Job.objects.filter(kind__in=["notify.sms", "notify.email"]))
    texts = [json.dumps(job.payload, ensure_ascii=False) for job in messages]
    told = sms_to("13900004444")
    assert len(told) == 6  # received, dispatched, more time, information needed, answered, reopened
    assert len(sms_to("13900005555")) == 2  # received, refused
    for secret in (code, other.query_code):
        assert not [text for text in texts if secret in text or secret.lower() in text.lower()]
