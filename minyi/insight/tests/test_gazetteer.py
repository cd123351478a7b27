"""Where a hotspot is: only places of the district's gazetteer (units, addresses, the admin's list), the
place most of its messages share, or district-wide with its villages; and summaries of many opinions
(evaluation forms, symposia) stay out of citizens' hotspots unless they name the same problem.

No ``db`` fixture: pytest-django fails any query, so passing proves these need no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from minyi.insight import gazetteer
from minyi.insight.corpus import CorpusError
from minyi.insight.gazetteer import Gazetteer, Place, address_places
from minyi.insight.hotspots import Message, find_hotspots, place_of

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_default_timezone())

DISTRICT = Gazetteer(
    [
        Place("海城镇", gazetteer.TOWNSHIP, "海城镇"),
        Place("青山镇", gazetteer.TOWNSHIP, "青山镇"),
        Place("沙门镇", gazetteer.TOWNSHIP, "沙门镇"),
        *(
            Place(name, gazetteer.VILLAGE, township)
            for name, township in (
                ("东村", "海城镇"),
                ("西村", "海城镇"),
                ("南村", "青山镇"),
                ("北塘村", "青山镇"),
                ("岙里村", "沙门镇"),
                ("城东社区", "沙门镇"),
            )
        ),
        Place("幸福家园", gazetteer.ESTATE, "海城镇"),
        Place("朝阳路", gazetteer.ROAD, "海城镇"),
    ]
)


def message(
    number: int, title: str, body: str, *, places: tuple[str, ...] = (), summary: bool = False
) -> Message:
    return Message(
        id=f"m{number}",
        title=title,
        body=body,
        received_at=START + timedelta(hours=number),
        user=f"u{number}",
        places=places,
        summary=summary,
    )


def test_a_text_names_the_gazetteers_places_whole_and_as_people_write_them() -> None:
    assert DISTRICT.find("海城镇东村三组的路灯不亮") == ["海城镇", "东村"]
    # A township or village without its ending names it too; the longest name wins at each point.
    assert DISTRICT.find("北塘的渔港和沙门的码头") == ["北塘村", "沙门镇"]
    assert DISTRICT.find("城东社区门口") == ["城东社区"]
    # Nothing that is not in the gazetteer: no window of characters before 村 or 园.
    assert DISTRICT.find("村文化礼堂长期锁门村民不满，小区花园无人管") == []
    assert Gazetteer().find("东村") == []


def test_an_address_gives_its_estates_and_roads() -> None:
    found = address_places("海城镇朝阳路18号幸福家园3栋2单元")
    assert [(place.name, place.kind) for place in found] == [
        ("朝阳路", gazetteer.ROAD),
        ("幸福家园", gazetteer.ESTATE),
    ]
    assert address_places("") == []
    # A description is not a name.
    assert address_places("海城镇政府对面的小路") == []


def test_a_gazetteer_file_lists_places_and_refuses_an_unknown_kind(tmp_path: Path) -> None:
    good = tmp_path / "places.txt"
    good.write_text("# 本区地名\n翠湖花园小区,estate,海城镇\n东村,village\n\n菜市场\n", encoding="utf-8")
    places = gazetteer.read_file(good)
    assert places.find("翠湖花园小区停水，东村菜市场") == ["翠湖花园小区", "东村", "菜市场"]
    assert places.kind("翠湖花园小区") == gazetteer.ESTATE and places.township_of("翠湖花园小区") == "海城镇"
    bad = tmp_path / "bad.txt"
    bad.write_text("东村,hamlet\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="hamlet"):
        gazetteer.read_file(bad)


def test_the_place_is_the_most_specific_one_most_messages_share() -> None:
    members = [
        message(1, "幸福家园噪音扰民", "海城镇幸福家园旁工地夜间施工噪音大", places=("东村", "海城镇")),
        message(2, "幸福家园工地噪音", "幸福家园附近工地晚上施工", places=("东村", "海城镇")),
        message(3, "工地夜间施工", "东村工地晚上施工噪音很大", places=("东村", "海城镇")),
    ]
    assert place_of(members, DISTRICT) == ("幸福家园", False, ())
    # Without the estate's name in two of them, the village they share is the place.
    assert (
        place_of([*members[1:], message(4, "工地噪音", "晚上施工", places=("东村",))], DISTRICT)[0] == "东村"
    )


def test_a_topic_spread_over_many_villages_is_district_wide_with_its_villages() -> None:
    villages = ("东村", "西村", "南村", "北塘村", "岙里村", "城东社区")
    members = [
        message(
            number, "村文化礼堂长期锁门", f"{village}文化礼堂长期锁门，村民没有活动场所。", places=(village,)
        )
        for number, village in enumerate(villages)
    ]
    place, district_wide, listed = place_of(members, DISTRICT)
    assert (place, district_wide) == ("", True)
    assert sorted(listed) == sorted(villages)
    [spot] = find_hotspots(members, gazetteer=DISTRICT)
    assert spot.district_wide and set(spot.villages) == set(villages) and spot.place == ""
    # Two villages of one township: that township, with its two villages, not district-wide.
    pair = [
        message(1, "路灯不亮", "东村路灯不亮", places=("东村", "海城镇")),
        message(2, "路灯不亮", "西村路灯不亮", places=("西村", "海城镇")),
        message(3, "路灯不亮", "海城镇的路灯坏了", places=("海城镇",)),
    ]
    assert place_of(pair, DISTRICT) == ("海城镇", False, ("东村", "西村"))


LAMPS = [
    ("东村三组路灯不亮", "东村三组的路灯坏了一个多月，晚上出行不便，老人孩子走夜路很危险，请尽快修复路灯。"),
    ("东村路灯坏了没人修", "东村三组路灯坏了很久，晚上一片漆黑，村民出行不便，希望尽快修好路灯。"),
    ("反映东村三组路灯长期不亮", "东村三组至五组的路灯长期不亮，晚上出行不安全，请有关部门尽快修复路灯。"),
    ("东村晚上路灯不亮出行不便", "东村的路灯晚上不亮，村民夜间出行不便，请尽快安排维修路灯。"),
]
# Evaluation forms: one line per opinion of a meeting, on many topics, the lamps among them.
FORMS = [
    (
        "民主评议意见：海城镇",
        "群众评议意见汇总：一、东村路灯不亮；二、镇卫生院看病排队时间长；三、农村垃圾清运不及时；"
        "四、低保评定不公开；五、村道破损；六、镇干部作风要改进。",
    ),
    (
        "民主评议意见：海城镇东村",
        "评议意见：村务公开不及时；路灯维修慢；垃圾清运不及时；低保评定要公开；村道破损；干部作风有待改进。",
    ),
    (
        "民主评议意见：海城镇西村",
        "评议意见：村务公开不及时；垃圾清运不及时；低保评定不公开；村道破损严重；镇干部作风要改进。",
    ),
]


def test_evaluation_forms_stay_out_of_a_citizens_hotspot_and_make_none_alone() -> None:
    citizens = [message(number, title, body, places=("东村",)) for number, (title, body) in enumerate(LAMPS)]
    forms = [
        message(10 + number, title, body, places=("海城镇",), summary=True)
        for number, (title, body) in enumerate(FORMS)
    ]
    spots = find_hotspots([*citizens, *forms], gazetteer=DISTRICT)
    assert [set(spot.ids) for spot in spots] == [{m.id for m in citizens}]
    assert spots[0].place == "东村"
    # The forms alone, however alike, are no hotspot: their likeness is the form's own words.
    assert find_hotspots(forms * 2, gazetteer=DISTRICT) == []


def test_a_summary_that_names_the_same_problem_joins_it() -> None:
    citizens = [message(number, title, body, places=("东村",)) for number, (title, body) in enumerate(LAMPS)]
    same = message(
        20,
        "座谈会意见：东村三组路灯长期不亮",
        "座谈会上村民反映东村三组的路灯坏了一个多月，晚上出行不便，请尽快修复路灯。",
        summary=True,
    )
    [spot] = find_hotspots([*citizens, same], gazetteer=DISTRICT)
    assert "m20" in spot.ids
