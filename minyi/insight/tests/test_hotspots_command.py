"""``manage.py insight hotspots``: the hotspots of a CSV of messages, without touching the database.

No ``db`` fixture: pytest-django fails any query, so passing proves the command needs no database."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minyi.insight.hotspots import HEAT_FORMULA

LAMPS = [
    (
        "u1",
        "东村三组路灯不亮",
        "东村三组的路灯坏了一个多月，晚上出行不便，老人孩子走夜路很危险，请尽快修复路灯。",
    ),
    ("u2", "东村路灯坏了没人修", "东村三组路灯坏了很久，晚上一片漆黑，村民出行不便，希望尽快修好路灯。"),
    (
        "u3",
        "反映东村三组路灯长期不亮",
        "东村三组至五组的路灯长期不亮，晚上出行不安全，请有关部门尽快修复路灯。",
    ),
    ("u4", "东村晚上路灯不亮出行不便", "东村的路灯晚上不亮，村民夜间出行不便，请尽快安排维修路灯。"),
]
ONE_OFF = ("u5", "海城镇菜市场乱收费", "海城镇菜市场管理处向摊贩乱收卫生费，没有收据，请市场监管部门查处。")


def write_messages(path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数"])
        for number, (user, title, body) in enumerate([*LAMPS, ONE_OFF], 1):
            writer.writerow([f"m{number}", user, title, f"2026-05-0{number} 09:00:00", body, number, 0])
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("insight", "hotspots", *args, stdout=out)
    return out.getvalue()


def test_json_lists_the_repeated_problem_and_not_the_one_off(tmp_path: Path) -> None:
    data = json.loads(run("--csv", str(write_messages(tmp_path / "messages.csv")), "--top", "5", "--json"))
    assert [spot["ids"] for spot in data] == [["m1", "m2", "m3", "m4"]]
    spot = data[0]
    assert (spot["rank"], spot["size"], spot["people"], spot["likes"]) == (1, 4, 4, 1 + 2 + 3 + 4)
    assert spot["heat"] > 0 and "路灯" in spot["title"]


def test_text_output_starts_with_the_heat_formula(tmp_path: Path) -> None:
    text = run("--csv", str(write_messages(tmp_path / "messages.csv")))
    lines = text.splitlines()
    assert lines[0] == HEAT_FORMULA
    assert lines[1].lstrip().startswith("1.") and "4 messages, 4 people" in lines[1]


def test_a_missing_or_unreadable_csv_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run("--csv", str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="needs a title or a body column"):
        run("--csv", str(bad))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"title,body\n" + "caf\xe9".encode("latin-1"))
    with pytest.raises(CommandError, match=str(latin)):
        run("--csv", str(latin))
    with pytest.raises(CommandError, match="--top"):
        run("--csv", str(write_messages(tmp_path / "messages.csv")), "--top", "0")
