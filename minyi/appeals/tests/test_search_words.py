"""Searching by words (issue 18, "Search"): the echo wall and the staff list cut a query into words with
the classifier's tokenizer, require every word, and refuse what they cannot search; the echo wall
counts, ranks and marks what it found. Real phrases from ../shared/data are tried when it is there."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from minyi.appeals import echo, filters, rules, words
from minyi.appeals.models import Appeal, EchoEntry
from minyi.appeals.tests.factories import in_progress, new_appeal
from minyi.testing import Actors, make_actors

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
ZH = {"accept-language": "zh-hans"}
ECHO = "/echo/"
DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "appeals"
REPLIES = DATA / "messages-with-replies.csv"

NOISE = "东村附近的加工厂每天晚上十点以后还在作业，噪音很大，影响休息。"


def publish(actors: Actors, title: str, body: str, reply: str = "已责令整改。", **fields: Any) -> Appeal:
    """An appeal answered by the education bureau and put on the echo wall."""
    appeal = in_progress(actors, title=title, body=body, **fields)
    draft = rules.draft_reply(appeal, actor=actors.handler_edu, body=reply, publish=True)
    rules.approve_reply(draft, actor=actors.head_edu)
    appeal.refresh_from_db()
    return appeal


def get(client: Client, url: str, headers: dict[str, str] = EN, **params: str) -> tuple[int, str]:
    response = client.get(url, params, headers=headers)
    return response.status_code, response.content.decode()


def titles(html: str) -> list[str]:
    """The titles of the echo wall's entries in the order shown, without their marks."""
    found = re.findall(r'<h2 id="echo-\d+"><a href="[^"]+">(.*?)</a></h2>', html)
    return [re.sub(r"</?mark>", "", title) for title in found]


# --- words ---------------------------------------------------------------------------------------


def test_a_query_is_cut_into_the_classifiers_words_and_stopwords_are_not_required() -> None:
    assert words.query_words("晚上噪音很大") == ["晚上", "噪音", "很大"]
    assert words.query_words("加工厂噪音") == ["加工厂", "噪音"]
    assert words.required(words.query_words("路灯的问题")) == ["路灯", "问题"]
    assert words.required(["的"]) == ["的"]  # nothing else: the stopword itself
    assert words.query_words("ＡＢＣ，路灯！") == ["abc", "路灯"]  # full width and case folded
    assert words.query_words("，。！") == []


def test_the_stored_words_hold_the_parts_of_long_words() -> None:
    stored = words.index_words("化工油漆加工厂", "噪音很大").split()
    assert {"加工厂", "加工", "工厂", "噪音"} <= set(stored)


# --- the echo wall ---------------------------------------------------------------------------------


@pytest.fixture
def noise(actors: Actors) -> dict[str, Appeal]:
    return {
        "factory": publish(actors, "工厂夜间噪音扰民", NOISE, "生态环境分局已责令其夜间停止高噪声作业。"),
        "far": publish(
            actors,
            "晚上出行不便",
            "村口晚上没有路灯，出行不便。附近工地白天施工噪音也很大，希望一并处理。",
        ),
        "music": publish(actors, "广场舞音乐太吵", "每天晚上广场舞的音乐声很大。"),
        "light": publish(actors, "东村路灯坏了", "村口路灯坏了，晚上出行不便。"),
    }


def test_a_phrase_finds_entries_that_hold_all_its_words_closest_first(
    noise: dict[str, Appeal], client: Client
) -> None:
    status, html = get(client, ECHO, q="晚上噪音很大")
    assert status == 200
    assert titles(html) == [
        "工厂夜间噪音扰民",
        "晚上出行不便",
    ]  # the phrase itself first; no 噪音 in the others
    assert "2 answers found" in html
    _status, html = get(client, ECHO, q="加工厂噪音")
    assert titles(html) == ["工厂夜间噪音扰民"]


def test_the_count_and_the_marks_are_in_chinese_and_escaped(actors: Actors, client: Client) -> None:
    publish(actors, "<b>路灯</b>坏了", "村口<script>alert(1)</script>路灯坏了", "已修复路灯。")
    status, html = get(client, ECHO, ZH, q="路灯坏了")
    assert status == 200
    assert "共 1 条" in html
    assert "&lt;b&gt;<mark>路灯</mark>&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<mark>坏</mark>" in html


def test_a_long_text_is_shown_around_the_words_found(actors: Actors, client: Client) -> None:
    publish(actors, "反映一个问题", "情况说明。" * 60 + "最后提一下，晚上噪音很大。")
    _status, html = get(client, ECHO, q="晚上噪音很大")
    question = re.search(r'<p class="echo-question">(.*?)<a ', html, re.S)
    assert question is not None
    assert question.group(1).startswith("…") and "<mark>噪音</mark>" in question.group(1)


def test_the_echo_wall_refuses_what_it_cannot_search(noise: dict[str, Appeal], client: Client) -> None:
    for q, message in (
        ("噪" * 51, "Ensure this value has at most 50 characters"),
        ("，。！", "Type a word to look for."),
        ("路灯 公交 低保 噪音 河道 垃圾 渔船 补贴 工资", "Search for at most 8 words at a time."),
    ):
        status, html = get(client, ECHO, q=q)
        assert status == 400, q
        assert message in html and 'role="alert"' in html
        assert titles(html) == [], q  # nothing rather than everything
    assert client.get(ECHO, {"q": "路灯\x00"}).status_code == 400  # NUL: refused before any view


def test_the_echo_wall_ranks_only_the_newest_matches(
    actors: Actors, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(4):
        publish(actors, f"第{i}号路灯问题", "路灯坏了。")
    monkeypatch.setattr(echo, "RANKED", 3)
    _status, html = get(client, ECHO, q="路灯")
    assert "More than 3 answers found; the newest 3 are ranked here" in html
    assert len(titles(html)) == 3


# --- the staff list --------------------------------------------------------------------------------


def numbers(html: str) -> set[str]:
    return set(re.findall(r"\b\d{16}\b", html))


def test_the_staff_list_finds_appeals_holding_every_word_and_by_number(
    actors: Actors, client: Client
) -> None:
    factory = new_appeal(actors, title="工厂夜间噪音扰民", body=NOISE)
    music = new_appeal(actors, title="广场舞音乐太吵", body="每天晚上广场舞的音乐声很大。")
    light = new_appeal(actors, title="路灯不亮", body="村口路灯坏了。")
    client.force_login(actors.dispatcher)
    url = reverse("appeals:list")
    for q, found in (
        ("晚上噪音很大", {factory}),
        ("加工厂噪音", {factory}),
        ("工厂", {factory}),  # a part of 加工厂
        ("晚上 很大", {factory, music}),
        ("路灯", {light}),
        ("鸽子", set()),
        (light.number or "", {light}),
    ):
        status, html = get(client, url, q=q, state="")
        assert status == 200, q
        assert numbers(html) & {a.number for a in (factory, music, light)} == {a.number for a in found}, q


def test_corrected_text_is_searched_by_its_new_words(actors: Actors, client: Client) -> None:
    appeal = new_appeal(actors, title="路灯不亮", body="村口路灯坏了。")
    rules.correct(
        appeal,
        actor=actors.dispatcher,
        expected_version=appeal.version,
        title="自来水发黄",
        body="三组自来水浑浊。",
    )
    client.force_login(actors.dispatcher)
    assert str(appeal.number) in get(client, reverse("appeals:list"), q="自来水", state="")[1]
    assert str(appeal.number) not in get(client, reverse("appeals:list"), q="路灯", state="")[1]


def test_the_staff_list_refuses_what_it_cannot_search(actors: Actors, client: Client) -> None:
    appeal = new_appeal(actors)
    client.force_login(actors.dispatcher)
    url = reverse("appeals:list")
    for q in ("路" * 51, "，。！", "路灯 公交 低保 噪音 河道 垃圾 渔船 补贴 工资"):
        status, html = get(client, url, q=q, state="")
        assert status == 200 and 'role="alert"' in html, q
        assert str(appeal.number) not in html, q  # nothing rather than everything
    assert client.get(url, {"q": "路灯\x00"}).status_code == 400


@pytest.mark.parametrize("probe", [1000, 1])
def test_common_and_rare_words_find_the_same_appeals_whichever_way_is_taken(
    actors: Actors, client: Client, monkeypatch: pytest.MonkeyPatch, probe: int
) -> None:
    """PostgreSQL chooses between the words index and walking the newest appeals (filters.text_match),
    after a probe of the index with fewer matches than it reads, or more; the answer is one."""
    monkeypatch.setattr(filters, "PROBE", probe)
    both = [new_appeal(actors, title=f"第{i}号 工厂噪音", body=NOISE) for i in range(2)]
    new_appeal(actors, title="路灯不亮", body="村口路灯坏了。")
    client.force_login(actors.dispatcher)
    _status, html = get(client, reverse("appeals:list"), q="晚上噪音很大", state="")
    assert numbers(html) == {a.number for a in both}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index only")
def test_postgresql_finds_words_through_the_gin_index(actors: Actors) -> None:
    new_appeal(actors, title="工厂夜间噪音扰民", body=NOISE)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        query = Appeal.objects.order_by().filter(search_words__all_words=("噪音", "晚上")).values("pk").query
        sql, params = query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "appeal_search_words" in plan, plan


# --- real messages (../shared/data) -----------------------------------------------------------------


def real_rows(wanted: set[str]) -> list[dict[str, str]]:
    if not REPLIES.exists():
        pytest.skip(f"the public data set is not at {REPLIES} (see docs/data.md)")
    with REPLIES.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["id"] in wanted]


#: Messages with replies about noise at night (and one about a factory), and two about other things.
REAL_IDS = {"3747", "17053", "25002", "27485", "38112", "92526", "2549", "80399"}


def test_real_phrases_find_real_published_answers(actors: Actors, client: Client) -> None:
    rows = real_rows(REAL_IDS)
    assert len(rows) == len(REAL_IDS)
    for row in rows:
        publish(actors, row["title"][:100], row["body"][:3000], row["reply"][:3000])
    client.force_login(actors.dispatcher)
    for q in ("晚上噪音很大", "加工厂噪音", "噪音扰民"):
        wanted = words.required(words.query_words(q))
        expected = {
            entry.title_masked
            for entry in EchoEntry.objects.all()
            if all(word in entry.search_text for word in wanted)
        }
        assert expected, q  # the data set holds such answers
        _status, html = get(client, ECHO, q=q)
        assert set(titles(html)) == expected, q
        assert f"{len(expected)} answer" in html
    _status, html = get(client, ECHO, q="加工厂噪音")
    assert any("塑料厂" in title for title in titles(html))  # 38112: its answer names the 加工厂
    # The staff list finds the same appeals by the words of their title and text (not the reply).
    for q in ("晚上噪音很大", "噪音扰民", "工地噪音"):
        wanted = words.required(words.query_words(q))
        expected = {
            str(a.number) for a in Appeal.objects.all() if all(w in f"{a.title} {a.body}" for w in wanted)
        }
        assert expected, q
        _status, html = get(client, reverse("appeals:list"), q=q, state="")
        assert numbers(html) == expected, q


# --- in a browser, phone and desk -----------------------------------------------------------------

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_phrase_search_is_counted_and_marked_on_a_phone_and_a_desk(page: Any, live_server: Any) -> None:
    actors = make_actors()
    publish(actors, "工厂夜间噪音扰民", NOISE * 4, "生态环境分局已责令其夜间停止高噪声作业。")
    publish(actors, "晚上出行不便", "村口晚上没有路灯。附近工地白天施工噪音也很大。")
    for width in (360, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/echo/")
        page.locator("#id_q").fill("晚上噪音很大")
        page.keyboard.press("Enter")
        page.wait_for_url("**/echo/?q=*")
        assert page.locator(".echo-count").inner_text() == "共 2 条"
        assert page.locator(".echo-entry h2").first.inner_text() == "工厂夜间噪音扰民"
        assert page.locator(".echo-entry mark").count() >= 6
        assert page.evaluate(FITS), width
