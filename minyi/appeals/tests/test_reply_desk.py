"""The appeal page while the reply is written: the live reply check (score as a level, what is missing)
and the redraft after the unit head sent a draft back (docs/reply-check.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from minyi.appeals import rules
from minyi.appeals.tests.factories import in_progress
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

ZH = {"accept-language": "zh-hans"}
WEAK = "已收悉，我们会研究。"
GOOD = (
    "您好！经核实，东村三组村口路灯因线路老化损坏。根据《海滨区城乡路灯管理办法》第八条，村内路灯由镇政府负责"
    "维护。海城镇政府已安排电力维修队于11月20日更换路灯3盏并修复线路，目前夜间照明恢复正常。"
)


def _check(client: Any, number: str | None, body: str) -> Any:
    url = f"/appeals/{number}/reply-check/"
    return client.post(url, {"body": body}, headers={**ZH, "hx-request": "true"})


def test_the_handler_sees_the_level_and_what_is_missing_as_they_type(client: Any, actors: Actors) -> None:
    appeal = in_progress(actors)
    client.force_login(actors.handler_edu)
    page = client.get(f"/appeals/{appeal.number}/", headers=ZH).content.decode()
    # The draft's text box asks for the check half a second after typing stops.
    box = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", page)
    assert box is not None and f'hx-post="/appeals/{appeal.number}/reply-check/"' in box.group(0)
    assert 'hx-trigger="input changed delay:500ms"' in box.group(0)

    weak = _check(client, appeal.number, WEAK)
    assert weak.status_code == 200
    text = weak.content.decode()
    assert "level-weak" in text and "需补充" in text and "未说明调查核实情况。" in text

    good = _check(client, appeal.number, GOOD).content.decode()
    assert "level-good" in good and ">好<" in good and "未说明" not in good


def test_an_empty_text_gets_a_hint_not_a_score(client: Any, actors: Actors) -> None:
    appeal = in_progress(actors)
    client.force_login(actors.handler_edu)
    answer = _check(client, appeal.number, "   ").content.decode()
    assert "reply-level" not in answer and "检查" in answer


def test_only_who_may_draft_or_approve_has_a_text_checked(client: Any, actors: Actors) -> None:
    appeal = in_progress(actors)
    client.force_login(actors.dispatcher)  # sees the appeal, may not draft its reply
    assert _check(client, appeal.number, GOOD).status_code == 403
    client.force_login(actors.handler_housing)  # another unit: the appeal is not shown at all
    assert _check(client, appeal.number, GOOD).status_code == 404
    client.force_login(actors.handler_edu)
    assert client.get(f"/appeals/{appeal.number}/reply-check/").status_code == 405
    rules.draft_reply(appeal, actor=actors.handler_edu, body=WEAK)
    assert _check(client, appeal.number, GOOD).status_code == 403  # one draft waits: nothing to draft now
    client.force_login(actors.head_edu)  # the head may correct the waiting draft, and sees the check
    assert _check(client, appeal.number, GOOD).status_code == 200


def test_the_check_is_rate_limited_per_user(client: Any, actors: Actors, settings: Any) -> None:
    settings.MINYI_RATE_LIMITS = {**settings.MINYI_RATE_LIMITS, "reply_check": (2, 60)}
    cache.clear()
    appeal = in_progress(actors)
    client.force_login(actors.handler_edu)
    assert [_check(client, appeal.number, GOOD).status_code for _ in range(3)] == [200, 200, 429]
    assert "请稍候" in _check(client, appeal.number, GOOD).content.decode()
    cache.clear()


def test_the_redraft_starts_from_the_sent_back_draft_with_the_note(client: Any, actors: Actors) -> None:
    appeal = in_progress(actors)
    first = rules.draft_reply(appeal, actor=actors.handler_edu, body="路灯已修好。")
    rules.send_back_reply(first, actor=actors.head_edu, note="请写明更换了几盏、哪天修好的。")
    client.force_login(actors.handler_edu)
    page = client.get(f"/appeals/{appeal.number}/", headers=ZH).content.decode()
    panel = page[page.index('id="act-draft_reply"') :]
    panel = panel[: panel.index("</details>")]
    assert " open" in page[page.index('id="act-draft_reply"') - 60 : page.index('id="act-draft_reply"') + 30]
    assert re.search(r"<textarea[^>]*>\s*路灯已修好。</textarea>", panel)
    assert "请写明更换了几盏、哪天修好的。" in panel and "单位负责人退回" in panel
    # The page shows the check of the text it starts from, before any typing.
    assert "level-weak" in panel

    # Once the redraft is submitted, the next draft starts empty again.
    rules.draft_reply(appeal, actor=actors.handler_edu, body=GOOD)
    assert rules.sent_back_draft(appeal) is None
