"""``/channels/wechat/``: the WeChat official account's message push (minyi/appeals/wechat.py reads
the messages). GET is the account's URL check (echostr); POST a message, in plain or safe (AES) mode,
answered at once in the push's own mode. A bad signature gets 403 and stores nothing."""

from __future__ import annotations

import time

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from minyi.appeals import wechat

#: A WeChat push is a few hundred bytes; anything much larger is not from WeChat.
MAX_PUSH_BYTES = 64 * 1024


def _text(request: HttpRequest, name: str) -> str:
    return request.GET.get(name, "")


@csrf_exempt  # WeChat's servers post here; the signature is the check
@require_http_methods(["GET", "POST"])
def push(request: HttpRequest) -> HttpResponse:
    from wechatpy import parse_message
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
    from wechatpy.replies import TextReply
    from wechatpy.utils import check_signature

    conf = wechat.configured()
    if not conf:
        raise Http404
    signature, timestamp, nonce = (
        _text(request, "signature"),
        _text(request, "timestamp"),
        _text(request, "nonce"),
    )
    try:
        check_signature(conf["token"], signature, timestamp, nonce)
    except InvalidSignatureException:
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    if request.method == "GET":
        return HttpResponse(_text(request, "echostr"), content_type="text/plain")

    if len(request.body) > MAX_PUSH_BYTES:
        return HttpResponse("too large", status=413, content_type="text/plain")
    safe = _text(request, "encrypt_type") == "aes"
    body = request.body
    if safe:
        if not conf["aes_key"]:
            return HttpResponse("safe mode is not configured", status=400, content_type="text/plain")
        crypto = WeChatCrypto(conf["token"], conf["aes_key"], conf["app_id"])
        try:
            body = crypto.decrypt_message(body, _text(request, "msg_signature"), timestamp, nonce).encode()
        except (InvalidSignatureException, InvalidAppIdException):
            return HttpResponseForbidden("bad signature", content_type="text/plain")
        except (ValueError, KeyError, TypeError):
            return HttpResponse("not a WeChat message", status=400, content_type="text/plain")
    try:
        message = parse_message(body)
    except Exception:  # xmltodict raises expat errors of several kinds for a body that is not XML
        return HttpResponse("not a WeChat message", status=400, content_type="text/plain")
    text = wechat.answer_push(message)
    if not text:
        return HttpResponse("success", content_type="text/plain")  # WeChat's word for "no answer"
    reply = TextReply(content=text, message=message).render()
    if safe:
        reply = crypto.encrypt_message(reply, nonce, str(int(time.time())))
    return HttpResponse(reply, content_type="application/xml; charset=utf-8")
