"""Likely duplicates (issues 5 and 18): found at intake, stored when an appeal arrives with why, marked in
the inbox, merged from the appeal's page after a confirmation that shows both appeals and the reply, or
dismissed ("not a duplicate"); merged straight from the intake form."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minyi.appeals import rules
from minyi.appeals.choices import RejectReason, State
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import dispatched, new_appeal, replied
from minyi.insight.duplicates import (
    TEXT_SCORE,
    address_overlap,
    candidates,
    for_appeal,
    marks,
    record_hints,
)
from minyi.insight.models import DuplicateHint
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
Reason = DuplicateHint.Reason
LAMP_TITLE = "东村路灯坏了三个月"
LAMP_BODY = "东村三组村口的路灯坏了三个月，晚上出行很不方便，请尽快修好。"


def search(**typed: Any) -> list[tuple[Appeal, str]]:
    """What ``candidates`` finds for a typed appeal (nothing about who or where unless given)."""
    values: dict[str, Any] = {
        "phone": "",
        "name": "",
        "township": None,
        "village": None,
        "address": "",
    }
    values.update(typed)
    title, body = values.pop("title"), values.pop("body")
    return [(c.appeal, c.reason) for c in candidates(title, body, **values)]


# --- finding them --------------------------------------------------------------------------------


def test_the_same_person_repeating_is_found(actors: Actors) -> None:
    earlier = new_appeal(actors)  # from 13900001111
    found = search(
        title="路灯还是不亮",
        body="上次反映的村口路灯还没修，晚上看不见路。",
        phone="139 0000 1111",  # another spelling of the same number
        village=actors.village,
    )
    assert found == [(earlier, Reason.SAME_PERSON)]


def test_the_same_person_with_another_problem_is_not_a_duplicate(actors: Actors) -> None:
    new_appeal(actors)
    assert search(title="孩子上学报名", body="孩子明年上小学，怎么报名？", phone="13900001111") == []


def test_the_same_problem_at_the_same_place_is_found(actors: Actors) -> None:
    earlier = new_appeal(actors)
    found = search(
        title="东村三组路灯不亮",
        body="三组村口路灯晚上不亮，老人出门容易摔倒。",
        phone="13700007777",  # someone else
        village=actors.village,
        township=actors.town,
    )
    assert found == [(earlier, Reason.SAME_PLACE)]


def test_same_township_and_overlapping_address_is_the_same_place(actors: Actors) -> None:
    earlier = new_appeal(actors, village=None, township=actors.town, address="海城镇东村三组村口")
    found = search(
        title="东村三组路灯不亮",
        body="三组村口路灯晚上不亮，老人出门容易摔倒。",
        township=actors.town,
        address="东村三组村口",
    )
    assert found == [(earlier, Reason.SAME_PLACE)]
    assert address_overlap("东村三组村口", "海城镇东村三组村口") == 1
    assert address_overlap("东村三组", "") == 0


def test_a_walk_in_without_a_phone_is_the_same_person_by_name_and_village(actors: Actors) -> None:
    earlier = new_appeal(actors, citizen_phone="", citizen_name="王大海")
    found = search(
        title="路灯还是不亮",
        body="上次反映的村口路灯还没修，晚上看不见路。",
        name="王大海",
        village=actors.village,
    )
    assert found == [(earlier, Reason.SAME_PERSON)]
    assert search(title="路灯还是不亮", body="上次反映的村口路灯还没修，晚上看不见路。", name="王大海") == []


def test_an_unrelated_appeal_is_not_found(actors: Actors) -> None:
    new_appeal(
        actors,
        title="中学食堂饭菜太贵",
        body="中学食堂的饭菜价格上涨，学生家长负担重。",
        citizen_phone="13600006666",
    )
    assert search(title=LAMP_TITLE, body=LAMP_BODY, phone="13900001111", village=actors.village) == []


def test_another_village_with_the_same_text_is_only_a_same_text_hint_when_very_similar(
    actors: Actors,
) -> None:
    letter = {"title": "请尽快修好坏了三个月的路灯", "body": "路灯坏了三个月，晚上出行很不方便，请尽快修好。"}
    copied = new_appeal(actors, **letter, village=actors.other_village, citizen_phone="13600006666")
    found = candidates(
        letter["title"],
        letter["body"],
        phone="13500005555",
        name="",
        township=actors.town,
        village=actors.village,
        address="",
    )
    assert [(c.appeal, c.reason) for c in found] == [(copied, Reason.SAME_TEXT)]
    assert found[0].score >= TEXT_SCORE
    # Merely alike (the same kind of problem) in another village: not a duplicate.
    assert (
        search(
            title="东村三组路灯不亮",
            body="三组村口路灯晚上不亮，老人出门容易摔倒。",
            village=actors.village,
            township=actors.town,
        )
        == []
    )


def test_merged_and_rejected_appeals_are_not_offered(actors: Actors) -> None:
    master = new_appeal(actors, citizen_phone="13600006666")
    merged = new_appeal(actors, citizen_phone="13600006666")
    rules.merge(merged, into=master, actor=actors.dispatcher)
    rejected = new_appeal(actors, citizen_phone="13600006666")
    rules.reject(rejected, actor=actors.dispatcher, reason=RejectReason.ABUSIVE, note="辱骂")
    assert search(title=LAMP_TITLE, body=LAMP_BODY, phone="13600006666") == [(master, Reason.SAME_PERSON)]


def test_candidates_read_a_bounded_set_with_at_most_three_queries(actors: Actors) -> None:
    new_appeal(actors)
    with CaptureQueriesContext(connection) as queries:
        search(title=LAMP_TITLE, body=LAMP_BODY, phone="13900001111", village=actors.village)
    assert len(queries) == 3
    assert all("LIMIT" in q["sql"].upper() for q in queries)


# --- stored hints --------------------------------------------------------------------------------


def test_record_hints_is_idempotent_and_looks_only_at_earlier_appeals(actors: Actors) -> None:
    earlier = new_appeal(actors)
    appeal = new_appeal(actors, title="东村路灯还是不亮", body="村口路灯坏了，上次反映过还没修。")
    later = new_appeal(actors)

    first = record_hints(appeal)
    second = record_hints(appeal)

    assert [(h.earlier_id, h.reason) for h in first] == [(earlier.pk, Reason.SAME_PERSON)]
    assert [(h.pk, h.earlier_id) for h in second] == [(h.pk, h.earlier_id) for h in first]
    assert DuplicateHint.objects.filter(appeal=appeal).count() == 1
    assert not DuplicateHint.objects.filter(earlier=later).exists()


def test_record_hints_drops_a_hint_that_no_longer_holds(actors: Actors) -> None:
    earlier = new_appeal(actors)
    appeal = new_appeal(actors)
    assert len(record_hints(appeal)) == 1
    rules.reject(earlier, actor=actors.dispatcher, reason=RejectReason.OUT_OF_SCOPE, note="不属于本区")
    assert record_hints(appeal) == []
    assert not DuplicateHint.objects.filter(appeal=appeal).exists()


# --- the inbox -----------------------------------------------------------------------------------


def _hinted_pair(actors: Actors, phone: str) -> tuple[Appeal, Appeal]:
    earlier = new_appeal(actors, citizen_phone=phone)
    appeal = new_appeal(actors, citizen_phone=phone)
    record_hints(appeal)
    return earlier, appeal


def test_inbox_marks_likely_duplicates_with_one_query_for_the_page(client: Client, actors: Actors) -> None:
    earlier, _appeal = _hinted_pair(actors, "13600000001")
    client.force_login(actors.dispatcher)
    client.get("/appeals/")  # warm the per-process caches (categories, units)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/appeals/", headers=EN).content.decode()
    assert f"Possible duplicate → {earlier.number}" in page
    for n in range(2, 6):
        _hinted_pair(actors, f"1360000000{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/appeals/", headers=EN).content.decode()
    assert page.count("Possible duplicate →") == 5  # the earlier of each pair is no duplicate
    assert len(many) == len(few)


def test_inbox_mark_hides_a_merged_earlier_appeal(client: Client, actors: Actors) -> None:
    earlier, appeal = _hinted_pair(actors, "13600000001")
    master = new_appeal(actors, title="其他", body="其他内容", citizen_phone="13100000000")
    rules.merge(earlier, into=master, actor=actors.dispatcher)
    assert marks(actors.dispatcher, [appeal.pk]) == {}


def test_inbox_filter_shows_only_possible_duplicates(client: Client, actors: Actors) -> None:
    earlier, appeal = _hinted_pair(actors, "13600000001")
    client.force_login(actors.dispatcher)
    page = client.get("/appeals/", {"state": "triage", "dups": "on"}, headers=EN).content.decode()
    assert f'href="/appeals/{appeal.number}/"' in page
    assert f'href="/appeals/{earlier.number}/">{earlier.number}</a><br>' not in page  # not a row of its own


def test_another_units_user_sees_no_hint_to_an_appeal_outside_their_scope(
    client: Client, actors: Actors
) -> None:
    earlier = dispatched(actors, citizen_phone="13600000001")  # 教育局's: outside 青山镇
    appeal = new_appeal(actors, citizen_phone="13600000001", village=actors.other_village)
    assert [h.earlier_id for h in record_hints(appeal)] == [earlier.pk]
    rules.dispatch(appeal, lead=actors.other_town, actor=actors.dispatcher)

    assert marks(actors.outsider, [appeal.pk]) == {}
    assert for_appeal(actors.outsider, appeal) == []
    assert marks(actors.dispatcher, [appeal.pk])[appeal.pk].number == earlier.number
    client.force_login(actors.outsider)
    page = client.get("/appeals/", {"state": ""}, headers=EN).content.decode()
    assert str(appeal.number) in page
    assert "Possible duplicate →" not in page
    assert str(earlier.number) not in page


# --- the appeal's page ---------------------------------------------------------------------------


def test_dispatcher_merges_from_the_appeals_page_after_a_confirmation(client: Client, actors: Actors) -> None:
    earlier, appeal = _hinted_pair(actors, "13600000001")
    client.force_login(actors.dispatcher)
    page = client.get(f"/appeals/{appeal.number}/", headers=EN).content.decode()
    assert "Likely duplicates" in page
    assert "The same caller again" in page
    assert "Words both use: 路灯" in page  # why, beside the new appeal
    # The hint links to the confirmation; it holds no form that merges.
    assert f'href="/appeals/{appeal.number}/duplicates/merge/?into={earlier.number}"' in page
    hints = page.split('id="duplicates"')[1].split("</section>")[0]
    assert f'action="/appeals/{appeal.number}/merge/"' not in hints

    confirm = client.get(
        f"/appeals/{appeal.number}/duplicates/merge/", {"into": str(earlier.number)}, headers=EN
    )
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert f"Merge {appeal.number} into {earlier.number}?" in text
    assert text.count("东村路灯坏了三个月") == 2  # both appeals, side by side
    assert f"{earlier.number} has no reply yet" in text
    assert f'action="/appeals/{appeal.number}/merge/"' in text
    appeal.refresh_from_db()
    assert appeal.state == State.RECEIVED  # asking changes nothing

    response = client.post(
        f"/appeals/{appeal.number}/merge/", {"version": appeal.version, "into": earlier.number}, headers=EN
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.MERGED
    assert appeal.master == earlier
    master_page = client.get(f"/appeals/{earlier.number}/", headers=EN).content.decode()
    assert "Merged into this appeal:" in master_page
    assert f'href="/appeals/{appeal.number}/"' in master_page


def test_the_confirmation_shows_the_reply_the_citizen_will_get(client: Client, actors: Actors) -> None:
    earlier = replied(actors, citizen_phone="13600000001")
    appeal = new_appeal(actors, citizen_phone="13600000001")
    client.force_login(actors.dispatcher)
    text = client.get(
        f"/appeals/{appeal.number}/duplicates/merge/", {"into": str(earlier.number)}, headers=EN
    ).content.decode()
    assert "The reply this citizen will get" in text
    assert "已更换路灯三盏，现已恢复照明。" in text


@pytest.mark.parametrize("into", ["", "abc", "99999999"])
def test_a_confirmation_for_no_visible_appeal_is_refused(client: Client, actors: Actors, into: str) -> None:
    appeal = new_appeal(actors)
    client.force_login(actors.dispatcher)
    response = client.get(f"/appeals/{appeal.number}/duplicates/merge/", {"into": into}, headers=EN)
    assert response.status_code == 400
    assert "No appeal you may see has this tracking number." in response.content.decode()


def test_only_who_may_merge_sees_the_confirmation(client: Client, actors: Actors) -> None:
    earlier, appeal = _hinted_pair(actors, "13600000001")
    client.force_login(actors.operator)
    response = client.get(f"/appeals/{appeal.number}/duplicates/merge/", {"into": str(earlier.number)})
    assert response.status_code == 403


def test_the_panel_is_only_for_dispatchers_while_the_appeal_waits(client: Client, actors: Actors) -> None:
    _earlier, appeal = _hinted_pair(actors, "13600000001")
    client.force_login(actors.operator)  # sees the appeal, may not dispatch it
    assert "Likely duplicates" not in client.get(f"/appeals/{appeal.number}/", headers=EN).content.decode()
    rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    client.force_login(actors.dispatcher)
    assert "Likely duplicates" not in client.get(f"/appeals/{appeal.number}/", headers=EN).content.decode()


def test_a_stale_one_click_merge_changes_nothing(client: Client, actors: Actors) -> None:
    earlier, appeal = _hinted_pair(actors, "13600000001")
    client.force_login(actors.dispatcher)
    response = client.post(
        f"/appeals/{appeal.number}/merge/", {"version": appeal.version + 1, "into": earlier.number}
    )
    assert response.status_code == 409
    appeal.refresh_from_db()
    assert appeal.state == State.RECEIVED


# --- intake --------------------------------------------------------------------------------------

INTAKE = "/appeals/intake/new/"


def call(actors: Actors, **changes: Any) -> dict[str, Any]:
    """The operator's form for a caller repeating the street-light complaint."""
    data: dict[str, Any] = {
        "channel": "hotline",
        "phone": "139 0000 1111",
        "name": "王大海",
        "kind": "complaint",
        "urgency": "ordinary",
        "title": "东村路灯还是不亮",
        "body": "上次反映的村口路灯还没修，晚上看不见路。",
        "township": "",
        "village": str(actors.village.pk),
        "address": "",
        "concerns_unit": "",
        "received_at": "",
    }
    data.update(changes)
    return data


def test_intake_hint_names_the_reason_and_offers_a_dispatcher_record_and_merge(
    client: Client, actors: Actors
) -> None:
    earlier = new_appeal(actors)
    typed = {k: v for k, v in call(actors).items() if k in ("title", "body", "phone", "village")}
    client.force_login(actors.dispatcher)
    page = client.get("/appeals/intake/similar/", typed, headers=EN).content.decode()
    assert "Likely duplicates" in page
    assert "The same caller again" in page
    assert f'name="merge_into" value="{earlier.number}"' in page
    client.force_login(actors.operator)  # may record, not merge
    page = client.get("/appeals/intake/similar/", typed, headers=EN).content.decode()
    assert "The same caller again" in page
    assert "merge_into" not in page


def test_intake_record_and_merge_stores_and_merges_in_one_go(client: Client, actors: Actors) -> None:
    earlier = new_appeal(actors)
    client.force_login(actors.dispatcher)
    response = client.post(INTAKE, {**call(actors), "merge_into": earlier.number}, headers=EN)
    assert response.status_code == 302
    page = client.get(INTAKE, headers=EN).content.decode()
    assert f"merged into {earlier.number}. Query code:" in page
    recorded = Appeal.objects.exclude(pk=earlier.pk).get()
    assert recorded.state == State.MERGED
    assert recorded.master == earlier
    assert recorded.citizen_phone == "13900001111"
    assert recorded.recorded_by == actors.dispatcher


@pytest.mark.parametrize(
    "problem",
    ["bad form", "rejected master", "unknown master", "not a dispatcher"],
)
def test_a_failed_record_and_merge_changes_nothing(client: Client, actors: Actors, problem: str) -> None:
    earlier = new_appeal(actors)
    data = {**call(actors), "merge_into": earlier.number}
    user = actors.dispatcher
    if problem == "bad form":
        data["title"] = ""
    elif problem == "rejected master":
        rules.reject(earlier, actor=actors.dispatcher, reason=RejectReason.OUT_OF_SCOPE, note="不属于本区")
    elif problem == "unknown master":
        data["merge_into"] = "99999999"
    else:
        user = actors.operator
    earlier.refresh_from_db()
    before = (earlier.state, earlier.version, Appeal.objects.count())
    client.force_login(user)

    response = client.post(INTAKE, data, headers=EN)

    assert response.status_code == 400
    earlier.refresh_from_db()
    assert (earlier.state, earlier.version, Appeal.objects.count()) == before
    page = response.content.decode()
    assert 'role="alert"' in page
    assert 'value="东村路灯还是不亮"' in page or problem == "bad form"  # what was typed stays


def test_intake_lookup_without_javascript_shows_the_duplicate_hint(client: Client, actors: Actors) -> None:
    earlier = new_appeal(actors)
    client.force_login(actors.dispatcher)
    response = client.post(INTAKE, {**call(actors), "lookup": "1"}, headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The same caller again" in page
    assert f'name="merge_into" value="{earlier.number}"' in page
    assert 'form="intake-form"' in page
    assert Appeal.objects.count() == 1
