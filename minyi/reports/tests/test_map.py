"""The dashboard map: an admin's GeoJSON upload is checked strictly (each bad file refused with its
reason, the old set kept), replaces the set when good, and the map shows each viewer's scope —
townships for the district, a township's villages for its own staff — by appeals or overdue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal
from minyi.audit.models import AuditEvent
from minyi.demo import org as org_demo
from minyi.demo import reports as demo
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.rules import create_person
from minyi.reports import geo
from minyi.reports.models import Boundary
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are checked in English (the catalogue translates them into Chinese)."""
    with translation.override("en"):
        yield


def square(x: float, y: float, size: float = 0.1) -> dict[str, Any]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: Any, geometry: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def good_set() -> bytes:
    return collection(
        feature("T1", square(120.0, 30.0)),
        feature("T2", {"type": "MultiPolygon", "coordinates": [square(120.1, 30.0)["coordinates"]]}),
        feature("T1V1", square(120.0, 30.0, 0.05)),
        feature("T1V2", square(120.05, 30.0, 0.05)),
    )


def test_a_good_upload_replaces_the_whole_set_and_is_audited(actors: Actors) -> None:
    assert geo.upload(good_set(), actor=actors.admin) == 4
    assert Boundary.objects.count() == 4
    assert geo.upload(collection(feature("T2", square(1, 1))), actor=actors.admin) == 1
    assert list(Boundary.objects.values_list("unit__code", flat=True)) == ["T2"]
    event = AuditEvent.objects.filter(action="reports.boundaries_upload").latest("pk")
    assert event.detail["areas"] == 1 and event.detail["replaced"] == 4


BAD_FILES = {
    "not json": (b"{not json", "not valid GeoJSON"),
    "not utf-8": (b"\xff\xfe\x00", "not valid GeoJSON"),
    "a plain feature": (json.dumps(feature("T1", square(0, 0))).encode(), "FeatureCollection"),
    "no features": (collection(), "no features"),
    "no code": (
        collection({"type": "Feature", "properties": {}, "geometry": square(0, 0)}),
        "properties.code",
    ),
    "a point": (
        collection(feature("T1", {"type": "Point", "coordinates": [120, 30]})),
        "Polygon or MultiPolygon",
    ),
    "text coordinates": (
        collection(feature("T1", {"type": "Polygon", "coordinates": [[["a", 1], [1, 1], [1, 2], ["a", 1]]]})),
        "Polygon or MultiPolygon",
    ),
    "a ring of three": (
        collection(feature("T1", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]})),
        "at least four",
    ),
    "out of range": (collection(feature("T1", square(200, 30))), "Polygon or MultiPolygon"),
    "twice the same code": (
        collection(feature("T1", square(0, 0)), feature("T1", square(1, 1))),
        "more than once",
    ),
    "a department": (collection(feature("EDU", square(0, 0))), "EDU"),
    "an unknown code": (collection(feature("NOWHERE", square(0, 0))), "NOWHERE"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_each_bad_file_is_refused_with_its_reason_and_the_old_set_is_kept(actors: Actors, case: str) -> None:
    geo.upload(good_set(), actor=actors.admin)
    before = sorted(Boundary.objects.values_list("pk", flat=True))
    raw, reason = BAD_FILES[case]
    with pytest.raises(ValidationError) as refused:
        geo.upload(raw, actor=actors.admin)
    assert reason in " ".join(refused.value.messages)
    assert sorted(Boundary.objects.values_list("pk", flat=True)) == before
    assert AuditEvent.objects.filter(action="reports.boundaries_upload").count() == 1


def test_a_file_over_the_size_limit_is_refused(actors: Actors, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geo, "MAX_BYTES", 100)
    with pytest.raises(ValidationError, match="larger than"):
        geo.upload(good_set(), actor=actors.admin)
    assert not Boundary.objects.exists()


def test_the_admin_uploads_on_the_page_and_others_may_not(actors: Actors) -> None:
    client = Client()
    client.login(username="admin", password=PASSWORD)
    page = client.get("/")
    assert "/reports/boundaries/" in page.content.decode()
    refused = client.post(
        "/reports/boundaries/",
        {"file": SimpleUploadedFile("b.geojson", collection(feature("X", square(0, 0))))},
    )
    assert refused.status_code == 400
    assert "X" in refused.content.decode() and not Boundary.objects.exists()
    done = client.post("/reports/boundaries/", {"file": SimpleUploadedFile("b.geojson", good_set())})
    assert done.status_code == 302 and Boundary.objects.count() == 4
    back = client.get("/reports/boundaries/", {"format": "geojson"})
    assert {f["properties"]["code"] for f in json.loads(back.content)["features"]} == {
        "T1",
        "T2",
        "T1V1",
        "T1V2",
    }
    client.login(username="leader", password=PASSWORD)
    assert client.get("/reports/boundaries/").status_code == 403
    assert (
        client.post("/reports/boundaries/", {"file": SimpleUploadedFile("b.geojson", good_set())}).status_code
        == 403
    )


def _appeals(actors: Actors) -> None:
    """Two appeals in 东村 (one overdue, led by 教育局), one in 西村, one in 青山镇's 南村."""
    late = appeal_rules.submit(
        channel=Channel.HOTLINE, kind=Kind.HELP, title="路灯", body="坏了", village=actors.village
    )
    appeal_rules.dispatch(late.appeal, lead=actors.edu, actor=actors.dispatcher)
    Appeal.objects.filter(pk=late.appeal.pk).update(deadline=timezone.now() - timedelta(days=1))
    appeal_rules.submit(
        channel=Channel.MAILBOX, kind=Kind.HELP, title="道路", body="积水", village=actors.village
    )
    appeal_rules.submit(
        channel=Channel.HOTLINE, kind=Kind.HELP, title="垃圾", body="没人收", village=actors.village2
    )
    appeal_rules.submit(
        channel=Channel.HOTLINE, kind=Kind.HELP, title="噪音", body="工地", village=actors.other_village
    )


def _areas(found: geo.MapData) -> dict[str, tuple[int, int]]:
    return {area.code: (area.appeals, area.overdue) for area in found.areas}


def test_the_map_shows_each_scope_by_appeals_and_overdue(actors: Actors) -> None:
    geo.upload(good_set(), actor=actors.admin)
    _appeals(actors)
    today = timezone.localdate()
    first = today - timedelta(days=29)
    district = geo.map_data(None, first, today)
    assert district.level == "township"
    assert _areas(district) == {"T1": (3, 1), "T2": (1, 0)}
    assert [f["properties"]["code"] for f in district.features] == ["T1", "T2"]
    assert district.areas[0].link.startswith(f"/appeals/?township={actors.town.pk}&received_from=")
    assert district.areas[0].overdue_link == f"/appeals/?township={actors.town.pk}&due=overdue"
    town = geo.map_data(actors.town, first, today)
    assert town.level == "village" and town.name == "minyi-T1"
    assert _areas(town) == {"T1V1": (2, 1), "T1V2": (1, 0)}
    assert _areas(geo.map_data(actors.village, first, today)) == _areas(town)  # a village's staff: their town
    assert _areas(geo.map_data(actors.edu, first, today)) == {"T1": (1, 1), "T2": (0, 0)}  # what 教育局 leads
    assert _areas(geo.map_data(None, today + timedelta(days=1), today + timedelta(days=2))) == {
        "T1": (0, 1),
        "T2": (0, 0),
    }


def test_the_dashboard_page_carries_the_viewers_map(actors: Actors) -> None:
    geo.upload(good_set(), actor=actors.admin)
    _appeals(actors)
    create_person(name="林镇长", unit=actors.town, role=Role.UNIT_HEAD, username="head_town",
                  password_hash=actors.leader.password, actor=None)  # fmt: skip
    client = Client()
    client.login(username="leader", password=PASSWORD)
    page = client.get("/reports/")
    assert page.context["map"].level == "township"
    assert 'id="dashboard-map"' in page.content.decode()
    client.login(username="head_town", password=PASSWORD)
    page = client.get("/reports/")
    assert page.context["map_json"]["names"] == ["东村", "西村"]
    assert page.context["map_json"]["appeals"] == [2, 1]


def test_without_outlines_the_dashboard_says_so(actors: Actors) -> None:
    client = Client()
    client.login(username="leader", password=PASSWORD)
    page = client.get("/reports/")
    assert page.context["map"].empty
    assert 'id="dashboard-map"' not in page.content.decode()


def test_demo_boundaries_cover_every_township_and_village_once(db: None) -> None:
    org_demo.seed(households=120)
    made = demo.seed()
    towns = Unit.objects.filter(kind="township", parent__code=org_demo.DISTRICT_CODE)
    places = Unit.objects.filter(parent__in=towns, kind__in=geo.MAP_KINDS)
    assert made["boundaries"] == towns.count() + places.count()
    assert towns.count() == 7
    assert demo.seed() == {}  # idempotent
    assert Boundary.objects.count() == made["boundaries"]
    # Every outline passes the upload's own checks.
    geo.parse(json.dumps(geo.as_geojson()).encode())


def test_the_maps_table_exports_to_excel_for_the_viewers_scope(actors: Actors) -> None:
    import io

    from openpyxl import load_workbook

    geo.upload(good_set(), actor=actors.admin)
    _appeals(actors)
    client = Client()
    client.login(username="leader", password=PASSWORD)
    response = client.get("/reports/export/panel/map/")
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    assert [row[1:] for row in rows[1:]] == [("T1", 3, 1), ("T2", 1, 0)]
    assert AuditEvent.objects.filter(action="reports.export", detail__name="panel").count() == 1
