"""Per-record permissions through the API: another unit's appeal is a 404 on every endpoint, 回避 holds,
personal data is masked for those who may not see it, and errors speak the request's language."""

from __future__ import annotations

import pytest

from minyi.api.tests.helpers import api_as
from minyi.appeals.actions import ACTIONS
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import dispatched, in_progress, new_appeal, replied
from minyi.audit.models import AuditEvent
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

SLUGS = [action.slug for action in ACTIONS]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_user_of_another_unit_gets_404_on_every_action(actors: Actors, slug: str) -> None:
    appeal = in_progress(actors)  # held by EDU
    outsider = api_as(actors.outsider)  # a handler of another township
    response = outsider.act(appeal.number, slug, {"version": appeal.version})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Appeal.objects.get(pk=appeal.pk).version == appeal.version


def test_a_user_of_another_unit_gets_404_on_read_and_sees_nothing_in_the_list(actors: Actors) -> None:
    appeal = dispatched(actors)
    outsider = api_as(actors.outsider)
    assert outsider.get(f"/appeals/{appeal.number}/").status_code == 404
    assert outsider.get("/appeals/").json()["results"] == []
    housing = api_as(actors.handler_housing)  # same district, not assigned
    assert housing.get(f"/appeals/{appeal.number}/").status_code == 404
    assert housing.act(appeal.number, "accept").status_code == 404


def test_an_unknown_number_is_the_same_404(actors: Actors) -> None:
    response = api_as(actors.dispatcher).act("20990101", "accept")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_recusal_holds_through_the_api(actors: Actors) -> None:
    appeal = new_appeal(actors, concerns_unit=actors.edu)  # about EDU's officials
    dispatcher = api_as(actors.dispatcher)
    refused = dispatcher.act(appeal.number, "dispatch", {"lead": "EDU", "version": appeal.version})
    assert (refused.status_code, refused.json()["code"]) == (400, "recusal")
    refused = dispatcher.act(
        appeal.number, "dispatch", {"lead": "HOUSING", "co_units": ["EDU"], "version": appeal.version}
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "recusal")
    ok = dispatcher.act(appeal.number, "dispatch", {"lead": "HOUSING", "version": appeal.version})
    assert ok.status_code == 200
    for insider in (actors.handler_edu, actors.head_edu):
        client = api_as(insider)
        assert client.get(f"/appeals/{appeal.number}/").status_code == 404
        assert client.get("/appeals/").json()["results"] == []
        for slug in SLUGS:
            assert client.act(appeal.number, slug).status_code == 404, slug
    assert api_as(actors.handler_housing).get(f"/appeals/{appeal.number}/").status_code == 200


def test_personal_data_is_masked_for_a_handler_and_shown_audited_to_a_dispatcher(actors: Actors) -> None:
    appeal = dispatched(actors, address="东村三组18号", citizen_email="wang@example.com")
    seen = api_as(actors.handler_edu).get(f"/appeals/{appeal.number}/").json()["citizen"]
    assert seen == {
        "name": "王**",
        "phone": "139****1111",
        "email": "w***@example.com",
        "address": "东村三****",
        "masked": True,
    }
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
    shown = api_as(actors.dispatcher).get(f"/appeals/{appeal.number}/").json()["citizen"]
    assert (shown["name"], shown["phone"], shown["masked"]) == ("王大海", "13900001111", False)
    audit = AuditEvent.objects.get(action="personal_data.view")
    assert (audit.actor, audit.object_id) == (actors.dispatcher, str(appeal.pk))
    assert set(audit.detail["fields"]) == {"name", "phone", "email", "address"}
    assert audit.detail["token"].startswith("test dispatcher")


def test_lists_and_action_answers_never_show_personal_data(actors: Actors) -> None:
    appeal = in_progress(actors, title="请联系13900001111")
    dispatcher = api_as(actors.dispatcher)
    [row] = dispatcher.get("/appeals/").json()["results"]
    assert row["title"] == "请联系139****1111"
    assert "citizen" not in row
    done = dispatcher.act(appeal.number, "pause", {"waiting_for": "third_party", "reason": "等待"})
    assert done.status_code == 403  # dispatchers do not handle; the refusal shows nothing either
    handled = api_as(actors.handler_edu).act(appeal.number, "progress", {"note": "已联系"})
    assert handled.json()["appeal"]["citizen"]["masked"] is True


def test_users_who_may_not_read_appeals_are_refused(actors: Actors) -> None:
    member = api_as(actors.member)
    assert member.get("/appeals/").status_code == 403
    response = member.get(f"/appeals/{replied(actors).number}/")
    assert response.status_code == 403


def test_errors_are_chinese_by_default_and_english_on_request(actors: Actors) -> None:
    appeal = dispatched(actors)
    chinese = api_as(actors.outsider, language="zh-hans").get(f"/appeals/{appeal.number}/")
    english = api_as(actors.outsider, language="en").get(f"/appeals/{appeal.number}/")
    assert chinese.json()["code"] == english.json()["code"] == "not_found"
    assert english.json()["message"] == "No appeal you may see has this tracking number."
    assert chinese.json()["message"] != english.json()["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.json()["message"])
    client = api_as(actors.outsider)
    default = client.client.get(
        f"/api/v1/appeals/{appeal.number}/", headers={"authorization": f"Bearer {client.key}"}
    )
    assert default.json()["message"] == chinese.json()["message"]
