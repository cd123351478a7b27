"""The echo wall (回音壁): what gets published, masked, found, filtered, paged and taken down."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minyi.appeals import categories, echo, rules
from minyi.appeals.choices import FollowupBy, ReplyState, Satisfaction
from minyi.appeals.models import Appeal, Category, EchoEntry, Reply
from minyi.appeals.tests.factories import in_progress, lead_assignment
from minyi.appeals.tests.test_public_pages import form_data
from minyi.audit.models import AuditEvent
from minyi.testing import Actors, make_actors

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
ECHO = "/echo/"


def answer(
    actors: Actors, appeal: Appeal, body: str = "已更换路灯三盏，现已恢复照明。", *, publish: bool = True
) -> Reply:
    """The handler drafts, the unit head approves (approve_reply tells the echo wall)."""
    reply = rules.draft_reply(appeal, actor=actors.handler_edu, body=body, publish=publish)
    rules.approve_reply(reply, actor=actors.head_edu)
    reply.refresh_from_db()
    return reply


def published(actors: Actors, reply: str = "已更换路灯三盏，现已恢复照明。", **fields: Any) -> Appeal:
    appeal = in_progress(actors, **fields)
    answer(actors, appeal, reply)
    appeal.refresh_from_db()
    return appeal


def page_text(client: Client, url: str = ECHO, **params: str) -> str:
    response = client.get(url, params, headers=EN)
    assert response.status_code == 200
    return response.content.decode()


# --- publishing and masking ----------------------------------------------------------------------


def test_publishing_masks_phones_id_numbers_and_the_citizens_name_inside_the_texts(
    actors: Actors, client: Client
) -> None:
    appeal = published(
        actors,
        reply="王大海您好：经核实，已于本周修复东村三组18号门前路灯。如有问题请拨打139-0000-1111回访。",
        title="王大海反映路灯问题",
        body="我是王大海，住东村三组18号，电话13900001111，身份证330102199001011234，"
        "邮箱wangdahai@example.com，村口路灯坏了三个月。",
        address="东村三组18号",
    )
    for url in (ECHO, reverse("public:echo_detail", args=[appeal.number])):
        html = page_text(client, url)
        for secret in ("王大海", "13900001111", "139-0000-1111", "199001011234", "wangdahai", "三组18号"):
            assert secret not in html, (url, secret)
        assert "王**" in html
    detail = page_text(client, reverse("public:echo_detail", args=[appeal.number]))
    assert "139****1111" in detail  # the phone is masked, not removed: readers see a number was given
    assert "330102********1234" in detail
    assert "村口路灯坏了三个月" in detail  # the rest of the text is intact
    assert "区教育局" in detail  # the answering unit


def test_masking_also_catches_the_citizens_own_number_and_room_numbers_but_keeps_dates() -> None:
    appeal = Appeal(citizen_name="李四", citizen_phone="6688123", address="")
    masked = echo.mask_for_public("李四请回电6688123，住3栋2单元501室，3月5号来访。", appeal)
    assert "6688123" not in masked and "李四" not in masked and "501室" not in masked
    assert "3月5号" in masked


def test_replies_not_chosen_for_publication_or_not_yet_approved_never_appear(
    actors: Actors, client: Client
) -> None:
    private = in_progress(actors, title="不公开的诉求")
    answer(actors, private, publish=False)
    waiting = in_progress(actors, title="尚未审批的诉求")
    draft = rules.draft_reply(waiting, actor=actors.handler_edu, body="草稿答复", publish=True)
    assert echo.publish_for_reply(draft) is None  # submitted, not approved
    with pytest.raises(echo.EchoError):
        echo.publish(waiting, draft)
    shown = published(actors, title="公开的诉求")
    html = page_text(client)
    assert "公开的诉求" in html
    assert "不公开的诉求" not in html and "尚未审批的诉求" not in html and "草稿答复" not in html
    assert client.get(reverse("public:echo_detail", args=[private.number])).status_code == 404
    assert client.get(reverse("public:echo_detail", args=[waiting.number])).status_code == 404
    assert client.get(reverse("public:echo_detail", args=[shown.number])).status_code == 200


def test_publishing_is_audited_and_answering_again_updates_the_one_entry(
    actors: Actors, client: Client
) -> None:
    appeal = published(actors, reply="第一次答复：已安排维修。")
    assert AuditEvent.objects.filter(action="echo.published", object_id=str(appeal.pk)).count() == 1
    rules.follow_up(appeal, result=Satisfaction.UNSATISFIED, by=FollowupBy.CITIZEN)  # reopened
    rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    appeal.refresh_from_db()
    answer(actors, appeal, "第二次答复：路灯已全部更换。")
    entry = EchoEntry.objects.get()
    assert "第二次答复" in entry.reply_masked
    html = page_text(client, reverse("public:echo_detail", args=[appeal.number]))
    assert "第二次答复" in html and "第一次答复" not in html


def test_a_later_answer_not_chosen_for_publication_takes_the_old_one_down(actors: Actors) -> None:
    appeal = published(actors, reply="第一次答复：已安排维修。")
    rules.follow_up(appeal, result=Satisfaction.UNSATISFIED, by=FollowupBy.CITIZEN)
    rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    appeal.refresh_from_db()
    answer(actors, appeal, "第二次答复，不公开。", publish=False)
    assert not EchoEntry.objects.exists()
    assert AuditEvent.objects.filter(action="echo.superseded", object_id=str(appeal.pk)).exists()


# --- search --------------------------------------------------------------------------------------


@pytest.fixture
def three(actors: Actors) -> dict[str, Appeal]:
    return {
        "light": published(actors, title="东村路灯坏了三个月", body="村口路灯坏了，晚上出行不便。"),
        "noise": published(
            actors,
            title="工厂夜间噪音扰民",
            body="加工厂每晚十点后作业，噪音很大。",
            reply="已责令夜间停止作业。",
        ),
        "bus": published(
            actors, title="公交班次太少", body="到城区一小时才一班车。", reply="已协调增加班次。"
        ),
    }


def test_search_finds_a_chinese_substring_of_three_or_more_characters(
    three: dict[str, Appeal], client: Client
) -> None:
    html = page_text(client, q="路灯坏了")
    assert "东村路灯坏了三个月" in html
    assert "工厂夜间噪音扰民" not in html and "公交班次太少" not in html
    html = page_text(client, q="增加班次")  # found in the reply
    assert "公交班次太少" in html and "东村路灯坏了三个月" not in html


def test_search_finds_two_and_one_character_words(three: dict[str, Appeal], client: Client) -> None:
    html = page_text(client, q="噪音")
    assert "工厂夜间噪音扰民" in html
    assert "东村路灯坏了三个月" not in html and "公交班次太少" not in html
    html = page_text(client, q="噪")
    assert "工厂夜间噪音扰民" in html and "公交班次太少" not in html


def test_a_two_character_word_is_found_the_same_whichever_way_is_taken(three: dict[str, Appeal]) -> None:
    by_like = set(EchoEntry.objects.filter(search_text__contains="噪音"))
    assert {e.appeal for e in by_like} == {three["noise"]}
    if connection.vendor == "postgresql":
        assert set(EchoEntry.objects.filter(echo._bigram_contains("噪音"))) == by_like
        assert set(EchoEntry.objects.filter(echo._newest_containing("噪音"))) == by_like
        assert not EchoEntry.objects.filter(echo._bigram_contains("鸽子")).exists()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE appeals_echoentry")
        assert echo._common_bigram("default", "噪音")  # in a third of the entries: the ordered LIKE scan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes only")
def test_postgresql_serves_chinese_terms_from_the_trigram_and_bigram_indexes(
    three: dict[str, Appeal],
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(show_trgm('路灯坏了'))")
        assert cursor.fetchone()[0] > 0  # the locale lets pg_trgm see CJK characters as word characters
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner show its index
        cursor.execute("SET LOCAL enable_indexscan = off")
        for where, index in (
            (Q(search_text__contains="路灯坏了"), "echo_search_trgm"),
            (echo._bigram_contains("噪音"), "echo_search_bigrams"),
        ):
            sql, params = EchoEntry.objects.order_by().filter(where).values("pk").query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan
    assert [e.appeal for e in echo.search(EchoEntry.objects.all(), "路灯坏了")] == [three["light"]]


def test_search_terms_all_have_to_match_and_full_width_text_is_normalised(
    three: dict[str, Appeal], client: Client
) -> None:
    assert "东村路灯坏了三个月" in page_text(client, q="路灯 晚上")
    assert "东村路灯坏了三个月" not in page_text(client, q="路灯 噪音")
    html = page_text(client, q="路灯，晚上")  # punctuation splits terms too
    assert "东村路灯坏了三个月" in html


def test_nothing_found_says_so(three: dict[str, Appeal], client: Client) -> None:
    html = page_text(client, q="不存在的内容")
    assert "No published answer contains these words." in html


@pytest.mark.parametrize(
    "q", ['"路灯', "路灯 OR 噪音", "路灯*", "NEAR(路灯)", "100%", "a_b", "'; DROP TABLE x; --"]
)
def test_search_syntax_and_wildcards_are_taken_literally(
    three: dict[str, Appeal], client: Client, q: str
) -> None:
    html = page_text(client, q=q)
    assert ("东村路灯坏了三个月" in html) == (q in ('"路灯', "路灯*"))
    assert "公交班次太少" not in html


def test_fts_operators_inside_a_term_are_quoted(three: dict[str, Appeal]) -> None:
    assert not echo.search(EchoEntry.objects.all(), "路灯坏了 AND").exists()
    assert list(EchoEntry.objects.filter(echo._term_filter("default", '路灯"坏'))) == []


def test_search_cannot_find_masked_personal_data(actors: Actors, client: Client) -> None:
    published(actors, body="我叫王大海，电话13900001111，路灯坏了。")
    assert "No published answer" not in page_text(client, q="路灯坏了")
    assert "No published answer" in page_text(client, q="13900001111")
    assert "No published answer" in page_text(client, q="王大海")


# --- filters, paging, queries ----------------------------------------------------------------------


def test_filters_by_level_one_category_including_its_subcategories_and_by_township(
    actors: Actors, client: Client
) -> None:
    categories.load_tree([("城乡建设", "市政设施", "路灯"), ("环境保护", "噪声扰民", "")])
    lamp = Category.objects.get(name="路灯")
    noise = Category.objects.get(name="噪声扰民")
    published(actors, title="东村路灯坏了", category=lamp)
    published(actors, title="青山镇工厂噪音", category=noise, village=actors.other_village)
    building = Category.objects.get(name="城乡建设")
    html = page_text(client, category=building.code)
    assert "东村路灯坏了" in html and "青山镇工厂噪音" not in html
    html = page_text(client, township=actors.other_town.code)
    assert "青山镇工厂噪音" in html and "东村路灯坏了" not in html
    html = page_text(client, township=actors.other_town.code, category=building.code)
    assert "青山镇工厂噪音" not in html and "东村路灯坏了" not in html


def test_an_unknown_filter_value_is_reported_and_the_page_still_answers(
    actors: Actors, client: Client
) -> None:
    published(actors, title="东村路灯坏了")
    response = client.get(ECHO, {"category": "nonsense", "q": "路灯"}, headers=EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "Select a valid choice" in html
    assert "东村路灯坏了" in html  # the valid search still applies


def _publish_many(actors: Actors, count: int, **fields: Any) -> list[Appeal]:
    return [published(actors, title=f"第{i:02d}号诉求路灯", **fields) for i in range(count)]


def test_the_list_does_not_query_per_row(actors: Actors, client: Client) -> None:
    categories.load_tree([("城乡建设", "市政设施", "")])
    lamp = Category.objects.get(name="市政设施")
    building = Category.objects.get(name="城乡建设")
    _publish_many(actors, 2, category=lamp)
    client.get(ECHO)  # warm up (session, translations)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            html = page_text(client, q="路灯", category=building.code, township=actors.town.code)
        return len(queries), html.count('class="card echo-entry"')

    few, shown = count()
    assert shown == 2
    _publish_many(actors, 6, category=lamp)
    assert count() == (few, 8)


def test_paging_shows_twenty_per_page_newest_first_without_a_total(actors: Actors, client: Client) -> None:
    appeals = _publish_many(actors, 21)
    first = page_text(client)
    assert first.count('class="card echo-entry"') == 20
    assert "第20号诉求路灯" in first and "第00号诉求路灯" not in first  # newest first
    assert 'rel="next"' in first and 'rel="prev"' not in first and "Page 1" in first
    second = page_text(client, page="2")
    assert second.count('class="card echo-entry"') == 1 and "第00号诉求路灯" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    searched = page_text(client, q="诉求路灯", page="2")  # paging keeps the search
    assert "第00号诉求路灯" in searched
    assert page_text(client, page="nonsense").count('class="card echo-entry"') == 20
    assert len(appeals) == 21


def test_the_detail_page_is_404_for_an_appeal_that_is_not_published(actors: Actors, client: Client) -> None:
    appeal = in_progress(actors)
    assert client.get(reverse("public:echo_detail", args=[appeal.number])).status_code == 404
    assert client.get(reverse("public:echo_detail", args=["nonexistent"])).status_code == 404


# --- taking down ---------------------------------------------------------------------------------


def test_dispatcher_takes_an_entry_down_and_it_is_audited(actors: Actors, client: Client) -> None:
    appeal = published(actors, title="东村路灯坏了")
    detail = reverse("public:echo_detail", args=[appeal.number])
    assert "Take off the echo wall" not in page_text(client, detail)  # not offered to the public
    client.force_login(actors.dispatcher)
    assert "Take off the echo wall" in page_text(client, detail)
    response = client.post(
        reverse("public:echo_unpublish", args=[appeal.number]), {"reason": "涉及隐私"}, headers=EN
    )
    assert response.status_code == 302
    assert client.get(detail).status_code == 404
    assert "东村路灯坏了" not in page_text(client)
    event = AuditEvent.objects.get(action="echo.unpublished")
    assert event.actor == actors.dispatcher and event.detail["reason"] == "涉及隐私"
    assert Appeal.objects.filter(pk=appeal.pk).exists()  # only the publication is gone
    with pytest.raises(echo.EchoError):
        echo.unpublish(appeal, actor=actors.dispatcher)


def test_the_public_and_other_units_cannot_take_an_entry_down(actors: Actors, client: Client) -> None:
    appeal = published(actors)
    url = reverse("public:echo_unpublish", args=[appeal.number])
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(actors.outsider)
    assert client.post(url).status_code == 403
    assert EchoEntry.objects.filter(appeal=appeal).exists()


def test_reply_states_are_what_the_wall_relies_on(actors: Actors) -> None:
    published(actors)
    entry = EchoEntry.objects.select_related("reply").get()
    assert entry.reply is not None and entry.reply.state == ReplyState.SENT


# --- in a phone-sized browser --------------------------------------------------------------------

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_echo_wall_is_searched_and_read_by_keyboard_on_a_phone(page: Any, live_server: Any) -> None:
    actors = make_actors()
    published(actors, title="东村路灯坏了三个月", body="村口路灯坏了，晚上出行很不方便。" * 8)
    published(actors, title="公交班次太少", body="到城区一小时才一班车。", reply="已协调增加班次。")
    page.goto(f"{live_server.url}/echo/")
    assert page.evaluate(FITS)
    assert page.locator(".echo-entry").count() == 2
    page.locator("#id_q").focus()
    page.keyboard.type("路灯")
    page.keyboard.press("Enter")
    page.wait_for_url("**/echo/?q=*")
    assert page.locator(".echo-entry").count() == 1
    assert page.evaluate(FITS)
    page.locator(".echo-entry h2 a").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/echo/*/")
    assert page.evaluate(FITS)
    assert "村口路灯坏了，晚上出行很不方便。" * 8 in page.locator(".reply-body").first.inner_text()


# --- bidirectional control characters (issue 16, item 11) -------------------------------------------

RLO, PDF, LRI, PDI, RLM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200f"
BIDI = (RLO, PDF, LRI, PDI, RLM, "\u202a", "\u202b", "\u202d", "\u2067", "\u2068", "\u200e")


def test_citizens_text_loses_direction_overrides_at_intake(actors: Actors, client: Client) -> None:
    cache.clear()  # the submission limit counts per address
    data = form_data(actors, title=f"路灯{RLO}坏了{PDF}三个月", body=f"东村{LRI}三组{PDI}村口路灯{RLM}坏了。")
    assert client.post("/appeal/new/", data, headers=EN).status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.title, appeal.body) == ("路灯坏了三个月", "东村三组村口路灯坏了。")


def test_echo_wall_never_shows_direction_overrides_even_in_text_stored_before(
    actors: Actors, client: Client
) -> None:
    appeal = published(actors, reply=f"已更换{RLO}路灯三盏{PDF}。")
    # Text published before intake stripped them (or written by hand into the table) keeps them stored.
    EchoEntry.objects.filter(appeal=appeal).update(
        title_masked=f"{RLO}灯路{PDF}坏了", question_masked=f"村口{LRI}路灯{PDI}", unit_name=f"区教育局{RLM}"
    )
    entry = EchoEntry.objects.get(appeal=appeal)
    assert entry.reply_masked == "已更换路灯三盏。"  # stripped when published
    for url in (ECHO, reverse("public:echo_detail", args=[appeal.number])):
        html = page_text(client, url)
        assert not [c for c in BIDI if c in html], url
        assert "灯路坏了" in html and "村口路灯" in html and "区教育局" in html
