"""Issue 6, "Done when": an external client creates an appeal through Open311, the dispatcher hands it
on in the browser, the unit answers through the rules, and the client sees the status and the
published reply through Open311 (with the georeport client from PyPI)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from minyi.appeals import rules as appeal_rules
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import lead_assignment
from minyi.appeals.tests.test_browser_loop import Staff
from minyi.open311.tests.conftest import BASE, Services
from minyi.testing import Actors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open311_client_follows_its_request_to_the_published_reply(
    browser: Any, live_server: Any, actors: Actors, services: Services
) -> None:
    client = GeoReport(live_server.url + BASE, api_key=services.raw_key)
    answer = requests.post(
        f"{client.root_address}/requests.json",
        data={"api_key": client.api_key, "service_code": "LIGHT", "address_string": "东村三组",
              "description": "东村三组村口的路灯坏了。晚上出行很不方便。", "phone": "13900001111"},
        timeout=10,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    request_id = answer.json()[0]["service_request_id"]
    assert client.get_service_request(request_id)["status"] == "open"

    dispatcher = Staff(browser, live_server, "dispatcher")
    dispatcher.open(request_id)
    dispatcher.act("dispatch", {"lead": str(actors.edu.pk)})
    dispatcher.close()
    seen = client.get_service_request(request_id)
    assert seen["status"] == "open" and seen["agency_responsible"] == "区教育局"
    assert seen["expected_datetime"]

    appeal = Appeal.objects.get(number=request_id)
    appeal_rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    appeal.refresh_from_db()
    reply = appeal_rules.draft_reply(appeal, actor=actors.handler_edu, body="已更换村口路灯，恢复照明。")
    assert not client.get_service_request(request_id)["status_notes"]  # not yet approved
    appeal_rules.approve_reply(reply, actor=actors.head_edu)

    seen = client.get_service_request(request_id)
    assert seen["status"] == "closed"
    assert seen["status_notes"] == "已更换村口路灯，恢复照明。"
    assert "13900001111" not in str(seen)
    updates = requests.get(f"{client.root_address}/servicerequestupdates.json", timeout=10).json()
    assert [u["status"] for u in updates if u["service_request_id"] == request_id][-1] == "CLOSED"
