#!/usr/bin/env python3
"""The smoke journey of scripts/smoke-prod.sh, over HTTP against a running `make prod`: a citizen
submits on the public form, a dispatcher dispatches through the API, a worker delivers the SMS (to the
file backend); readiness and metrics answer; the logs are JSON lines that carry the request id into the
worker and hold no personal data. Standard library only; exits non-zero with one line on the first
thing that is wrong.

    smoke_prod.py BASE_URL API_KEY SMS_FILE LOG_FILE METRICS_TOKEN
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

PHONE = "13900001234"
NAME = "烟测试"
BODY = "冒烟测试：海滨路的路灯坏了三盏，晚上出行不便，请尽快修理。"


class Failed(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise Failed(what)


class Client:
    """HTTP to the server as if through the TLS proxy (X-Forwarded-Proto: https), with its cookies kept
    by hand: they are Secure, which a cookie jar would not send over plain HTTP."""

    def __init__(self, base: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.origin = f"https://{self.host}:{self.port}"
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = {"X-Forwarded-Proto": "https", "Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        answer = {name.lower(): value for name, value in response.getheaders()}
        connection.close()
        return response.status, answer, data

    def json(
        self, method: str, path: str, token: str, payload: Any = None
    ) -> tuple[int, dict[str, str], Any]:
        body = None if payload is None else json.dumps(payload).encode()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        status, answer, data = self.request(method, path, body, headers)
        return status, answer, json.loads(data) if data else None


def wait_ready(client: Client, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        try:
            status, _headers, data = client.request("GET", "/readyz")
            last = (status, data[:500])
            if status == 200:
                return json.loads(data)
        except OSError as error:
            last = error
        time.sleep(1)
    raise Failed(f"/readyz did not answer 200 within {seconds:g} s: {last!r}")


def submit(client: Client) -> str:
    status, _headers, page = client.request("GET", "/appeal/new/")
    check(status == 200, f"GET /appeal/new/ answered {status}")
    html = page.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    village = re.search(r'<select[^>]*name="village".*?<option value="(\d+)"', html, re.S)
    check(token is not None and village is not None, "the form lacks its CSRF token or a village")
    assert token is not None and village is not None
    form = {
        "csrfmiddlewaretoken": token.group(1),
        "kind": "complaint",
        "title": "路灯坏了",
        "body": BODY,
        "village": village.group(1),
        "name": NAME,
        "phone": PHONE,
    }
    status, headers, page = client.request(
        "POST",
        "/appeal/new/",
        urllib.parse.urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"{client.origin}/appeal/new/"},
    )
    check(
        status == 302 and "/appeal/done/" in headers.get("location", ""),
        f"submitting answered {status}: {page[:300]!r}",
    )
    status, _headers, page = client.request("GET", "/appeal/done/")
    number = re.search(r"\b(\d{16})\b", page.decode())
    check(status == 200 and number is not None, f"the done page shows no tracking number ({status})")
    assert number is not None
    return number.group(1)


def dispatch(client: Client, number: str, key: str) -> str:
    status, _headers, appeal = client.json("GET", f"/api/v1/appeals/{number}/", key)
    check(status == 200, f"GET the appeal through the API answered {status}: {appeal}")
    status, headers, answer = client.json(
        "POST", f"/api/v1/appeals/{number}/dispatch/", key, {"lead": "ZJ", "version": appeal["version"]}
    )
    check(status == 200, f"dispatching through the API answered {status}: {answer}")
    request_id = headers.get("x-request-id", "")
    check(bool(request_id), "the API's answer has no X-Request-ID")
    return request_id


def wait_sms(path: Path, number: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                message = json.loads(line)
                if number in message["text"] and "住房" in message["text"]:
                    return message
        time.sleep(0.5)
    raise Failed(f"no SMS about the dispatch of {number} reached {path} within {seconds:g} s")


def check_metrics(client: Client, token: str) -> str:
    status, _headers, data = client.request("GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
    text = data.decode()
    check(status == 200, f"/metrics answered {status}")
    for series in (
        'minyi_appeals_received_today{channel="mailbox"} 1.0',
        "minyi_outbox_oldest_pending_seconds",
        "minyi_workers_alive 2.0",
        "django_http_requests_total_by_method_total",
    ):
        check(series in text, f"/metrics lacks {series}")
    return text


def check_logs(path: Path, request_id: str) -> int:
    lines = [
        line
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.startswith("{")
    ]
    check(len(lines) > 5, f"the log has only {len(lines)} JSON lines")
    entries = [json.loads(line) for line in lines]  # every JSON-looking line must parse
    check(
        all({"time", "level", "logger", "message", "request_id"} <= set(e) for e in entries),
        "a log line lacks a field",
    )
    worker = [e for e in entries if e["logger"] == "minyi.worker" and e["request_id"] == request_id]
    check(bool(worker), f"no worker log line carries the dispatch's request id {request_id}")
    text = path.read_text(encoding="utf-8", errors="replace")
    for personal in (PHONE, NAME, BODY[:12]):
        check(personal not in text, f"the log holds personal data ({personal[:3]}…)")
    return len(entries)


def main() -> int:
    base, key, sms_file, log_file, metrics_token = sys.argv[1:6]
    client = Client(base)
    try:
        ready = wait_ready(client)
        check(ready["worker"]["alive"] >= 2, f"readyz counts {ready['worker']['alive']} workers, not 2")
        check(ready["migrations"]["unapplied"] == 0, "readyz sees unapplied migrations")
        status, _headers, _data = client.request("GET", "/healthz")
        check(status == 200, f"/healthz answered {status}")
        number = submit(client)
        print(f"smoke: citizen submitted {number} on the public form")
        request_id = dispatch(client, number, key)
        print(f"smoke: dispatcher dispatched it through the API (request {request_id})")
        sms = wait_sms(Path(sms_file), number)
        check(sms["phone"] == PHONE, "the SMS went to another number")
        print(f"smoke: the worker delivered the SMS: {sms['text']}")
        ready = wait_ready(client)
        print(f"smoke: /readyz {json.dumps(ready, ensure_ascii=False)}")
        check_metrics(client, metrics_token)
        print("smoke: /metrics has the request, database and minyi_ series")
        count = check_logs(Path(log_file), request_id)
        print(f"smoke: {count} JSON log lines, the request id reached the worker, no personal data")
    except (Failed, OSError, KeyError, ValueError) as error:
        print(f"smoke: FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
