"""The operators' fast entry form, the caller lookup and the similar-appeal hint, through HTTP."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minyi.appeals import rules
from minyi.appeals.choices import Channel, State
from minyi.appeals.forms.intake import normalise_phone
from minyi.appeals.models import Appeal
from minyi.appeals.similar import bigrams, candidates, profile, rank, similar_appeals, similarity
from minyi.appeals.tests.factories import dispatched, new_appeal
from minyi.audit.models import AuditEvent
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
URL = "/appeals/intake/new/"


def call(actors: Actors, **changes: Any) -> dict[str, Any]:
    """What an operator types for a typical hotline call."""
    data: dict[str, Any] = {
        "channel": "hotline",
        "phone": "138 0000 1111",
        "name": "张三",
        "kind": "complaint",
        "urgency": "ordinary",
        "title": "西村垃圾三天没人清运",
        "body": "西村村口垃圾桶满了三天没人清运，气味很大。",
        "township": "",
        "village": str(actors.village2.pk),
        "address": "西村村口",
        "concerns_unit": "",
        "received_at": "",
    }
    data.update(changes)
    return data


def code_in(page: str) -> tuple[str, str]:
    found = re.search(r"Recorded as (\d+)\. Query code: ([A-Z0-9]+)\.", page)
    assert found, page
    return found.group(1), found.group(2)


# --- recording a call --------------------------------------------------------------------------------


def test_operator_records_a_call_and_sees_number_and_code_once(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    assert client.get(URL, headers=EN).status_code == 200

    response = client.post(URL, call(actors), headers=EN)
    assert response.status_code == 302
    assert response["Location"] == URL
    page = client.get(URL, headers=EN).content.decode()
    number, code = code_in(page)

    appeal = rules.find_for_citizen(number, code)
    assert appeal is not None
    assert appeal.channel == Channel.HOTLINE
    assert appeal.citizen_phone == "13800001111"  # one spelling, so the next call finds it
    assert appeal.citizen_name == "张三"
    assert appeal.village == actors.village2
    assert appeal.township == actors.town  # filled in from the village
    assert appeal.recorded_by == actors.operator
    assert abs((appeal.received_at - timezone.now()).total_seconds()) < 60
    assert code not in appeal.query_code_hash

    again = client.get(URL, headers=EN).content.decode()
    assert code not in again  # shown once
    title = re.search(r"<input[^>]*name=\"title\"[^>]*>", again)
    assert title and "value=" not in title.group(0)  # the same empty form, ready for the next call


def test_form_remembers_the_operators_last_channel(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    assert '<option value="hotline" selected>' in client.get(URL).content.decode()
    client.post(URL, call(actors, channel="agri_hotline"))
    assert '<option value="agri_hotline" selected>' in client.get(URL).content.decode()


def test_letter_keeps_the_date_written_on_it(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    client.post(URL, call(actors, channel="letter", received_at="2024-03-05"))
    appeal = Appeal.objects.get()
    assert appeal.channel == Channel.LETTER
    assert timezone.localtime(appeal.received_at).strftime("%Y-%m-%d %H:%M") == "2024-03-05 00:00"


def test_received_at_in_the_future_is_refused(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(URL, call(actors, received_at=tomorrow), headers=EN)
    assert response.status_code == 400
    assert "The time received cannot be in the future." in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Write a short title."),
        ({"body": "   "}, "Write what happened or what you suggest."),
        ({"title": "长" * 101}, "at most 100 characters"),
        ({"phone": "12345"}, "is not a phone number"),
        ({"kind": "gossip"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    client: Client, actors: Actors, changes: dict[str, str], message: str
) -> None:
    client.force_login(actors.operator)
    response = client.post(URL, call(actors, **changes), headers=EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'role="alert"' in page
    invalid = re.search(r"<(input|select|textarea)[^>]*aria-invalid=\"true\"[^>]*>", page)
    assert invalid and "autofocus" in invalid.group(0)  # the cursor waits at the mistake
    assert not Appeal.objects.exists()


def test_village_of_another_township_is_refused(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    data = call(actors, township=str(actors.other_town.pk), village=str(actors.village.pk))
    response = client.post(URL, data, headers=EN)
    assert response.status_code == 400
    assert "This village or community is not in the chosen township." in response.content.decode()
    assert not Appeal.objects.exists()


def test_concerns_unit_is_recorded_for_recusal(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    client.post(URL, call(actors, concerns_unit=str(actors.edu.pk)))
    assert Appeal.objects.get().concerns_unit == actors.edu


def test_handler_without_record_permission_is_refused(client: Client, actors: Actors) -> None:
    client.force_login(actors.handler_edu)
    assert client.get(URL).status_code == 403
    assert client.post(URL, call(actors)).status_code == 403
    assert client.get("/appeals/intake/caller/", {"phone": "13900001111"}).status_code == 403
    assert client.get("/appeals/intake/similar/", {"title": "路灯坏了"}).status_code == 403
    assert not Appeal.objects.exists()


def test_cadre_may_record(client: Client, actors: Actors) -> None:
    client.force_login(actors.cadre)
    assert client.post(URL, call(actors)).status_code == 302
    assert Appeal.objects.get().recorded_by == actors.cadre


def test_anonymous_visitor_is_sent_to_the_login(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_form_is_keyboard_ready(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    page = client.get(URL, headers=EN).content.decode()
    phone = re.search(r"<input[^>]*id=\"id_phone\"[^>]*>", page)
    assert phone and "autofocus" in phone.group(0)
    assert page.index('id="id_phone"') < page.index('id="id_name"') < page.index('id="id_title"')
    assert 'hx-trigger="keyup changed delay:600ms"' in page
    # Ctrl+Enter saves from the text: a static script (the Content-Security-Policy allows no inline one)
    assert '<script src="/static/minyi/intake_keys.js" defer>' in page
    assert "ctrlKey" in Path(str(finders.find("minyi/intake_keys.js"))).read_text(encoding="utf-8")
    for field in ("channel", "phone", "name", "kind", "title", "body", "township", "village", "received_at"):
        assert f'for="id_{field}"' in page


# --- the caller lookup -------------------------------------------------------------------------------


def test_caller_lookup_shows_that_numbers_earlier_appeals_only_and_is_audited(
    client: Client, actors: Actors
) -> None:
    mine = new_appeal(actors, title="东村路灯坏了", citizen_phone="13900001111")
    also_mine = new_appeal(actors, title="东村水管漏水", citizen_phone="139-0000-1111")
    new_appeal(actors, title="别人的诉求", citizen_phone="13700002222")
    client.force_login(actors.operator)

    response = client.get("/appeals/intake/caller/", {"phone": "139 0000 1111"}, headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert str(mine.number) in page and "东村路灯坏了" in page
    assert str(also_mine.number) in page
    assert "别人的诉求" not in page
    assert "Received" in page  # the state, in words
    assert "王大海" in page  # the name given last time: operators may see personal data
    events = AuditEvent.objects.filter(action="personal_data.view", actor=actors.operator)
    assert events.count() == 1
    assert events.get().subject == "139****1111"


def test_caller_lookup_shows_only_appeals_the_user_may_see(client: Client, actors: Actors) -> None:
    elsewhere = dispatched(actors, title="教育局在办的诉求", citizen_phone="13900001111")
    here = new_appeal(actors, title="镇里在办的诉求", citizen_phone="13900001111")
    rules.dispatch(here, lead=actors.town, actor=actors.dispatcher)
    client.force_login(actors.cadre)  # may record, but sees only the appeals of 海城镇

    page = client.get("/appeals/intake/caller/", {"phone": "13900001111"}).content.decode()
    assert "镇里在办的诉求" in page
    assert elsewhere.title not in page


def test_caller_without_earlier_appeals_is_said_so_and_not_audited(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    page = client.get("/appeals/intake/caller/", {"phone": "13600003333"}, headers=EN).content.decode()
    assert "No earlier appeals from this number." in page
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()


def test_caller_lookup_with_a_wrong_number_explains(client: Client, actors: Actors) -> None:
    client.force_login(actors.operator)
    page = client.get("/appeals/intake/caller/", {"phone": "1390000"}, headers=EN).content.decode()
    assert "is not a phone number" in page


def test_caller_lookup_works_without_javascript(client: Client, actors: Actors) -> None:
    new_appeal(actors, title="东村路灯坏了", citizen_phone="13900001111")
    client.force_login(actors.operator)
    data = call(actors, phone="13900001111", title="", body="", lookup="1")
    response = client.post(URL, data, headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "东村路灯坏了" in page
    assert 'value="13900001111"' in page  # what was typed stays
    assert "Write a short title." not in page  # a lookup is not a save attempt
    assert Appeal.objects.count() == 1


def test_caller_panel_queries_do_not_grow_with_appeals(client: Client, actors: Actors) -> None:
    new_appeal(actors, citizen_phone="13900001111")
    client.force_login(actors.operator)
    with CaptureQueriesContext(connection) as few:
        client.get("/appeals/intake/caller/", {"phone": "13900001111"})
    for i in range(8):
        new_appeal(actors, title=f"第{i}件", citizen_phone="13900001111")
    with CaptureQueriesContext(connection) as many:
        client.get("/appeals/intake/caller/", {"phone": "13900001111"})
    assert len(many) == len(few)


def test_phone_numbers_are_normalised() -> None:
    assert normalise_phone("+86 138-0000-1111") == "13800001111"
    assert normalise_phone("１３８００００１１１１") == "13800001111"  # full-width digits from a Chinese IME
    assert normalise_phone("057788888888") == "0577-88888888"
    assert normalise_phone("010 1234 5678") == "010-12345678"
    with pytest.raises(ValidationError):
        normalise_phone("12345")


# --- the similar-appeal hint -------------------------------------------------------------------------


def test_bigrams_ignore_punctuation_and_filler() -> None:
    assert bigrams("路灯坏了！") == {"路灯", "灯坏", "坏了"}
    assert "问题" not in bigrams("路灯问题")


def test_near_duplicate_ranks_first() -> None:
    query = profile("东村路灯坏了", "东村三组村口的路灯坏了好久，晚上看不见路。")
    candidates_ = [
        ("unrelated", profile("学校食堂饭菜太贵", "中学食堂的饭菜价格上涨，学生家长负担重。")),
        ("related", profile("西村路灯不亮", "西村的路灯晚上不亮。")),
        ("duplicate", profile("东村路灯坏了三个月", "东村三组村口的路灯坏了三个月，晚上出行很不方便。")),
    ]
    ranked = rank(query, candidates_)
    assert [name for name, _score in ranked][:2] == ["duplicate", "related"]
    assert "unrelated" not in [name for name, _score in ranked]
    assert 0 < ranked[0][1] <= 1


def test_identical_texts_score_one_and_unrelated_zero() -> None:
    a = profile("东村路灯坏了", "晚上看不见路。")
    assert similarity(a, profile("东村路灯坏了", "晚上看不见路。")) == pytest.approx(1.0)
    assert similarity(a, profile("学校食堂", "饭菜太贵。")) == 0
    assert similarity(a, profile("", "")) == 0


def test_title_weighs_more_than_body() -> None:
    query = profile("", "自来水停水")
    in_title = profile("自来水停水", "其他内容")
    in_body = profile("其他内容", "自来水停水")
    ranked = rank(query, [("body", in_body), ("title", in_title)], min_score=0)
    assert ranked[0][0] == "title"


def test_candidates_are_open_or_recent(actors: Actors) -> None:
    recent = new_appeal(actors, title="最近的诉求")
    old_open = new_appeal(actors, title="很久以前但没办完", received_at=timezone.now() - timedelta(days=400))
    old_closed = new_appeal(actors, title="很久以前已办结", received_at=timezone.now() - timedelta(days=400))
    Appeal.objects.filter(pk=old_closed.pk).update(state=State.CLOSED)  # test data: a closed old appeal
    found = {appeal.pk for appeal in candidates(Appeal.objects.all(), window_days=90)}
    assert found == {recent.pk, old_open.pk}
    assert not list(candidates(Appeal.objects.all(), township=actors.other_town))


def test_similar_appeals_reads_a_bounded_candidate_set(actors: Actors) -> None:
    new_appeal(actors, title="东村路灯坏了三个月")
    with CaptureQueriesContext(connection) as queries:
        result = similar_appeals("东村的路灯坏了", Appeal.objects.all(), title="路灯坏了")
    assert len(queries) == 1
    assert "LIMIT" in queries[0]["sql"].upper()
    assert result and result[0][0].title == "东村路灯坏了三个月"


def test_similar_endpoint_shows_the_near_duplicate_first(client: Client, actors: Actors) -> None:
    new_appeal(actors, title="中学食堂饭菜太贵", body="中学食堂的饭菜价格上涨，学生家长负担重。")
    related = new_appeal(actors, title="西村路灯不亮", body="西村的路灯晚上不亮。")
    duplicate = new_appeal(actors)  # 东村路灯坏了三个月
    client.force_login(actors.operator)
    response = client.get(
        "/appeals/intake/similar/",
        {"title": "东村路灯坏了", "body": "东村三组村口路灯坏了，晚上看不见。"},
        headers=EN,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Similar appeals" in page
    assert duplicate.number and related.number
    assert page.index(duplicate.number) < page.index(related.number)
    assert "食堂" not in page
    assert "% alike" in page


def test_similar_endpoint_leaves_out_appeals_the_user_may_not_see(client: Client, actors: Actors) -> None:
    dispatched(actors)  # 东村路灯坏了三个月, handled by 教育局
    client.force_login(actors.cadre)
    page = client.get("/appeals/intake/similar/", {"title": "东村路灯坏了"}, headers=EN).content.decode()
    assert "东村路灯坏了三个月" not in page
    assert "No similar recent appeals." in page


def test_similar_endpoint_says_nothing_for_too_little_text(client: Client, actors: Actors) -> None:
    new_appeal(actors)
    client.force_login(actors.operator)
    page = client.get("/appeals/intake/similar/", {"title": "", "body": ""}, headers=EN).content.decode()
    assert page.strip() == ""
