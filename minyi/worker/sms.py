"""SMS through the gateways Chinese offices use: Alibaba Cloud SMS (阿里云短信) and Tencent Cloud SMS
(腾讯云短信), each through its official Python SDK.

Both gateways send only approved templates under an approved sign name (短信签名), so a message is
not its text but a template code and its variables: ``settings.MINYI_SMS_GATEWAY["templates"]``
maps each message kind (the ``template`` given to ``notify``, e.g. ``replied``) to a template code
and the names of the variables that template has (filled from the message's ``params``); a kind
without a template of its own uses the ``default`` one, whose ``text`` variable is the whole message.

The message's idempotency key goes to the gateway as its out-id (Alibaba ``OutId``, Tencent
``SessionContext``), and the gateway's answer (its request id, its id of the message, its code) is
returned to ``minyi.worker.notify.deliver``, which records it on the delivery row. A refusal that
sending again cannot cure (a bad number, a template or sign name the gateway does not accept) is a
``PermanentFailure`` (the job is dead at once); throttling is ``RetryLater`` (the job waits at least
a minute); anything else (the network, the gateway's own errors) is retried with the usual backoff.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from minyi.worker.notify import SmsBackend
from minyi.worker.rules import PermanentFailure, RetryLater

#: How long the worker waits before trying a throttled message again (the gateways' limits are per
#: number per minute, hour or day; the job's backoff grows from there).
THROTTLE_WAIT = timedelta(minutes=1)
#: Seconds a gateway call may take: well within the worker's LOCK_TIMEOUT.
TIMEOUT_SECONDS = 10

# Alibaba Cloud SMS answer codes (the ``Code`` of SendSms). Those that sending again cannot cure:
ALIYUN_PERMANENT = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.MOBILE_COUNT_OVER_LIMIT",
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.SMS_SIGN_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.TEMPLATE_PARAMS_ILLEGAL",
        "isv.INVALID_PARAMETERS",
        "isv.INVALID_JSON_PARAM",
        "isv.PARAM_LENGTH_LIMIT",
        "isv.PARAM_NOT_SUPPORT_URL",
        "isv.BLACK_KEY_CONTROL_LIMIT",
        "isv.SMS_CONTENT_ILLEGAL",
        "isv.EXTEND_CODE_ERROR",
        "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
        "isv.DENY_IP_RANGE",
        "InvalidAccessKeyId.NotFound",
        "SignatureDoesNotMatch",
    }
)
ALIYUN_THROTTLED_PREFIXES = ("Throttling", "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL")

# Tencent Cloud SMS codes (per number in ``SendStatusSet``, or of the whole request).
TENCENT_PERMANENT_PREFIXES = (
    "InvalidParameterValue.IncorrectPhoneNumber",
    "InvalidParameterValue.TemplateParameterFormatError",
    "InvalidParameterValue.TemplateParameterLengthLimit",
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
    "InvalidParameterValue.SdkAppIdNotExist",
    "InvalidParameterValue.ContentLengthLimit",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.ContainSensitiveWord",
    "FailedOperation.MissingTemplateToModify",
    "UnsupportedOperation",
    "AuthFailure",
)
TENCENT_THROTTLED_PREFIXES = ("LimitExceeded", "RequestLimitExceeded")


def gateway_settings() -> Mapping[str, Any]:
    """The gateway's configuration (minyi/settings.py, from the environment)."""
    found = getattr(settings, "MINYI_SMS_GATEWAY", None)
    if not found:
        raise ImproperlyConfigured("MINYI_SMS_GATEWAY is not configured (SMS_ACCESS_KEY_ID and the rest)")
    return found


def template_for(kind: str, params: Mapping[str, Any], text: str) -> tuple[str, list[tuple[str, str]]]:
    """The template code and its variables (name, value), in the template's order, for a message of
    ``kind``; the ``default`` template carries the whole ``text``. No template: PermanentFailure."""
    templates: Mapping[str, tuple[str, tuple[str, ...]]] = gateway_settings()["templates"]
    values = {name: str(value) for name, value in params.items()}
    found = templates.get(kind) if kind else None
    if found is None:
        found = templates.get("default")
        values = {**values, "text": text}
    if found is None:
        raise PermanentFailure(
            f"no SMS template is configured for messages of kind {kind or '(none)'!r} and there is no "
            "'default' template (SMS_TEMPLATES)"
        )
    code, names = found
    missing = [name for name in names if name not in values]
    if missing:
        raise PermanentFailure(
            f"the SMS template {code} of kind {kind!r} wants {', '.join(missing)}, which the message lacks"
        )
    return code, [(name, values[name]) for name in names]


class GatewayRefused(PermanentFailure):
    """The gateway refused the message for good (a bad number, template or sign name)."""

    def __init__(self, message: str, answer: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.answer = dict(answer)


class GatewayThrottled(RetryLater):
    """The gateway asked us to slow down: try again after ``THROTTLE_WAIT`` at the earliest."""

    def __init__(self, message: str, answer: Mapping[str, Any]) -> None:
        super().__init__(message, after=THROTTLE_WAIT)
        self.answer = dict(answer)


class GatewayFailed(Exception):
    """The gateway failed in a way that may pass (its own error, the network): retried with backoff."""

    def __init__(self, message: str, answer: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.answer = dict(answer)


def _raise_for(
    gateway: str, code: str, message: str, answer: Mapping[str, Any], *, permanent: bool, throttled: bool
) -> None:
    text = f"{gateway} SMS refused the message: {code} {message}".strip()
    if throttled:
        raise GatewayThrottled(text, answer)
    if permanent:
        raise GatewayRefused(text, answer)
    raise GatewayFailed(text, answer)


class AliyunSmsBackend(SmsBackend):
    """Alibaba Cloud SMS (dysmsapi 2017-05-25, ``SendSms``) through alibabacloud_dysmsapi20170525."""

    def client(self) -> Any:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        conf = gateway_settings()
        endpoint, protocol = _split_endpoint(conf["endpoint"] or "dysmsapi.aliyuncs.com")
        return Client(
            Config(
                access_key_id=conf["access_key_id"],
                access_key_secret=conf["access_key_secret"],
                endpoint=endpoint,
                protocol=protocol,
                region_id=conf["region"] or "cn-hangzhou",
            )
        )

    def send(
        self, phone: str, text: str, *, key: str, template: str = "", params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        from alibabacloud_dysmsapi20170525 import models as sms_models
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException
        from darabonba.runtime import RuntimeOptions

        code, variables = template_for(template, params or {}, text)
        request = sms_models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=gateway_settings()["sign_name"],
            template_code=code,
            template_param=json.dumps(dict(variables), ensure_ascii=False),
            out_id=key,
        )
        # No retries inside the SDK (it would sleep in the worker): the outbox retries.
        runtime = RuntimeOptions(
            autoretry=False,
            connect_timeout=TIMEOUT_SECONDS * 1000,
            read_timeout=TIMEOUT_SECONDS * 1000,
        )
        try:
            body = self.client().send_sms_with_options(request, runtime).body
        except ThrottlingException as error:
            answer = {"gateway": "aliyun", "code": error.code, "request_id": error.request_id}
            raise GatewayThrottled(f"Alibaba Cloud SMS throttled: {error.code}", answer) from error
        except AlibabaCloudException as error:
            code_ = str(error.code or "")
            answer = {"gateway": "aliyun", "code": code_, "request_id": error.request_id or ""}
            status = int(error.status_code or 0)
            _raise_for(
                "Alibaba Cloud",
                code_,
                str(error.message or ""),
                answer,
                permanent=code_ in ALIYUN_PERMANENT or (400 <= status < 500 and code_.startswith("isv.")),
                throttled=code_.startswith(ALIYUN_THROTTLED_PREFIXES),
            )
            raise  # unreachable: _raise_for always raises
        answer = {
            "gateway": "aliyun",
            "code": body.code or "",
            "message": body.message or "",
            "request_id": body.request_id or "",
            "biz_id": body.biz_id or "",
        }
        if body.code != "OK":
            _raise_for(
                "Alibaba Cloud",
                body.code or "",
                body.message or "",
                answer,
                permanent=body.code in ALIYUN_PERMANENT,
                throttled=(body.code or "").startswith(ALIYUN_THROTTLED_PREFIXES),
            )
        return answer


class TencentSmsBackend(SmsBackend):
    """Tencent Cloud SMS (sms 2021-01-11, ``SendSms``) through tencentcloud-sdk-python-sms."""

    def client(self) -> Any:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111.sms_client import SmsClient

        conf = gateway_settings()
        endpoint, protocol = _split_endpoint(conf["endpoint"] or "sms.tencentcloudapi.com")
        http = HttpProfile(protocol=protocol, endpoint=endpoint, reqTimeout=TIMEOUT_SECONDS)
        return SmsClient(
            credential.Credential(conf["access_key_id"], conf["access_key_secret"]),
            conf["region"] or "ap-guangzhou",
            ClientProfile(httpProfile=http),
        )

    def send(
        self, phone: str, text: str, *, key: str, template: str = "", params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models as sms_models

        code, variables = template_for(template, params or {}, text)
        conf = gateway_settings()
        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = [_e164(phone)]
        request.SmsSdkAppId = conf["app_id"]
        request.SignName = conf["sign_name"]
        request.TemplateId = code
        request.TemplateParamSet = [value for _name, value in variables]  # positional: {1}, {2} …
        request.SessionContext = key
        try:
            response = self.client().SendSms(request)
        except TencentCloudSDKException as error:
            code_ = str(error.get_code() or "")
            answer = {"gateway": "tencent", "code": code_, "request_id": error.get_request_id() or ""}
            _raise_for(
                "Tencent Cloud",
                code_,
                str(error.get_message() or ""),
                answer,
                permanent=code_.startswith(TENCENT_PERMANENT_PREFIXES),
                throttled=code_.startswith(TENCENT_THROTTLED_PREFIXES),
            )
            raise  # unreachable: _raise_for always raises
        statuses = response.SendStatusSet or []
        status = statuses[0] if statuses else None
        answer = {
            "gateway": "tencent",
            "code": (status.Code if status else "") or "",
            "message": (status.Message if status else "") or "",
            "request_id": response.RequestId or "",
            "biz_id": (status.SerialNo if status else "") or "",
        }
        if status is None or status.Code != "Ok":
            code_ = answer["code"]
            _raise_for(
                "Tencent Cloud",
                code_,
                answer["message"],
                answer,
                permanent=code_.startswith(TENCENT_PERMANENT_PREFIXES),
                throttled=code_.startswith(TENCENT_THROTTLED_PREFIXES),
            )
        return answer


def _split_endpoint(endpoint: str) -> tuple[str, str]:
    """``host[:port]`` and its protocol: HTTPS unless the endpoint is written ``http://…`` (a local
    relay or a test's fake gateway)."""
    if endpoint.startswith("http://"):
        return endpoint.removeprefix("http://").rstrip("/"), "http"
    return endpoint.removeprefix("https://").rstrip("/"), "https"


def _e164(phone: str) -> str:
    """Tencent Cloud wants +86… for mainland numbers; numbers written with a + are kept."""
    phone = phone.strip().replace(" ", "").replace("-", "")
    return phone if phone.startswith("+") else f"+86{phone}"
