"""The WeChat official account channel: pushes to /channels/wechat/ signed (and in safe mode
encrypted) as WeChat's servers do, and the customer-service messages the worker sends to a local
fake of the WeChat API."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xmltodict
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from wechatpy.crypto import WeChatCrypto

from minyi.appeals import rules
from minyi.appeals.choices import Channel, EventKind, State
from minyi.appeals.models import Appeal, AppealEvent, WechatMessage
from minyi.testing import Actors
from minyi.testing_http import FakeService, Seen, fake_service
from minyi.worker.choices import DeliveryOutcome, JobState
from minyi.worker.models import Delivery, Job
from minyi.worker.rules import work

pytestmark = pytest.mark.django_db

TOKEN = "minyiToken2026"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as the account shows it
APP_ID = "wx0123456789abcdef"
OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz1"
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200  # a JPEG's head, as uploads sniff it


class FakeWechatApi:
    """The parts of api.weixin.qq.com the channel uses: the access token and customer-service text."""

    def __init__(self) -> None:
        self.tokens_issued = 0
        self.expire_next = False  # answer the next message 42001 (the token expired)
        self.errcode_next: int | None = None
        self.sent: list[dict[str, Any]] = []

    def __call__(self, seen: Seen) -> tuple[int, dict[str, str], Any]:
        if seen.path == "/cgi-bin/token":
            if (seen.query.get("appid"), seen.query.get("secret")) != (APP_ID, "the-app-secret"):
                return 200, {}, {"errcode": 40013, "errmsg": "invalid appid"}
            self.tokens_issued += 1
            return 200, {}, {"access_token": f"token-{self.tokens_issued}", "expires_in": 7200}
        if seen.path == "/cgi-bin/media/get":
            if seen.query.get("access_token") != f"token-{self.tokens_issued}":
                return 200, {}, {"errcode": 40001, "errmsg": "invalid credential"}
            if seen.query.get("media_id") != "media-1":
                return 200, {}, {"errcode": 40007, "errmsg": "invalid media_id"}
            return 200, {"Content-Type": "image/jpeg"}, PHOTO
        if seen.path == "/cgi-bin/message/custom/send":
            if seen.query.get("access_token") != f"token-{self.tokens_issued}" or self.expire_next:
                self.expire_next = False
                return 200, {}, {"errcode": 42001, "errmsg": "access_token expired"}
            if self.errcode_next is not None:
                code, self.errcode_next = self.errcode_next, None
                return 200, {}, {"errcode": code, "errmsg": "refused"}
            message = seen.json()
            assert message["msgtype"] == "text"
            self.sent.append(message)
            return 200, {}, {"errcode": 0, "errmsg": "ok"}
        return 404, {}, {"errcode": -1, "errmsg": "not found"}


@pytest.fixture
def api(settings: Any) -> Iterator[tuple[FakeWechatApi, FakeService]]:
    fake = FakeWechatApi()
    with fake_service(fake) as service:
        settings.MINYI_WECHAT = {
            "app_id": APP_ID,
            "app_secret": "the-app-secret",
            "token": TOKEN,
            "aes_key": AES_KEY,
            "api_base": service.url,
        }
        cache.clear()  # no access token from an earlier test
        yield fake, service


def _signed(**extra: str) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), "1234567890"
    signature = hashlib.sha1(  # noqa: S324 (WeChat signs its pushes with SHA-1; the test signs as it does)
        "".join(sorted([TOKEN, timestamp, nonce])).encode()
    ).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra}


def _xml(msg_type: str, msg_id: str, openid: str = OPENID, **fields: str) -> str:
    body = "".join(f"<{name}><![CDATA[{value}]]></{name}>" for name, value in fields.items())
    return (
        f"<xml><ToUserName><![CDATA[gh_minyi]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{body}"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def _push(client: Client, xml: str, **query: str) -> str:
    params = _signed(**query)
    url = "/channels/wechat/?" + "&".join(f"{k}={v}" for k, v in params.items())
    response = client.post(url, data=xml.encode(), content_type="text/xml")
    assert response.status_code == 200, response.content
    return response.content.decode()


def _answer(reply_xml: str, openid: str = OPENID) -> str:
    reply = xmltodict.parse(reply_xml)["xml"]
    assert (reply["ToUserName"], reply["MsgType"]) == (openid, "text")
    return str(reply["Content"])


def test_the_account_url_check_echoes_with_a_good_signature_only(api: Any, client: Client) -> None:
    response = client.get("/channels/wechat/", _signed(echostr="echo-123"))
    assert (response.status_code, response.content) == (200, b"echo-123")
    bad = {**_signed(echostr="echo-123"), "signature": "0" * 40}
    assert client.get("/channels/wechat/", bad).status_code == 403


def test_the_channel_is_off_until_configured(settings: Any, client: Client) -> None:
    settings.MINYI_WECHAT = {}
    assert client.get("/channels/wechat/", _signed(echostr="x")).status_code == 404


def test_a_text_message_becomes_a_wechat_appeal_answered_with_its_number(api: Any, client: Client) -> None:
    answer = _answer(_push(client, _xml("text", "1001", Content="东村路灯坏了三天了，晚上很黑")))
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.state, appeal.citizen_wechat) == (Channel.WECHAT, State.RECEIVED, OPENID)
    assert appeal.body == "东村路灯坏了三天了，晚上很黑"
    assert str(appeal.number) in answer
    assert "查询码" in answer
    # The query code in the answer is the appeal's: it opens the public tracking page.
    code = answer.split("查询码：")[1][:8]
    assert rules.find_for_citizen(str(appeal.number), code) == appeal


def test_a_replayed_push_answers_again_and_stores_nothing_new(api: Any, client: Client) -> None:
    xml = _xml("text", "1002", Content="西村垃圾没人清运")
    first = _answer(_push(client, xml))
    again = _answer(_push(client, xml))
    assert first == again
    assert Appeal.objects.count() == 1
    assert WechatMessage.objects.count() == 1


def test_a_bad_signature_gets_403_and_stores_nothing(api: Any, client: Client) -> None:
    params = {**_signed(), "signature": "f" * 40}
    url = "/channels/wechat/?" + "&".join(f"{k}={v}" for k, v in params.items())
    xml = _xml("text", "1003", Content="伪造的消息")
    response = client.post(url, data=xml.encode(), content_type="text/xml")
    assert response.status_code == 403
    assert not Appeal.objects.exists()
    assert not WechatMessage.objects.exists()


def test_image_and_location_messages_become_appeals(
    api: Any, client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    _push(client, _xml("image", "1004", PicUrl="http://mmbiz.example/pic.jpg", MediaId="media-1"))
    _push(
        client,
        _xml(
            "location",
            "1005",
            Location_X="23.134521",
            Location_Y="113.358803",
            Scale="20",
            Label="海城镇东村村委会",
        ),
    )
    photo, place = Appeal.objects.order_by("pk")
    assert "http://mmbiz.example/pic.jpg" in photo.body
    work("worker-1", once=True)  # the photo is fetched from WeChat onto the appeal
    [attachment] = photo.attachments.all()
    assert (attachment.content_type, attachment.size) == ("image/jpeg", len(PHOTO))
    assert (str(place.latitude), str(place.longitude), place.address) == (
        "23.134521",
        "113.358803",
        "海城镇东村村委会",
    )
    assert {photo.channel, place.channel} == {Channel.WECHAT}


def test_safe_mode_is_decrypted_and_answered_encrypted(api: Any, client: Client) -> None:
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    params = _signed(encrypt_type="aes")
    encrypted = crypto.encrypt_message(
        _xml("text", "1006", Content="桥面有裂缝"), params["nonce"], params["timestamp"]
    )
    envelope = xmltodict.parse(encrypted)["xml"]
    body = (
        "<xml><ToUserName><![CDATA[gh_minyi]]></ToUserName>"
        f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    )
    params["msg_signature"] = envelope["MsgSignature"]
    url = "/channels/wechat/?" + "&".join(f"{k}={v}" for k, v in params.items())
    response = client.post(url, data=body.encode(), content_type="text/xml")
    assert response.status_code == 200
    reply = xmltodict.parse(response.content)["xml"]
    assert "Encrypt" in reply and "Content" not in reply  # answered in the push's own mode
    plain = crypto.decrypt_message(
        response.content, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"]
    )
    assert str(Appeal.objects.get().number) in _answer(plain)

    tampered = {**params, "msg_signature": "0" * 40}
    url = "/channels/wechat/?" + "&".join(f"{k}={v}" for k, v in tampered.items())
    assert (
        client.post(url, data=body.replace("1006", "1007").encode(), content_type="text/xml").status_code
        == 403
    )
    assert Appeal.objects.count() == 1


def test_query_answers_the_state_of_the_citizens_own_appeals_only(api: Any, client: Client) -> None:
    _push(client, _xml("text", "1010", Content="村口道路坑洼"))
    appeal = Appeal.objects.get()
    answer = _answer(_push(client, _xml("text", "1011", Content=f"查询 {appeal.number}")))
    assert str(appeal.number) in answer and "已受理" in answer
    stranger = _answer(
        _push(client, _xml("text", "1012", openid="oSomeoneElse", Content=f"查询 {appeal.number}")),
        "oSomeoneElse",
    )
    assert "已受理" not in stranger and "绑定" in stranger
    assert Appeal.objects.count() == 1  # queries make no appeal


def test_binding_an_appeal_made_elsewhere_needs_its_query_code(api: Any, client: Client) -> None:
    submission = rules.submit(
        channel=Channel.MAILBOX, kind="complaint", title="噪音扰民", body="工地夜间施工"
    )
    number = str(submission.appeal.number)
    wrong = _answer(_push(client, _xml("text", "1020", Content=f"绑定 {number} WRONG234")))
    assert "错误" in wrong
    assert Appeal.objects.get(number=number).citizen_wechat == ""
    right = _answer(_push(client, _xml("text", "1021", Content=f"绑定 {number} {submission.query_code}")))
    assert number in right
    appeal = Appeal.objects.get(number=number)
    assert appeal.citizen_wechat == OPENID
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.WECHAT_BOUND).exists()
    assert "已受理" in _answer(_push(client, _xml("text", "1022", Content=f"查询 {number}")))


def test_news_of_the_appeal_reaches_the_citizen_as_customer_service_messages(
    api: tuple[FakeWechatApi, FakeService], client: Client, actors: Actors
) -> None:
    fake, _service = api
    _push(client, _xml("text", "1030", Content="学校门口没有斑马线"))
    appeal = Appeal.objects.get()
    with transaction.atomic():
        rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    work("worker-1", once=True)
    [message] = fake.sent
    assert message["touser"] == OPENID
    assert str(appeal.number) in message["text"]["content"] and "教育局" in message["text"]["content"]
    job = Job.objects.get(kind="notify.wechat")
    assert job.state == JobState.DONE
    delivery = Delivery.objects.get(job=job)
    assert (delivery.channel, delivery.outcome, delivery.answer["code"]) == (
        "wechat",
        DeliveryOutcome.SENT,
        0,
    )

    # The token is cached: the next message fetches none; when WeChat says it expired, one new one.
    assignment = appeal.assignments.get()
    rules.accept(assignment, actor=actors.handler_edu)
    fake.expire_next = True
    rules.report_progress(appeal, actor=actors.handler_edu, note="已联系交警大队现场勘察", public=True)
    rules.report_progress(appeal, actor=actors.handler_edu, note="内部记录：预算待批", public=False)
    work("worker-1", once=True)
    assert fake.tokens_issued == 2
    assert [m["text"]["content"] for m in fake.sent[1:]] == [
        f"您的诉求 {appeal.number} 有新进展：已联系交警大队现场勘察"
    ]


@pytest.mark.django_db(transaction=True)  # the failed call's delivery row outlives the handler's savepoint
def test_a_refused_customer_service_message_is_dead_with_the_error_recorded(
    api: tuple[FakeWechatApi, FakeService], client: Client, actors: Actors
) -> None:
    fake, _service = api
    _push(client, _xml("text", "1040", Content="小区停水"))
    appeal = Appeal.objects.get()
    fake.errcode_next = 45015  # the citizen has not written to the account for 48 hours
    with transaction.atomic():
        rules.dispatch(appeal, lead=actors.housing, actor=actors.dispatcher)
    work("worker-1", once=True)
    job = Job.objects.get(kind="notify.wechat")
    assert job.state == JobState.DEAD
    assert "45015" in job.last_error
    assert Delivery.objects.get(job=job).answer == {"gateway": "wechat", "code": 45015, "message": "refused"}


def test_the_openid_is_never_shown_to_staff(api: Any, client: Client, actors: Actors) -> None:
    _push(client, _xml("text", "1050", Content="菜市场占道经营"))
    appeal = Appeal.objects.get()
    client.force_login(actors.dispatcher)
    page = client.get(f"/appeals/{appeal.number}/")
    assert page.status_code == 200
    assert OPENID not in page.content.decode()


def test_the_reply_asks_for_a_rating_which_the_citizen_gives_here(
    api: tuple[FakeWechatApi, FakeService], client: Client, actors: Actors
) -> None:
    fake, _service = api
    for msg_id, text in [("1060", "路口红绿灯不亮"), ("1061", "公园厕所没水")]:
        _push(client, _xml("text", msg_id, Content=text))
    first, second = Appeal.objects.order_by("pk")
    for appeal in (first, second):
        rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
        rules.accept(appeal.assignments.get(), actor=actors.handler_edu)
        reply = rules.draft_reply(appeal, actor=actors.handler_edu, body="已修复，现已恢复正常。")
        rules.approve_reply(reply, actor=actors.head_edu)
    work("worker-1", once=True)
    replied = [m["text"]["content"] for m in fake.sent if "已修复" in m["text"]["content"]]
    assert len(replied) == 2 and f"满意 {first.number}" in replied[0]

    several = _answer(_push(client, _xml("text", "1062", Content="满意")))
    assert "请加上编号" in several
    assert _answer(_push(client, _xml("text", "1063", Content=f"满意 {first.number}"))).startswith(
        "感谢您的评价"
    )
    assert "重新办理" in _answer(_push(client, _xml("text", "1064", Content=f"不满意 {second.number}")))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.CLOSED, State.REOPENED)
    assert first.followups.get().by == "citizen"
    stranger = _answer(
        _push(client, _xml("text", "1065", openid="oOther", Content=f"满意 {first.number}")), "oOther"
    )
    assert "没有待评价" in stranger
