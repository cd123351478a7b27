"""The reply check: what a unit head sees before approving, and the report on real replies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from minyi.insight.replies import report, score_reply, working_days

TITLE = "东村三组路灯坏了三个月"
BODY = "东村三组村口的路灯坏了三个月，晚上出行很不方便，请尽快修好。"
GOOD = (
    "您好！经核实，东村三组村口路灯因线路老化损坏。根据《海滨区城乡路灯管理办法》第八条，村内路灯由镇政府负责"
    "维护。海城镇政府已安排电力维修队于11月20日更换路灯3盏并修复线路，目前夜间照明恢复正常。"
)


def test_a_complete_reply_scores_high_and_names_nothing_missing() -> None:
    score = score_reply(TITLE, BODY, GOOD)
    assert score.overall >= 85 and not score.weak and score.flags == ()
    assert score.elements == {"finding": True, "action": True, "actor": True, "time": True, "basis": True}
    assert score.level == "good"


def test_an_acknowledgement_is_weak_and_says_what_is_missing() -> None:
    score = score_reply(TITLE, BODY, "网友：您好！留言已收悉。")
    assert score.overall == 0 and score.weak and score.level == "weak"
    assert set(score.flags) == {"short", "relevance", "action", "finding", "actor", "time", "basis"}
    assert len(score.reasons()) == 7


def test_quoting_the_appeal_s_title_back_is_not_relevance() -> None:
    echo = f"您好！您反映的“{TITLE}”的问题我们已收悉，感谢您对我们工作的支持。"
    assert "relevance" in score_reply(TITLE, BODY, echo).flags


def test_measures_with_set_hours_and_figures_are_not_called_missing() -> None:
    # The reply of issue 17: it lists measures with their hours and numbers; none of them is "missing".
    reply = (
        "您好！经核实，学校门口上下学时段车辆拥堵。区交警大队已在每天7:20-8:00、16:30-17:30于校门口设置护学岗，"
        "城东街道已在学校东侧新划20个临时停车位，并安排专人引导家长车辆停放。"
    )
    score = score_reply("学校门口接送孩子太堵", "每天上下学校门口堵得水泄不通，希望管一管。", reply)
    assert not {"action", "time", "actor", "finding"} & set(score.flags)


def test_the_reply_s_signing_date_is_not_a_time_limit() -> None:
    reply = "网友“UU008”您好！您的留言已收悉。我们将认真研究。感谢您的支持！2019年5月9日"
    score = score_reply(TITLE, BODY, reply)
    assert "time" in score.flags


def test_advice_to_the_citizen_is_not_the_office_s_action() -> None:
    score = score_reply(TITLE, BODY, "您好！建议您及时向所在社区反映，由社区联系电力部门处理。")
    assert "action" in score.flags


def test_working_days_skip_the_national_day_holiday() -> None:
    # 1-7 October 2019 were holidays; the 8th was a working day.
    assert working_days(dt.date(2019, 9, 30), dt.date(2019, 10, 8)) == 1


@pytest.mark.django_db
def test_the_unit_head_sees_the_check_before_approving(client: Any, actors: Any) -> None:
    from minyi.appeals import rules
    from minyi.appeals.tests.factories import in_progress

    appeal = in_progress(actors)
    rules.draft_reply(appeal, actor=actors.handler_edu, body="已收悉。")
    client.force_login(actors.head_edu)
    page = client.get(f"/appeals/{appeal.number}/", headers={"accept-language": "en"}).content.decode()
    assert "Weak reply: " in page and "It gives no date or time limit." in page


def test_report_on_the_real_replies(shared_data: Path) -> None:
    figures: dict[str, Any] = report(str(shared_data / "appeals" / "messages-with-replies.csv"))
    assert figures["replies"] > 2000
    assert sum(figures["histogram"].values()) == figures["replies"]
    assert 0 < figures["weak"] < figures["replies"]
    assert 1 <= figures["response_working_days"]["median"] <= 30
    assert figures["weakest"][0]["overall"] <= figures["strongest"][0]["overall"]


#: Targets of the labelled replies (docs/reply-check.md): "missing" must be right at least this often, and
#: find at least this share of what is missing, over all 260 labelled replies. Where the check does not
#: reach the target of 0.85 yet, the floor is what it reaches today, so that a change that makes it worse
#: fails.
MISSING_PRECISION = {"finding": 0.83, "action": 0.84, "actor": 0.85, "time": 0.85, "basis": 0.85}
MISSING_RECALL = {"finding": 0.65, "action": 0.70, "actor": 0.76, "time": 0.85, "basis": 0.85}


def test_the_check_agrees_with_the_hand_labelled_replies(shared_data: Path) -> None:
    from minyi.insight.replies import label_figures

    figures = label_figures(shared_data / "appeals" / "messages-with-replies.csv")
    sizes = {part: figures[part]["replies"] for part in ("rules", "check", "fresh", "all")}
    assert sizes == {"rules": 100, "check": 100, "fresh": 60, "all": 260}
    for name, element in figures["all"]["elements"].items():
        assert element["missing"]["precision"] >= MISSING_PRECISION[name], (name, element)
        assert element["missing"]["recall"] >= MISSING_RECALL[name], (name, element)
