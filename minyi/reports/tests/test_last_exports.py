"""Excel exports of the last lists (issue 8): supervision notices, the sign-off register, the audit trail,
a hotspot board, the party branch list, and the people and household lists. Each gives a user what the
list shows them (filters and scope), with Chinese headers, personal data masked as the page masks it
unless the user may see it and asks, and an audit row; an outsider is refused and nothing is saved."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from minyi.audit.models import AuditEvent
from minyi.reports.tests.sheets import audited, client_for, column, refused, sheet
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MINYI_SMS_FILE = tmp_path / "sms.jsonl"


def _link(user: Any, page: str, name: str) -> str:
    html = client_for(user).get(page).content.decode()
    assert f"/reports/export/{name}/?" in html
    return html


# --- supervision notices -------------------------------------------------------------------------------


def test_supervision_notices_export_the_units_notices_with_the_filters(actors: Actors) -> None:
    from minyi.supervision.tests.test_pages import leaders_notice

    notice = leaders_notice(actors)
    rows = sheet(actors.handler_edu, "supervision_notices")
    assert rows[0][:4] == ["级别", "督办对象", "责任单位", "督办时间"]
    assert column(rows, "责任单位") == [notice.unit.name]
    assert notice.appeal is not None
    assert column(rows, "督办对象")[0].startswith(f"诉求 {notice.appeal.number}")
    assert column(rows, "级别") == [notice.get_level_display()]
    assert audited("supervision_notices")["rows"] == 1
    # Another unit sees none of it; a level filter that does not match gives headers only.
    assert len(sheet(actors.handler_housing, "supervision_notices")) == 1
    other_level = "red" if notice.level != "red" else "yellow"
    assert len(sheet(actors.leader, "supervision_notices", {"level": other_level})) == 1
    assert len(sheet(actors.leader, "supervision_notices", {"level": notice.level})) == 2
    assert refused(actors.member, "supervision_notices") == 403
    assert refused(actors.leader, "supervision_notices", {"level": "purple"}) == 400
    _link(actors.leader, "/supervision/?level=" + notice.level, "supervision_notices")


# --- the sign-off register -----------------------------------------------------------------------------


def test_the_signoff_register_exports_signed_off_items_with_the_dates(actors: Actors) -> None:
    from minyi.ledger import rules
    from minyi.ledger.models import Campaign
    from minyi.ledger.tests.test_item_page import make

    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="QZLX",
        name="群众路线",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=100),
    )
    done = make(actors, campaign, title="集贸市场占道经营")
    rules.submit_for_signoff(done, actor=actors.handler_edu, evidence="占道摊位全部迁入市场")
    rules.agree_signoff(done, actor=actors.head_edu)
    rules.decide_signoff(done, actor=actors.leader, approve=True)
    make(actors, campaign, title="还在整改的事项")
    rows = sheet(actors.head_edu, "signoff_register")
    assert rows[0][:4] == ["销号时间", "标题", "整改类别", "主办单位"]
    assert column(rows, "标题") == ["集贸市场占道经营"]
    assert column(rows, "佐证材料") == ["占道摊位全部迁入市场"]
    assert column(rows, "批准人") == [actors.leader.person.name]
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert len(sheet(actors.head_edu, "signoff_register", {"from": tomorrow})) == 1
    assert refused(actors.member, "signoff_register") == 403
    _link(actors.head_edu, "/ledger/register/", "signoff_register")


# --- the audit trail -----------------------------------------------------------------------------------


def test_the_audit_trail_exports_for_auditors_only_as_the_page_masks_it(actors: Actors) -> None:
    # A personal-data read is recorded with the subject masked; the export shows it as the page does.
    client_for(actors.dispatcher).get(f"/org/households/{actors.household.code}/")
    read = AuditEvent.objects.filter(action="personal_data.view").latest("pk")
    assert "王大海" not in read.subject
    rows = sheet(actors.auditor, "audit_trail", {"action": "personal_data"})
    assert rows[0] == ["时间", "操作人", "IP 地址", "操作", "对象", "涉及谁的个人信息"]
    assert column(rows, "操作") == ["personal_data.view"]
    assert column(rows, "涉及谁的个人信息") == [read.subject]
    assert "王大海" not in column(rows, "涉及谁的个人信息")[0]
    assert column(rows, "对象") == [read.object_repr]  # as the page shows it
    assert audited("audit_trail")["params"] == {"action": "personal_data"}
    for user in (actors.dispatcher, actors.leader, actors.member):
        assert refused(user, "audit_trail") == 403
    assert refused(actors.auditor, "audit_trail", {"date_from": "2026-12-01", "date_to": "2026-11-01"}) == 400
    _link(actors.auditor, "/audit/?action=personal_data", "audit_trail")


# --- a hotspot board -----------------------------------------------------------------------------------


def test_a_hotspot_board_exports_its_clusters_by_rank(actors: Actors) -> None:
    from minyi.insight.tests.test_board import LAMPS, computed, submit

    for number, row in enumerate(LAMPS):
        submit(actors, *row, days_ago=10 - number)
    run = computed(actors)
    [cluster] = run.clusters.all()
    rows = sheet(actors.dispatcher, "hotspots", {"run": str(run.pk)})
    assert rows[0][:4] == ["名次", "热点", "地点", "时间跨度"]
    assert column(rows, "热点") == [cluster.title]
    assert column(rows, "诉求") == [cluster.size]
    assert column(rows, "涉及人数") == [cluster.people]
    assert refused(actors.handler_edu, "hotspots", {"run": str(run.pk)}) == 403
    assert refused(actors.dispatcher, "hotspots", {"run": str(run.pk + 99)}) == 400
    assert refused(actors.dispatcher, "hotspots", {"run": "x"}) == 400
    _link(actors.dispatcher, f"/insight/hotspots/{run.pk}/", "hotspots")


# --- the party branch list -----------------------------------------------------------------------------


def test_the_branch_list_exports_the_branches_in_scope_with_member_counts(actors: Actors) -> None:
    from minyi.outreach.tests.fixtures import cadre_of
    from minyi.study.models import Branch
    from minyi.study.tests.conftest import build_study

    study = build_study(actors)
    rows = sheet("cadre", "study_branches")
    assert rows[0] == ["党支部", "类型", "单位", "党员数"]
    mine = Branch.objects.filter(unit__path__startswith=actors.town.path)
    assert sorted(column(rows, "党支部")) == sorted(b.name for b in mine)
    counts = dict(zip(column(rows, "党支部"), column(rows, "党员数"), strict=True))
    assert counts[study.branch_b.name] == study.branch_b.current_members.count()
    others = sheet(cadre_of(actors), "study_branches")
    assert study.branch_b.name not in column(others, "党支部")
    assert refused("outsider", "study_branches") == 403
    _link("cadre", "/study/branches/", "study_branches")


# --- people and households -----------------------------------------------------------------------------


def test_the_people_list_exports_with_its_search_and_phones_masked(actors: Actors) -> None:
    rows = sheet(actors.dispatcher, "people", {"q": "承办"})
    assert rows[0] == ["姓名", "单位", "角色", "职务", "电话"]
    assert sorted(column(rows, "姓名")) == sorted(["钱承办", "孙承办"])
    phones = dict(zip(column(rows, "姓名"), column(rows, "电话"), strict=True))
    assert phones["钱承办"] != "13800003333" and phones["钱承办"].startswith("138")
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
    # The town's handler sees only the town's people.
    town = column(sheet(actors.town_handler, "people"), "姓名")
    assert "吴镇干" in town and "钱承办" not in town
    assert refused(actors.nobody, "people") == 403
    _link(actors.dispatcher, "/org/people/?q=x", "people")


def test_the_household_list_exports_masked_unless_allowed_and_asked(actors: Actors) -> None:
    from minyi.org.permissions import OrgPerm, can

    rows = sheet(actors.town_handler, "households")
    assert rows[0] == ["编码", "村（社区）", "户主", "电话", "地址", "人口数"]
    assert column(rows, "编码") == [actors.household.code]
    assert column(rows, "户主") != ["王大海"] and column(rows, "电话") != ["13900001111"]
    assert "东村三组18号" not in column(rows, "地址")
    # Asking for personal data without the right changes nothing.
    if not can(actors.town_handler, OrgPerm.VIEW_PERSONAL_DATA):
        still = sheet(actors.town_handler, "households", {"personal": "1"})
        assert column(still, "户主") == column(rows, "户主")
    allowed = next(
        u
        for u in (actors.dispatcher, actors.leader, actors.town_handler)
        if can(u, OrgPerm.VIEW_PERSONAL_DATA)
    )
    full = sheet(allowed, "households", {"personal": "1", "q": "东村"})
    assert column(full, "户主") == ["王大海"] and column(full, "电话") == ["13900001111"]
    assert column(full, "地址") == ["东村三组18号"]
    read = AuditEvent.objects.filter(action="personal_data.view").latest("pk")
    assert read.detail["fields"] == ["head_name", "phone", "address"]
    assert len(sheet(allowed, "households", {"q": "没有这户"})) == 1
    outsider = sheet("outsider", "households") if can(actors.outsider, OrgPerm.VIEW_HOUSEHOLD) else None
    if outsider is not None:
        assert actors.household.code not in column(outsider, "编码")
    assert refused(actors.nobody, "households") == 403
    _link(actors.town_handler, "/org/households/", "households")
