"""The insight suggestions over the REST API (issue 6): the dispatch screen's advice and the likely
duplicates, for who may dispatch the appeal; 404 for another unit and under 回避."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from minyi.appeals.models import Category
from minyi.appeals.tests.factories import dispatched, new_appeal
from minyi.insight import registry
from minyi.insight.models import ClassifierVersion
from minyi.insight.tests.corpus_tiny import TINY
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

LIGHTS = {"title": "小区路灯坏了", "body": "我们小区门口的路灯坏了，晚上很黑，请尽快维修路灯。"}


@pytest.fixture(autouse=True)
def models_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def model(actors: Actors) -> ClassifierVersion:
    housing = Category.objects.create(code="L1-house", name="城乡建设", default_unit=actors.housing)
    Category.objects.create(code="L1-edu", name="教育文体", default_unit=actors.edu)
    Category.objects.create(code="L1-traffic", name="交通运输")
    Category.objects.create(code="L2-lights", name="市政设施", parent=housing)
    return registry.train(csv_rows=TINY, use_labels=False, taxonomy=[], sources="tiny")


def client_of(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_dispatcher_gets_the_dispatch_screens_advice(actors: Actors, model: ClassifierVersion) -> None:
    appeal = new_appeal(actors, **LIGHTS)
    response = client_of(actors.dispatcher).get(f"/api/v1/appeals/{appeal.number}/suggestions/")
    assert response.status_code == 200, response.json()
    advice = response.json()
    first = advice["choices"][0]
    assert first["label"] == "城乡建设" and first["category"] == {"code": "L1-house", "name": "城乡建设"}
    assert first["unit"] == {"code": "HOUSING", "name": "区住建局"} and 0 < first["confidence"] <= 1
    assert {c["label"] for c in advice["choices"]} >= {"教育文体", "交通运输"}
    assert "路灯" in advice["why"]
    assert advice["model_version"] == model.version and advice["auto_dispatched"] is False


def test_without_a_model_the_advice_is_empty(actors: Actors) -> None:
    appeal = new_appeal(actors, **LIGHTS)
    advice = client_of(actors.dispatcher).get(f"/api/v1/appeals/{appeal.number}/suggestions/").json()
    assert (advice["choices"], advice["model_version"]) == ([], None)


def test_someone_of_another_unit_gets_404_and_a_handler_403(actors: Actors) -> None:
    appeal = dispatched(actors)  # to 教育局
    for path in ("suggestions", "duplicates"):
        hidden = client_of(actors.outsider).get(f"/api/v1/appeals/{appeal.number}/{path}/")
        assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
        assert client_of(actors.dispatcher).get(f"/api/v1/appeals/NOPE/{path}/").status_code == 404
        handler = client_of(actors.handler_edu).get(f"/api/v1/appeals/{appeal.number}/{path}/")
        assert handler.status_code == 403 and handler.json()["code"] == "permission_denied"


def test_recusal_holds_the_office_never_sees_an_appeal_about_itself(actors: Actors) -> None:
    appeal = new_appeal(actors, concerns_unit=actors.office)
    for path in ("suggestions", "duplicates"):
        assert client_of(actors.dispatcher).get(f"/api/v1/appeals/{appeal.number}/{path}/").status_code == 404


def test_likely_duplicates_of_the_same_caller(actors: Actors) -> None:
    earlier = new_appeal(actors)
    later = new_appeal(actors, title="路灯还是没修", body="东村三组村口路灯一直不亮，之前反映过。")
    body = client_of(actors.dispatcher).get(f"/api/v1/appeals/{later.number}/duplicates/").json()
    assert body["appeal"] == later.number
    [duplicate] = body["duplicates"]
    assert duplicate["number"] == earlier.number and duplicate["reason"] == "same_person"
    assert duplicate["reason_label"] and 0 <= duplicate["score"] <= 1
    assert "路灯" in duplicate["words"]  # why (docs/duplicates.md)
