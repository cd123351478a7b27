"""The WeChat official account (公众号) as a channel, on wechatpy.

The account pushes each message a citizen sends to ``/channels/wechat/`` (minyi/appeals/views/
wechat.py checks the signature and, in safe mode, decrypts). Here each message is read:

- ``查询`` with a number answers the appeal's state, ``查询`` alone the citizen's recent appeals: only
  appeals bound to this WeChat account (made here, or bound with ``绑定 编号 查询码``);
- ``绑定 编号 查询码`` binds an appeal made through another channel to this account;
- ``满意`` / ``基本满意`` / ``不满意`` (with a number when several wait) is the citizen's follow-up of an
  answered appeal (the reply's message asks for it);
- any other text, a photo or a location becomes an appeal of the ``wechat`` channel, answered at
  once with its number and query code.

The citizen's OpenID is kept on the appeal (``citizen_wechat``), never shown. Each push is stored
under WeChat's MsgId with the answer given, so a push WeChat sends again gets the same answer and
stores nothing new. Later news (dispatch, reply, public progress, reopening) reaches the citizen as
customer-service messages sent by the worker (``notify_wechat``; access token cached in the
shared cache and fetched again when WeChat says it expired).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from minyi.appeals import rules
from minyi.appeals.choices import Channel, FollowupBy, Kind, Satisfaction, State
from minyi.appeals.models import Appeal, WechatMessage
from minyi.errors import Invalid
from minyi.worker.notify import deliver
from minyi.worker.rules import PermanentFailure, enqueue, handler
from minyi.worker.sms import GatewayFailed, GatewayRefused, GatewayThrottled

WECHAT_JOB = "notify.wechat"
MEDIA_JOB = "wechat.fetch_media"
#: Wrong query codes one WeChat account may send per window before binding is refused for a while.
BIND_TRIES = 5
BIND_WINDOW_SECONDS = 15 * 60
#: How many of a citizen's appeals ``查询`` lists.
LISTED = 5
TITLE_CHARS = 30

_QUERY = re.compile(r"^\s*查询\s*(\d{8,20})?\s*$")
_BIND = re.compile(r"^\s*绑定\s+(\S+)\s+(\S+)\s*$")
_BIND_WORD = re.compile(r"^\s*绑定")
_RATE = re.compile(r"^\s*(满意|基本满意|不满意)\s*(\d{8,20})?\s*$")
_RATINGS = {
    "满意": Satisfaction.SATISFIED,
    "基本满意": Satisfaction.BASIC,
    "不满意": Satisfaction.UNSATISFIED,
}

# WeChat's errcodes that sending again cannot cure: an OpenID not of this account, a citizen who has
# not written to the account within 48 hours (customer-service messages need that), blocked content.
PERMANENT_ERRCODES = {40003, 45015, 45047, 48001, 43004, 40008}
THROTTLED_ERRCODES = {45009, 45011}
#: An invalid or expired media_id (WeChat keeps a pushed photo three days).
MEDIA_GONE_ERRCODES = {40007}


def configured() -> dict[str, str]:
    """The account's settings, empty when the channel is off."""
    return dict(getattr(settings, "MINYI_WECHAT", {}) or {})


# --- incoming pushes ----------------------------------------------------------------------------


def answer_push(message: Any) -> str:
    """The text answered to a citizen's message (a wechatpy message), storing what it asks for once
    per MsgId. Events (follow, menu clicks) get a greeting and store nothing."""
    with translation.override(settings.LANGUAGE_CODE):
        if message.type == "event":
            if getattr(message, "event", "") == "subscribe":
                return _greeting()
            return ""
        msg_id = str(message.id or "")
        openid = str(message.source or "")
        if not msg_id or not openid:
            return ""
        found = WechatMessage.objects.filter(msg_id=msg_id).first()
        if found is not None:
            return found.answer
        try:
            with transaction.atomic():
                appeal, text = _read(message, openid)
                WechatMessage.objects.create(
                    msg_id=msg_id, openid=openid, kind=message.type, appeal=appeal, answer=text
                )
        except IntegrityError:
            # The same push arrived twice at once: the other request stored it; answer as it did.
            found = WechatMessage.objects.filter(msg_id=msg_id).first()
            if found is None:
                raise
            return found.answer
        return text


def _greeting() -> str:
    return _(
        "Thank you for following us. Write your opinion, complaint or request here (a photo or your "
        "location helps too) and we will give you a tracking number. Send 查询 to see your appeals, or "
        "绑定 NUMBER QUERY-CODE to follow here an appeal made elsewhere."
    )


def _read(message: Any, openid: str) -> tuple[Appeal | None, str]:
    if message.type == "text":
        content = str(message.content or "").strip()
        if (query := _QUERY.match(content)) is not None:
            return None, _status(openid, query[1])
        if (bind := _BIND.match(content)) is not None:
            return _bind(openid, bind[1], bind[2])
        if (rate := _RATE.match(content)) is not None:
            return _rate(openid, _RATINGS[rate[1]], rate[2])
        if _BIND_WORD.match(content):
            return None, _(
                "To bind an appeal, send 绑定, its number and its query code, "
                "e.g. 绑定 2026120800000001 ABCD2345."
            )
        return _new_appeal(openid, title=content, body=content)
    if message.type == "image":
        body = _("Photo sent through WeChat: %(url)s") % {"url": message.image or ""}
        appeal, text = _new_appeal(openid, title=_("Photo sent through WeChat"), body=body)
        if appeal is not None and message.media_id:
            # WeChat keeps a photo three days: the worker fetches it onto the appeal (fetch_media).
            payload = {"appeal": appeal.pk, "media_id": str(message.media_id)}
            enqueue(MEDIA_JOB, payload, dedupe_key=f"wechat-media:{message.id}")
        return appeal, text
    if message.type == "location":
        label = str(message.label or "").strip()
        body = _("Location sent through WeChat: %(label)s") % {"label": label or "—"}
        return _new_appeal(
            openid,
            title=_("Location: %(label)s") % {"label": label[:TITLE_CHARS]} if label else _("A location"),
            body=body,
            address=label[:200],
            latitude=_coordinate(message.location_x, 90),
            longitude=_coordinate(message.location_y, 180),
        )
    return None, _("Please write your appeal as text; you may add a photo or your location.")


def _coordinate(raw: Any, bound: int) -> Decimal | None:
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        return None
    return value if abs(value) <= bound else None


def _new_appeal(openid: str, *, title: str, body: str, **place: Any) -> tuple[Appeal | None, str]:
    title = title.replace("\n", " ").strip()
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1] + "…"
    try:
        submission = rules.submit(
            channel=Channel.WECHAT,
            kind=Kind.COMPLAINT,
            title=title,
            body=body[: rules.BODY_MAX],
            citizen_wechat=openid,
            **place,
        )
    except Invalid as error:
        return None, _("Your message could not be recorded: %(error)s") % {"error": _first(error)}
    appeal = submission.appeal
    text = _(
        "Your appeal is recorded. Number: %(number)s, query code: %(code)s (keep it: with it you can also "
        "follow the appeal on our website). We will tell you here how it goes; send 查询 %(number)s to "
        "see its state."
    ) % {"number": appeal.number, "code": submission.query_code}
    return appeal, text


def _first(error: Invalid) -> str:
    messages = getattr(error, "messages", None) or [str(error)]
    return str(messages[0])


def _status(openid: str, number: str | None) -> str:
    mine = Appeal.objects.filter(citizen_wechat=openid)
    if number:
        appeal = mine.filter(number=number).first()
        if appeal is None:
            return _(
                "No appeal %(number)s is bound to this WeChat account. For an appeal made elsewhere send "
                "绑定 %(number)s and its query code first."
            ) % {"number": number}
        return _line(appeal)
    appeals = list(mine.order_by("-received_at")[:LISTED])
    if not appeals:
        return _("No appeal is bound to this WeChat account yet. Write your appeal here to make one.")
    return "\n".join(_line(appeal) for appeal in appeals)


def _line(appeal: Appeal) -> str:
    line = _("Appeal %(number)s: %(state)s") % {"number": appeal.number, "state": appeal.get_state_display()}
    if appeal.deadline is not None and appeal.state in ("dispatched", "in_progress"):
        from minyi.dates import day_text

        line += _(" (to be handled by %(date)s)") % {"date": day_text(appeal.deadline)}
    return line


def _rate(openid: str, result: str, number: str | None) -> tuple[Appeal | None, str]:
    """The citizen's own follow-up (回访) of an answered appeal bound to this account: satisfied or
    basically satisfied closes it, unsatisfied reopens it (rules.follow_up)."""
    answered = Appeal.objects.filter(citizen_wechat=openid, state=State.REPLIED)
    if number:
        answered = answered.filter(number=number)
    found = list(answered.order_by("-replied_at")[:2])
    if len(found) != 1:
        if not found:
            return None, _("No answered appeal of this WeChat account waits for your rating.")
        return None, _(
            "Several of your appeals wait for your rating: add the number, e.g. 满意 %(number)s."
        ) % {"number": found[0].number}
    appeal = found[0]
    rules.follow_up(appeal, result=result, by=FollowupBy.CITIZEN)
    if result == Satisfaction.UNSATISFIED:
        return appeal, _("Thank you. Appeal %(number)s will be handled again.") % {"number": appeal.number}
    return appeal, _("Thank you for your rating. Appeal %(number)s is closed.") % {"number": appeal.number}


def _bind(openid: str, number: str, code: str) -> tuple[Appeal | None, str]:
    key = f"wechat-bind:{openid}"
    tries = cache.get(key, 0)
    if tries >= BIND_TRIES:
        return None, _("Too many wrong query codes. Please try again in 15 minutes.")
    appeal = rules.find_for_citizen(number, code)
    if appeal is None:
        if not cache.add(key, 1, timeout=BIND_WINDOW_SECONDS):
            cache.incr(key)
        return None, _("The number or the query code is wrong.")
    rules.bind_wechat(appeal, openid=openid)
    return appeal, _(
        "Appeal %(number)s is now bound to this WeChat account; its news will reach you here."
    ) % {"number": appeal.number}


# --- customer-service messages (the worker) -------------------------------------------------------


def queue_message(openid: str, text: str, *, dedupe_key: str, kind: str = "", number: str = "") -> None:
    """Queue a customer-service text message to ``openid``; call inside the transaction of the change.
    A reply (``kind`` replied) asks for the citizen's rating, which they answer here (``_rate``)."""
    if kind == "replied":
        text += _(" Reply 满意 %(number)s, 基本满意 %(number)s or 不满意 %(number)s to rate the answer.") % {
            "number": number
        }
    if configured():
        enqueue(WECHAT_JOB, {"openid": openid, "text": text}, dedupe_key=f"{dedupe_key}:wechat")


class CacheSession:
    """wechatpy's session storage in Django's cache: the access token is fetched once and shared by
    every worker process (CACHE_URL), and fetched again after it expires or WeChat refuses it."""

    def get(self, key: str, default: Any = None) -> Any:
        return cache.get(f"wechat:{key}", default)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        # A little before WeChat's own expiry, so a token is never used in its last minute.
        cache.set(f"wechat:{key}", value, None if ttl is None else max(int(ttl) - 60, 1))

    def delete(self, key: str) -> None:
        cache.delete(f"wechat:{key}")


def client() -> Any:
    """A wechatpy client of the account, talking to ``WECHAT_API_BASE``."""
    from wechatpy import WeChatClient
    from wechatpy.session import SessionStorage

    conf = configured()
    if not conf:
        raise PermanentFailure("the WeChat channel is not configured (WECHAT_APP_ID and the rest)")
    base = conf["api_base"]

    class Storage(CacheSession, SessionStorage):
        pass

    class Client(WeChatClient):
        API_BASE_URL = f"{base}/cgi-bin/"

        def fetch_access_token(self) -> Any:
            return self._fetch_access_token(
                url=f"{base}/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    return Client(conf["app_id"], conf["app_secret"], session=Storage(), timeout=10)


@handler(WECHAT_JOB)
def notify_wechat(payload: dict[str, Any]) -> None:
    """Job handler: payload {"openid": ..., "text": ...}; a customer-service text message, recorded
    on a delivery row with WeChat's answer."""
    from wechatpy.exceptions import WeChatClientException

    openid, text = payload.get("openid"), payload.get("text")
    if not isinstance(openid, str) or not openid or not isinstance(text, str) or not text:
        raise PermanentFailure("payload lacks openid or text (a non-empty string each)")

    def send(key: str) -> dict[str, Any]:
        try:
            result = client().message.send_text(openid, text)
        except WeChatClientException as error:
            code = int(error.errcode) if error.errcode is not None else None
            answer = {"gateway": "wechat", "code": code, "message": str(error.errmsg or "")}
            # The SMS gateways' errors: each carries the answer that deliver() records.
            if code in PERMANENT_ERRCODES:
                raise GatewayRefused(f"WeChat refused the message: {code} {error.errmsg}", answer) from error
            if code in THROTTLED_ERRCODES:
                raise GatewayThrottled(
                    f"WeChat throttled the message: {code} {error.errmsg}", answer
                ) from error
            raise GatewayFailed(f"WeChat did not take the message: {code} {error.errmsg}", answer) from error
        return {"gateway": "wechat", "code": result.get("errcode", 0), "message": result.get("errmsg", "")}

    deliver("wechat", openid, send)


@handler(MEDIA_JOB)
def fetch_media(payload: dict[str, Any]) -> None:
    """Job handler: payload {"appeal": pk, "media_id": ...}; the photo a citizen sent through WeChat,
    downloaded from the account's media API and kept on the appeal as an attachment (checked by its
    content like every upload)."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wechatpy.exceptions import WeChatClientException

    pk, media_id = payload.get("appeal"), payload.get("media_id")
    appeal = Appeal.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if appeal is None or not isinstance(media_id, str) or not media_id:
        raise PermanentFailure("payload names no stored appeal or no media_id")
    try:
        response = client().get("media/get", params={"media_id": media_id})  # media.download, undeprecated
    except WeChatClientException as error:
        code = int(error.errcode) if error.errcode is not None else None
        answer = {"gateway": "wechat", "code": code, "message": str(error.errmsg or "")}
        if code in PERMANENT_ERRCODES | MEDIA_GONE_ERRCODES:
            raise GatewayRefused(f"WeChat has no such photo: {code} {error.errmsg}", answer) from error
        raise GatewayFailed(f"WeChat did not give the photo: {code} {error.errmsg}", answer) from error
    content = response if isinstance(response, bytes) else getattr(response, "content", b"")
    upload = SimpleUploadedFile(f"wechat-{media_id[:40]}", content)
    try:
        rules.add_attachment(appeal, upload=upload)
    except ValidationError as error:
        raise PermanentFailure(f"the photo from WeChat was refused: {error.messages}") from error
