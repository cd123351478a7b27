"""The offline page's data says which branches each session invites (issue 17: the page listed every
member for every session), and each member's home branch, so the phone shows per session only the
members invited; the page carries the search box and "全部到场"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minyi.study import rules
from minyi.study.models import Branch, Session
from minyi.study.tests.conftest import Study, build_study
from minyi.study.tests.test_offline import client_for, data_of
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare(actors: Actors) -> Study:
    return build_study(actors, attendances=False)


def _sessions(study: Study) -> dict[str, Session]:
    now = timezone.now()

    def add(topic: str, branches: list[Branch]) -> Session:
        return rules.add_session(
            study.tour, starts_at=now - dt.timedelta(hours=2), topic=topic, place="村部", branches=branches,
            actor=None,
        )  # fmt: skip

    return {
        "a": add("只请东村", [study.branch_a]),
        "b": add("只请海上", [study.branch_b]),
        "all": add("公开", []),
    }


def test_each_session_names_the_branches_it_invites(bare: Study) -> None:
    made = _sessions(bare)
    data = data_of(bare.actors.cadre)
    invited = {
        s["topic"]: s["branches"] for s in data["sessions"] if s["topic"] in {"只请东村", "只请海上", "公开"}
    }
    assert invited == {"只请东村": [bare.branch_a.pk], "只请海上": [bare.branch_b.pk], "公开": []}
    assert made["a"].pk in {s["id"] for s in data["sessions"]}


def test_each_member_carries_their_home_branch(bare: Study) -> None:
    data = data_of(bare.actors.cadre)
    members = {m["name"]: m for b in data["branches"] for m in b["members"]}
    # 海员甲 sails with the floating branch B; his home branch is A, so A's sessions list him too.
    assert members["海员甲"]["home"] == bare.branch_a.pk and members["海员甲"]["home_name"] == "东村党支部"
    assert {b["name"] for b in data["branches"] if "海员甲" in [m["name"] for m in b["members"]]} == {
        "海上流动党支部"
    }


def test_the_page_has_the_search_box_and_all_present(bare: Study) -> None:
    html = client_for(bare.actors.member, language="zh-hans").get("/study/offline/").content.decode()
    assert 'id="offline-filter"' in html and "按姓名查找党员" in html
    assert 'id="offline-all"' in html and "全部到场" in html
    assert "<script>" not in html  # no inline script: the page's code is in offline.js
