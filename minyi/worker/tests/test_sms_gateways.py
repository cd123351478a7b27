"""SMS through Alibaba Cloud and Tencent Cloud: the official SDKs pointed at a local fake of each
gateway that checks the request as the gateway would (its signature, its parameters) and answers
success, throttling or a refusal. The worker records the gateway's answer on the delivery row."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from django.utils import timezone

from minyi.env import EnvError, env_sms, parse_sms_templates
from minyi.testing_http import FakeService, Seen, fake_service
from minyi.worker.choices import DeliveryOutcome, JobState
from minyi.worker.models import Delivery, Job
from minyi.worker.notify import notify
from minyi.worker.rules import work

# Committed, as in production: a failed call's delivery row (with the gateway's answer) outlives the
# handler's savepoint, which a test's own transaction would roll back with it.
pytestmark = pytest.mark.django_db(transaction=True)

AK, SECRET = "LTAI-test-key", "test-secret-never-real"
TEMPLATES = "dispatched=SMS_100:number,unit,date;replied=SMS_200:number;default=SMS_900:text"


# --- the fake Alibaba Cloud SMS (dysmsapi 2017-05-25, ACS3-HMAC-SHA256) ---------------------------


def _aliyun_signature_ok(seen: Seen) -> bool:
    """Recompute the ACS3-HMAC-SHA256 signature as the gateway does, from what arrived."""
    auth = seen.headers.get("authorization", "")
    if not auth.startswith("ACS3-HMAC-SHA256 "):
        return False
    fields = dict(part.split("=", 1) for part in auth.removeprefix("ACS3-HMAC-SHA256 ").split(","))
    if fields.get("Credential") != AK:
        return False
    signed = fields["SignedHeaders"].split(";")
    if not {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-content-sha256"} <= set(signed):
        return False
    query = "&".join(f"{k}={quote(v, safe='~')}" for k, v in sorted(seen.query.items()))
    headers = "".join(f"{name}:{seen.headers[name].strip()}\n" for name in signed)
    payload = hashlib.sha256(seen.body).hexdigest()
    if payload != seen.headers["x-acs-content-sha256"]:
        return False
    canonical = f"{seen.method}\n{seen.path}\n{query}\n{headers}\n{';'.join(signed)}\n{payload}"
    to_sign = f"ACS3-HMAC-SHA256\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    expected = hmac.new(SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["Signature"])


class Aliyun:
    """Answers each SendSms with the next queued code (``OK`` when none is queued)."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.answered = 0

    def __call__(self, seen: Seen) -> tuple[int, dict[str, str], Any]:
        if not _aliyun_signature_ok(seen):
            return (
                400,
                {},
                {"Code": "SignatureDoesNotMatch", "Message": "bad signature", "RequestId": "r-sig"},
            )
        if (seen.headers.get("x-acs-action"), seen.headers.get("x-acs-version")) != ("SendSms", "2017-05-25"):
            return 400, {}, {"Code": "InvalidAction", "Message": "unknown action", "RequestId": "r-act"}
        q = seen.query
        if not all(q.get(name) for name in ("PhoneNumbers", "SignName", "TemplateCode")):
            return 200, {}, {"Code": "isv.INVALID_PARAMETERS", "Message": "missing", "RequestId": "r-par"}
        json.loads(q.get("TemplateParam") or "{}")  # the gateway refuses a TemplateParam that is not JSON
        code = self.codes.pop(0) if self.codes else "OK"
        self.answered += 1
        n = self.answered
        body = {"Code": code, "Message": "OK" if code == "OK" else code, "RequestId": f"req-{n}"}
        if code == "OK":
            body["BizId"] = f"biz-{n}"
        return 200, {}, body


# --- the fake Tencent Cloud SMS (sms 2021-01-11, TC3-HMAC-SHA256) ---------------------------------


def _tc3_signature_ok(seen: Seen) -> bool:
    auth = seen.headers.get("authorization", "")
    prefix = f"TC3-HMAC-SHA256 Credential={AK}/"
    if not auth.startswith(prefix):
        return False
    scope, signed, signature = (part.strip() for part in auth.removeprefix("TC3-HMAC-SHA256 ").split(","))
    date, service, _tc3 = scope.removeprefix(f"Credential={AK}/").split("/")
    if signed != "SignedHeaders=content-type;host" or service != "sms":
        return False
    canonical = (
        f"POST\n/\n\ncontent-type:{seen.headers['content-type']}\nhost:{seen.headers['host']}\n\n"
        f"content-type;host\n{hashlib.sha256(seen.body).hexdigest()}"
    )
    to_sign = (
        f"TC3-HMAC-SHA256\n{seen.headers['x-tc-timestamp']}\n{date}/sms/tc3_request\n"
        f"{hashlib.sha256(canonical.encode()).hexdigest()}"
    )

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{SECRET}".encode(), date), "sms"), "tc3_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"Signature={expected}", signature)


#: As Tencent Cloud answers (its SDK reads an error only from exactly this type).
JSON = {"Content-Type": "application/json"}


class Tencent:
    """Answers each SendSms with the next queued code (``Ok`` when none is queued); a code written
    ``request:CODE`` fails the whole request instead of the one number."""

    def __init__(self) -> None:
        self.codes: list[str] = []

    def __call__(self, seen: Seen) -> tuple[int, dict[str, str], Any]:
        if not _tc3_signature_ok(seen):
            return (
                200,
                {},
                {
                    "Response": {
                        "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "sig"},
                        "RequestId": "s",
                    }
                },
            )
        if (seen.headers.get("x-tc-action"), seen.headers.get("x-tc-version")) != ("SendSms", "2021-01-11"):
            return (
                200,
                {},
                {"Response": {"Error": {"Code": "InvalidAction", "Message": "?"}, "RequestId": "x"}},
            )
        body = seen.json()
        for name in ("PhoneNumberSet", "SmsSdkAppId", "SignName", "TemplateId"):
            if not body.get(name):
                return (
                    200,
                    JSON,
                    {"Response": {"Error": {"Code": "MissingParameter", "Message": name}, "RequestId": "m"}},
                )
        code = self.codes.pop(0) if self.codes else "Ok"
        if code.startswith("request:"):
            error = {"Code": code.removeprefix("request:"), "Message": "refused"}
            return 200, JSON, {"Response": {"Error": error, "RequestId": "req-t-err"}}
        status = {
            "SerialNo": "serial-1" if code == "Ok" else "",
            "PhoneNumber": body["PhoneNumberSet"][0],
            "Fee": 1,
            "SessionContext": body.get("SessionContext", ""),
            "Code": code,
            "Message": "send success" if code == "Ok" else code,
            "IsoCode": "CN",
        }
        return 200, JSON, {"Response": {"SendStatusSet": [status], "RequestId": "req-t-1"}}


# --- fixtures ---------------------------------------------------------------------------------


def _gateway(settings: Any, backend: str, service: FakeService) -> None:
    settings.MINYI_SMS_BACKEND = f"minyi.worker.sms.{backend}"
    settings.MINYI_SMS_GATEWAY = {
        "access_key_id": AK,
        "access_key_secret": SECRET,
        "sign_name": "海滨区民意",
        "app_id": "1400000000",
        "region": "",
        "endpoint": service.url,
        "templates": parse_sms_templates("SMS_TEMPLATES", TEMPLATES),
    }


@pytest.fixture
def aliyun(settings: Any) -> Iterator[tuple[Aliyun, FakeService]]:
    fake = Aliyun()
    with fake_service(fake) as service:
        _gateway(settings, "AliyunSmsBackend", service)
        yield fake, service


@pytest.fixture
def tencent(settings: Any) -> Iterator[tuple[Tencent, FakeService]]:
    fake = Tencent()
    with fake_service(fake) as service:
        _gateway(settings, "TencentSmsBackend", service)
        yield fake, service


def _queue_dispatched_sms() -> Job:
    with transaction.atomic():
        [job] = notify(
            phone="13812345678",
            subject="s",
            text="您的诉求 2026120800000001 已交城管局办理，12月15日前办结。",
            template="dispatched",
            params={"number": "2026120800000001", "unit": "城管局", "date": "12月15日"},
        )
    return job


# --- Alibaba Cloud ------------------------------------------------------------------------------


def test_aliyun_sends_the_template_with_its_variables_and_records_the_answer(
    aliyun: tuple[Aliyun, FakeService],
) -> None:
    _fake, service = aliyun
    job = _queue_dispatched_sms()
    assert work("worker-1", once=True) == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE
    [seen] = service.seen
    assert seen.query["PhoneNumbers"] == "13812345678"
    assert seen.query["SignName"] == "海滨区民意"
    assert seen.query["TemplateCode"] == "SMS_100"
    assert json.loads(seen.query["TemplateParam"]) == {
        "number": "2026120800000001",
        "unit": "城管局",
        "date": "12月15日",
    }
    delivery = Delivery.objects.get(job=job)
    assert seen.query["OutId"] == delivery.key  # the gateway dedupes a resend after a crash
    assert delivery.outcome == DeliveryOutcome.SENT
    assert delivery.answer == {
        "gateway": "aliyun",
        "code": "OK",
        "message": "OK",
        "request_id": "req-1",
        "biz_id": "biz-1",
    }


def test_aliyun_throttling_is_retried_after_a_wait_then_sent(aliyun: tuple[Aliyun, FakeService]) -> None:
    fake, service = aliyun
    fake.codes = ["isv.BUSINESS_LIMIT_CONTROL"]
    job = _queue_dispatched_sms()
    before = timezone.now()
    work("worker-1", once=True)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.run_after >= before + timedelta(minutes=1)  # not hammered again at once
    assert "isv.BUSINESS_LIMIT_CONTROL" in job.last_error
    delivery = Delivery.objects.get(job=job)
    assert (delivery.outcome, delivery.answer["code"]) == (
        DeliveryOutcome.FAILED,
        "isv.BUSINESS_LIMIT_CONTROL",
    )

    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())  # the wait is over
    work("worker-1", once=True)
    job.refresh_from_db()
    delivery.refresh_from_db()
    assert job.state == JobState.DONE
    assert (delivery.outcome, delivery.answer["code"], delivery.calls) == (DeliveryOutcome.SENT, "OK", 2)
    assert service.seen[0].query["OutId"] == service.seen[1].query["OutId"] == delivery.key


def test_aliyun_refusing_the_number_makes_the_job_dead_at_once(aliyun: tuple[Aliyun, FakeService]) -> None:
    fake, _service = aliyun
    fake.codes = ["isv.MOBILE_NUMBER_ILLEGAL"]
    job = _queue_dispatched_sms()
    work("worker-1", once=True)
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DEAD, 1)
    assert "isv.MOBILE_NUMBER_ILLEGAL" in job.last_error
    assert Delivery.objects.get(job=job).answer["request_id"] == "req-1"


def test_aliyun_rejecting_the_signature_is_dead_and_recorded(settings: Any, aliyun: Any) -> None:
    settings.MINYI_SMS_GATEWAY = {**settings.MINYI_SMS_GATEWAY, "access_key_secret": "a wrong secret"}
    job = _queue_dispatched_sms()
    work("worker-1", once=True)
    job.refresh_from_db()
    assert job.state == JobState.DEAD
    assert Delivery.objects.get(job=job).answer["code"] == "SignatureDoesNotMatch"


def test_a_message_kind_without_its_own_template_goes_out_in_the_default_one(aliyun: Any) -> None:
    _fake, service = aliyun
    with transaction.atomic():
        notify(phone="13812345678", subject="s", text="您有一条新的待办。")
    work("worker-1", once=True)
    [seen] = service.seen
    assert seen.query["TemplateCode"] == "SMS_900"
    assert json.loads(seen.query["TemplateParam"]) == {"text": "您有一条新的待办。"}


def test_without_a_template_for_the_kind_nor_a_default_the_job_is_dead_and_nothing_is_sent(
    settings: Any, aliyun: Any
) -> None:
    _fake, service = aliyun
    settings.MINYI_SMS_GATEWAY = {
        **settings.MINYI_SMS_GATEWAY,
        "templates": parse_sms_templates("SMS_TEMPLATES", "replied=SMS_200:number"),
    }
    job = _queue_dispatched_sms()
    work("worker-1", once=True)
    job.refresh_from_db()
    assert job.state == JobState.DEAD
    assert "no SMS template is configured for messages of kind 'dispatched'" in job.last_error
    assert service.seen == []


# --- Tencent Cloud ------------------------------------------------------------------------------


def test_tencent_sends_the_template_with_positional_variables_and_records_the_answer(
    tencent: tuple[Tencent, FakeService],
) -> None:
    _fake, service = tencent
    job = _queue_dispatched_sms()
    work("worker-1", once=True)
    job.refresh_from_db()
    assert job.state == JobState.DONE
    body = service.seen[0].json()
    assert body["PhoneNumberSet"] == ["+8613812345678"]
    assert (body["SmsSdkAppId"], body["SignName"], body["TemplateId"]) == (
        "1400000000",
        "海滨区民意",
        "SMS_100",
    )
    assert body["TemplateParamSet"] == ["2026120800000001", "城管局", "12月15日"]
    delivery = Delivery.objects.get(job=job)
    assert body["SessionContext"] == delivery.key
    assert delivery.answer == {
        "gateway": "tencent",
        "code": "Ok",
        "message": "send success",
        "request_id": "req-t-1",
        "biz_id": "serial-1",
    }


def test_tencent_throttling_of_the_number_is_retried_later(tencent: tuple[Tencent, FakeService]) -> None:
    fake, _service = tencent
    fake.codes = ["LimitExceeded.PhoneNumberThirtySecondLimit"]
    job = _queue_dispatched_sms()
    before = timezone.now()
    work("worker-1", once=True)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.run_after >= before + timedelta(minutes=1)
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    work("worker-1", once=True)
    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_tencent_refusing_the_number_or_the_template_is_dead_at_once(
    tencent: tuple[Tencent, FakeService],
) -> None:
    fake, _service = tencent
    fake.codes = [
        "InvalidParameterValue.IncorrectPhoneNumber",
        "request:FailedOperation.TemplateIncorrectOrUnapproved",
    ]
    first, second = _queue_dispatched_sms(), _queue_dispatched_sms()
    work("worker-1", once=True)
    for job, code in [(first, "IncorrectPhoneNumber"), (second, "TemplateIncorrectOrUnapproved")]:
        job.refresh_from_db()
        assert (job.state, job.attempts) == (JobState.DEAD, 1)
        assert code in job.last_error
    assert Delivery.objects.get(job=second).answer["request_id"] == "req-t-err"


def test_tencent_internal_error_is_retried_with_backoff(tencent: tuple[Tencent, FakeService]) -> None:
    fake, _service = tencent
    fake.codes = ["request:InternalError.Timeout"]
    job = _queue_dispatched_sms()
    work("worker-1", once=True)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.run_after < timezone.now() + timedelta(
        minutes=1
    )  # the ordinary backoff, not the throttle wait


# --- configuration ------------------------------------------------------------------------------


def test_a_gateway_without_its_keys_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMS_BACKEND", "tencent")
    monkeypatch.setenv("SMS_ACCESS_KEY_ID", AK)
    for name in ("SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_TEMPLATES", "SMS_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(EnvError, match="SMS_BACKEND=tencent needs SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME"):
        env_sms()


def test_gateway_settings_are_parsed_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMS_BACKEND", "aliyun")
    monkeypatch.setenv("SMS_ACCESS_KEY_ID", AK)
    monkeypatch.setenv("SMS_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.setenv("SMS_SIGN_NAME", "海滨区民意")
    monkeypatch.setenv("SMS_TEMPLATES", TEMPLATES)
    backend, gateway = env_sms()
    assert backend == "minyi.worker.sms.AliyunSmsBackend"
    assert gateway["templates"]["dispatched"] == ("SMS_100", ("number", "unit", "date"))
    monkeypatch.setenv("SMS_TEMPLATES", "dispatched=SMS_100:number;dispatched=SMS_2")
    with pytest.raises(EnvError, match="two templates"):
        env_sms()
    monkeypatch.setenv("SMS_TEMPLATES", "dispatched SMS_100")
    with pytest.raises(EnvError, match="is not a template"):
        env_sms()
    monkeypatch.setenv("SMS_BACKEND", "aliyn")
    with pytest.raises(EnvError, match="is neither file, console, aliyun, tencent"):
        env_sms()
