"""Hotspots: clusters of messages about one concentrated problem, ranked by heat, from messages or a CSV.

No ``db`` fixture anywhere: pytest-django fails any query, so passing proves the finder needs no database."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from minyi.insight import gazetteer, hotspots
from minyi.insight.corpus import CorpusError
from minyi.insight.gazetteer import Gazetteer, Place
from minyi.insight.hotspots import Message, find_hotspots, hotspots_json, read_csv, run_cli

# The project's time zone (settings.TIME_ZONE), in which times without an offset are read.
LOCAL_TIME = timezone.get_default_timezone()
START = datetime(2019, 11, 4, 9, 0, tzinfo=LOCAL_TIME)

# One estate's water cut: 8 messages from 6 people (two of them write twice).
WATER = [
    (
        "w1",
        "u1",
        "A3区翠湖花园小区连续停水三天",
        "A市A3区翠湖花园小区从周一开始停水，已经连续三天没有自来水，物业说是水管爆裂，至今没有修好，请自来水公司尽快恢复供水。",
    ),
    (
        "w2",
        "u2",
        "翠湖花园小区停水无人管",
        "翠湖花园小区停水好几天了，老人小孩没水用，物业和自来水公司互相推诿，请督促尽快恢复供水。",
    ),
    (
        "w3",
        "u3",
        "投诉A3区翠湖花园小区长时间停水",
        "A3区翠湖花园小区停水已经第三天，水管维修迟迟不完工，小区居民只能去外面买水，希望尽快恢复供水。",
    ),
    (
        "w4",
        "u4",
        "翠湖花园小区停水何时恢复供水",
        "请问翠湖花园小区的停水什么时候能恢复供水？自来水公司说在抢修水管，但一直没有来水。",
    ),
    (
        "w5",
        "u5",
        "A市翠湖花园小区自来水停供",
        "A市翠湖花园小区自来水停供多日，物业没有任何通知，居民做饭洗澡都成问题，请尽快恢复供水。",
    ),
    (
        "w6",
        "u6",
        "翠湖花园小区居民停水用水困难",
        "翠湖花园小区停水后居民用水困难，水管爆裂无人抢修，恳请自来水公司尽快恢复供水。",
    ),
    (
        "w7",
        "u1",
        "再次反映翠湖花园小区停水问题",
        "翠湖花园小区停水仍未解决，水管还在维修，自来水公司说不清何时恢复供水，居民苦不堪言。",
    ),
    (
        "w8",
        "u2",
        "翠湖花园小区停水第五天了",
        "翠湖花园小区已经停水五天，水管抢修没有进展，请自来水公司和物业尽快恢复供水。",
    ),
]
# One fraud case followed by 5 victims.
FRAUD = [
    (
        "f1",
        "v1",
        "鑫汇通理财平台涉嫌集资诈骗，请求立案",
        "鑫汇通理财平台以高息为诱饵非法集资，现已无法提现，老板失联，众多受害人血本无归，请求公安机关对鑫汇通集资诈骗立案侦查。",
    ),
    (
        "f2",
        "v2",
        "鑫汇通理财平台老板跑路，受害人血汗钱何时追回",
        "鑫汇通理财平台老板跑路，受害人的血汗钱被卷走，鑫汇通集资诈骗案请求公安机关尽快追赃挽损。",
    ),
    (
        "f3",
        "v3",
        "请公安加快侦办鑫汇通理财平台集资诈骗，追回受害人血汗钱",
        "鑫汇通理财平台集资诈骗案立案已经三个月，受害人至今不知道案件进展，请公安机关加快侦办，追回资金。",
    ),
    (
        "f4",
        "v4",
        "鑫汇通理财平台爆雷，受害人维权无门",
        "鑫汇通理财平台爆雷后，受害人到处维权无门，请求公安机关依法打击鑫汇通集资诈骗，追回受害人资金。",
    ),
    (
        "f5",
        "v5",
        "鑫汇通理财平台集资诈骗立案后毫无进展，受害人盼追回血汗钱",
        "鑫汇通理财平台集资诈骗案立案后毫无进展，受害人多次询问都没有答复，请公安机关公布案件侦办进展。",
    ),
]
# Ten unrelated messages, one person each.
ONE_OFFS = [
    (
        "o1",
        "x1",
        "A1区滨江路路灯坏了一个月",
        "滨江路北段的路灯坏了一个月，晚上一片漆黑，行人走路很不安全，请城管部门修理路灯。",
    ),
    (
        "o2",
        "x2",
        "A2区某KTV深夜噪音扰民",
        "楼下KTV每天营业到凌晨三点，音乐声震耳欲聋，周边居民无法入睡，请环保部门查处。",
    ),
    (
        "o3",
        "x3",
        "建议增开A5区到高铁站的公交线路",
        "A5区到高铁站没有直达公交，转车要一个多小时，建议公交集团增开一条直达线路。",
    ),
    (
        "o4",
        "x4",
        "咨询A6区小学招生划片问题",
        "今年孩子上一年级，请问A6区小学招生划片的范围是什么，户口和房产证有什么要求？",
    ),
    (
        "o5",
        "x5",
        "异地就医医保报销太难",
        "在外省住院后回来办理医保报销，要跑好几个窗口，材料繁琐，能否简化异地就医报销手续？",
    ),
    (
        "o6",
        "x6",
        "垃圾分类设施不足",
        "我们街道垃圾分类宣传很多，但是分类垃圾桶太少，厨余垃圾经常溢出，希望增加分类设施。",
    ),
    (
        "o7",
        "x7",
        "学校门口违章停车严重",
        "每天上下学时间学校门口违章停车堵成一片，孩子过马路很危险，请交警加强管理。",
    ),
    (
        "o8",
        "x8",
        "社保关系转移手续咨询",
        "我从外地调到本市工作，养老保险关系怎么转移过来，需要准备哪些材料，在哪里办理？",
    ),
    (
        "o9",
        "x9",
        "菜市场卫生环境脏乱差",
        "农贸市场地面污水横流，苍蝇到处飞，摊贩占道经营，希望市场监管部门整治卫生环境。",
    ),
    (
        "o10",
        "x10",
        "人行道井盖缺失无人管",
        "人民路人行道上一个井盖缺失已经一周，只放了一个锥桶，晚上很容易掉下去，请尽快补上井盖。",
    ),
]


def messages(*groups: list[tuple[str, str, str, str]], likes: int = 1) -> list[Message]:
    """The given rows as messages, one hour apart in the order given."""
    made = []
    for number, (identifier, user, title, body) in enumerate(row for group in groups for row in group):
        made.append(
            Message(
                id=identifier,
                title=title,
                body=body,
                received_at=START + timedelta(hours=number),
                likes=likes,
                user=user,
            )
        )
    return made


@pytest.fixture(scope="module")
def mixed() -> list[Message]:
    # Interleaved, as messages arrive: the order must not decide the clusters.
    rows = [*WATER, *FRAUD, *ONE_OFFS]
    order = [rows[(7 * k) % len(rows)] for k in range(len(rows))]
    return messages(order)


@pytest.fixture(scope="module")
def found(mixed: list[Message]) -> list[hotspots.Hotspot]:
    return find_hotspots(mixed)


def test_the_two_concentrated_problems_come_out_as_two_pure_clusters(found: list[hotspots.Hotspot]) -> None:
    assert [set(spot.ids) for spot in found] == [
        {identifier for identifier, *_ in WATER},
        {identifier for identifier, *_ in FRAUD},
    ]


def test_one_off_messages_are_in_no_hotspot(found: list[hotspots.Hotspot]) -> None:
    in_spots = {identifier for spot in found for identifier in spot.ids}
    assert in_spots.isdisjoint({identifier for identifier, *_ in ONE_OFFS})


def test_hotspots_are_ranked_by_heat(found: list[hotspots.Hotspot]) -> None:
    assert [spot.rank for spot in found] == [1, 2]
    assert found[0].heat > found[1].heat
    # More people and messages make the water cut hotter than the fraud at equal likes per message.
    assert found[0].ids[0] == "w1"


def test_a_hotspot_counts_people_likes_and_its_time_span(
    mixed: list[Message], found: list[hotspots.Hotspot]
) -> None:
    water, fraud = found
    assert (water.size, water.people, water.likes) == (8, 6, 8)
    assert (fraud.size, fraud.people) == (5, 5)
    times = {message.id: message.received_at or START for message in mixed}
    assert list(water.ids) == sorted(water.ids, key=times.__getitem__)
    assert (water.first_at, water.last_at) == (times[water.ids[0]], times[water.ids[-1]])


def test_the_heat_is_the_sum_of_its_parts_and_the_formula_is_written_out(
    found: list[hotspots.Hotspot],
) -> None:
    for spot in found:
        parts = spot.parts
        assert spot.heat == pytest.approx(
            parts.people + parts.size + parts.likes + parts.recency + parts.spread
        )
    assert "ln(1+人数)" in hotspots.HEAT_FORMULA
    assert "people" in hotspots.HEAT_FORMULA_EN
    assert "exp(" in (hotspots.heat_parts.__doc__ or "")


def test_likes_and_recency_raise_the_heat() -> None:
    group = messages(WATER)
    base = hotspots.heat_parts(group, START + timedelta(days=1))
    liked = hotspots.heat_parts(messages(WATER, likes=50), START + timedelta(days=1))
    stale = hotspots.heat_parts(group, START + timedelta(days=90))
    assert liked.total > base.total > stale.total
    # A naive "now" is read as local time rather than refused.
    naive_now = datetime(2019, 11, 5, 9, 0)  # noqa: DTZ001  (naive on purpose)
    assert hotspots.heat_parts(group, naive_now).total == pytest.approx(base.total)


def test_the_place_comes_from_the_gazetteer_and_the_title_from_the_messages(
    mixed: list[Message], found: list[hotspots.Hotspot]
) -> None:
    water, fraud = found
    # Without a gazetteer only the data set's masked district is known; the estate's name is not
    # guessed from the characters before 小区.
    assert "翠湖花园小区" not in water.place and "鑫汇通" not in fraud.place
    places = Gazetteer([Place("翠湖花园小区", gazetteer.ESTATE)])
    water, fraud = find_hotspots(mixed, gazetteer=places)
    assert water.place.endswith("翠湖花园小区") and "翠湖花园小区" not in fraud.place
    assert water.title in {title for _, _, title, _ in WATER}
    assert 0 < len(water.title) <= hotspots.TITLE_CHARS


def test_one_person_writing_again_and_again_is_not_a_hotspot() -> None:
    repeated = [(f"r{k}", "same-user", title, body) for k, (_, _, title, body) in enumerate(WATER)]
    assert find_hotspots(messages(repeated, ONE_OFFS)) == []


def test_top_limits_the_list(mixed: list[Message]) -> None:
    assert [spot.ids for spot in find_hotspots(mixed, top=1)] == [find_hotspots(mixed)[0].ids]
    assert find_hotspots(mixed, top=0) == []


def test_the_same_messages_give_the_same_hotspots(
    mixed: list[Message], found: list[hotspots.Hotspot]
) -> None:
    assert hotspots_json(find_hotspots(list(mixed))) == hotspots_json(found)


def test_too_few_messages_give_no_hotspots() -> None:
    assert find_hotspots([]) == []
    assert find_hotspots(messages(WATER[:2])) == []


def test_json_has_the_agreed_keys_first_and_iso_times(found: list[hotspots.Hotspot]) -> None:
    rows = hotspots_json(found)
    for row in rows:
        assert list(row)[:8] == ["rank", "heat", "title", "place", "first_at", "last_at", "size", "ids"]
        assert datetime.fromisoformat(row["first_at"]).utcoffset() == timedelta(hours=8)
        assert isinstance(row["ids"], list) and len(row["ids"]) == row["size"]
    assert json.loads(json.dumps(rows, ensure_ascii=False)) == rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_columns_are_found_by_name_and_extra_ones_ignored(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "votes.csv",
        ["extra", "id", "user", "title", "received_at", "body", "likes", "dislikes", "reply"],
        [["x", "188006", "A000102948", "标题", "2019-02-28 11:25:05", "内容", "3", "1", "答复"]],
    )
    [message] = read_csv(path)
    assert message == Message(
        id="188006",
        title="标题",
        body="内容",
        received_at=datetime(2019, 2, 28, 11, 25, 5, tzinfo=LOCAL_TIME),
        likes=3,
        dislikes=1,
        user="A000102948",
    )


def test_csv_without_optional_columns_gets_defaults(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bare.csv", ["title", "body"], [["标题一", "内容一"], ["标题二", "内容二"]])
    first, second = read_csv(path)
    assert (first.id, second.id) == ("1", "2")
    assert (first.received_at, first.likes, first.dislikes, first.user) == (None, 0, 0, "")


def test_csv_with_the_original_chinese_headers_and_odd_values(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "original.csv",
        ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数"],
        [["7", "A1", "主题", "2019/2/8 9:05", "详情", "", "n/a"]],
    )
    [message] = read_csv(path)
    assert message.received_at == datetime(2019, 2, 8, 9, 5, tzinfo=LOCAL_TIME)
    assert (message.id, message.likes, message.dislikes) == ("7", 0, 0)


def test_times_without_an_offset_are_read_in_the_projects_time_zone(tmp_path: Path, settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    path = write_csv(tmp_path / "berlin.csv", ["title", "received_at"], [["标题", "2019-02-08 09:05"]])
    [message] = read_csv(path)
    assert message.received_at == datetime(2019, 2, 8, 8, 5, tzinfo=UTC)
    assert hotspots.parse_time("2019-02-08T09:05:00+08:00") == datetime(2019, 2, 8, 1, 5, tzinfo=UTC)


def test_csv_without_text_columns_or_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="title or a body"):
        read_csv(write_csv(tmp_path / "numbers.csv", ["id", "likes"], [["1", "2"]]))
    with pytest.raises(CorpusError):
        read_csv(tmp_path / "missing.csv")


def test_run_cli_prints_a_json_list_ordered_by_heat(tmp_path: Path, mixed: list[Message]) -> None:
    path = write_csv(
        tmp_path / "mixed.csv",
        ["id", "user", "title", "received_at", "body", "likes", "dislikes"],
        [
            [m.id, m.user, m.title, f"{m.received_at:%Y-%m-%d %H:%M:%S}", m.body, str(m.likes), "0"]
            for m in mixed
        ],
    )
    out = StringIO()
    run_cli(path, 5, out)
    rows = json.loads(out.getvalue())
    assert [row["rank"] for row in rows] == [1, 2]
    assert rows[0]["heat"] >= rows[1]["heat"]
    assert set(rows[0]["ids"]) == {identifier for identifier, *_ in WATER}
    table = StringIO()
    run_cli(path, 1, table, as_json=False)
    assert "翠湖花园" in table.getvalue() and "热度" in table.getvalue()


def test_real_messages_give_many_hotspots_and_no_one_off_in_the_top_ten(shared_data: Path) -> None:
    spots = find_hotspots(read_csv(shared_data / "appeals" / "messages-with-votes.csv"))
    assert len(spots) >= 10
    for spot in spots[:10]:
        assert spot.size >= hotspots.MIN_SIZE and spot.people >= hotspots.MIN_PEOPLE
        assert spot.title and spot.first_at is not None
    assert [spot.heat for spot in spots] == sorted((spot.heat for spot in spots), reverse=True)


# Hand labels (tests/hotspot_purity_labels.csv): every message of the ten hottest clusters of
# messages-with-votes.csv, 1 when it raises the cluster's concrete problem, 0 when not (another issue of
# the same estate, another estate, a general question). Rows are referred to by id only.
PURITY_LABELS = Path(__file__).with_name("hotspot_purity_labels.csv")


def test_the_concentrated_problems_of_the_real_messages_are_pure_clusters_at_the_top(
    shared_data: Path,
) -> None:
    with open(PURITY_LABELS, encoding="utf-8", newline="") as handle:
        labels: dict[str, dict[str, bool]] = {}
        for row in csv.DictReader(handle):
            labels.setdefault(row["cluster"], {})[row["id"]] = row["same_problem"] == "1"
    spots = find_hotspots(read_csv(shared_data / "appeals" / "messages-with-votes.csv"), top=15)
    on_topic = members = 0
    purity: dict[str, float] = {}
    for name, judged in labels.items():
        # The hotspot holding most of the labelled messages; a member nobody labelled counts as off-topic.
        spot = max(spots, key=lambda spot: len(judged.keys() & set(spot.ids)))
        right = sum(1 for identifier in spot.ids if judged.get(identifier, False))
        purity[name] = right / spot.size
        assert spot.rank <= 12, f"{name} fell to rank {spot.rank}"
        on_topic, members = on_topic + right, members + spot.size
    # The three biggest problems (a mixing plant, tied car parks, talent housing subsidies) are pure.
    assert min(purity["丽发新城搅拌站"], purity["伊景园滨河苑捆绑车位"], purity["人才购房补贴"]) >= 0.9, (
        purity
    )
    assert on_topic / members >= 0.9, purity
