"""Issue 8's "done when": on the demo campaign the bulletin reproduces the real campaign's figures,
each computed from the records that seed_demo made through the apps' own rules (13,000+ opinions,
100 villages and 109,000 household visits, 1,100+ difficulties, 26/26 and 31/25/6, 1,590 mobile
members, 396 at sea in 8 sessions, 86 discs and 680 books)."""

from __future__ import annotations

import pytest
from django.utils import translation

from minyi.demo import ledger as ledger_demo
from minyi.reports import bulletin

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]  # seeded once: conftest.py


def test_the_demo_bulletin_reads_like_the_real_one(seeded: str) -> None:
    campaign = ledger_demo.demo_campaign()
    assert campaign is not None
    with translation.override("zh-hans"):
        text = bulletin.as_markdown(bulletin.build(bulletin.scope_for(campaign=campaign)))
    for expected in (
        "确定调研课题13个",
        "举办专题报告和辅导讲座268场",
        "全区1590名流动党员中覆盖",
        "其中分8批次送学上船，覆盖海上党员396名",
        "光盘86张、书籍680册",
        "共征求到意见建议1.3万多条",
        "召开各类座谈会120场",
        "走访100个村（社区）中的100个，覆盖率100%",
        "入户走访10.9万多户次，覆盖农户10.9万多户",
        "帮助解决实际困难1100多件",
        "立即改26项已全部完成",
        "边学边改31项已完成25项，6项转入常态化整改",
        "完成疏浚11公里",
        "11个软弱涣散村，成立7个联村党总支",
    ):
        assert expected in text, expected
