"""An existing GeoReport v2 client from PyPI (georeport 0.3.1), unchanged, against a live server.

georeport reads (services, service definitions, requests) but has no call to create a request, so the
POST is made as the spec prescribes (form-encoded, with ``api_key``) with ``requests``, the HTTP
library georeport itself uses, from the client's own root address and key.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import xmltodict
from georeport import GeoReport

from minyi.open311.tests.conftest import BASE, Services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_lists_creates_and_reads_back(
    live_server: Any, services: Services, output_format: str
) -> None:
    client = GeoReport(live_server.url + BASE, api_key=services.raw_key, output_format=output_format)

    listed = client.get_service_list()
    assert {s["service_code"] for s in listed} == {"LIGHT", "ROAD"}
    definition = client.get_service_definition("ROAD")
    attributes = (
        definition["attributes"] if output_format == "json" else definition["attributes"]["attribute"]
    )
    assert [a["code"] for a in attributes] == ["SIZE", "DEPTH"]

    answer = requests.post(
        f"{client.root_address}/requests.{client.output_format}",
        data={
            "api_key": client.api_key,
            "service_code": "ROAD",
            "lat": "30.1", "long": "120.2",
            "description": "人民路中段有个大坑。",
            "attribute[SIZE]": "L",
        },
        timeout=10,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    if output_format == "json":
        request_id = answer.json()[0]["service_request_id"]
    else:
        request_id = xmltodict.parse(answer.content)["service_requests"]["request"]["service_request_id"]

    one = client.get_service_request(request_id)
    assert one["service_request_id"] == request_id
    assert one["status"] == "open" and one["service_code"] == "ROAD"
    many = client.get_service_requests(service_code="ROAD", status="open")
    many = many if isinstance(many, list) else [many]  # xmltodict gives one request as a dict
    assert [r["service_request_id"] for r in many] == [request_id]
    by_id = client.get_service_requests(service_request_id=request_id)
    assert (by_id[0] if isinstance(by_id, list) else by_id)[
        "description"
    ] == "人民路中段有个大坑。\n\n坑有多大？: L"
