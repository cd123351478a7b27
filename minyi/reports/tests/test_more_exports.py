"""Excel exports of the remaining lists (issue 8): symposia, visits, pairings, study activities and a
branch's roll, assistance cases and parts, weak and joint party branches, and the role-model library.
Each gives a user what the list shows them (with its filters and scope), with Chinese headers, personal
data masked unless the user may see it and asks, and an audit row; an outsider gets a refusal."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from minyi.audit.models import AuditEvent
from minyi.ledger.models import Issue
from minyi.reports.tests.sheets import audited, client_for, column, refused, sheet
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path)


# --- symposia ------------------------------------------------------------------------------------------


def test_symposia_export_keeps_the_filters_and_the_viewers_scope(actors: Actors) -> None:
    from minyi.symposia.tests.fixtures import build

    found = build(actors)
    everything = sheet("dispatcher", "symposia", {"campaign": str(found.campaign.pk)})
    assert everything[0][:3] == ["日期", "主题", "座谈对象"]
    assert sorted(column(everything, "主题")) == sorted([found.s1.title, found.s2.title, found.s3.title])
    assert column(everything, "意见数")[column(everything, "主题").index(found.s1.title)] == 3
    assert audited("symposia")["params"] == {"campaign": str(found.campaign.pk)}
    villagers = sheet("dispatcher", "symposia", {"group": "villagers"})
    assert sorted(column(villagers, "主题")) == sorted([found.s1.title, found.s4.title])
    # The township's cadre sees what was hosted or held in the township, as on the list page.
    town = sheet("cadre", "symposia")
    assert sorted(column(town, "主题")) == sorted([found.s1.title, found.s4.title])
    page = client_for("cadre").get("/symposia/", {"group": "villagers"}).content.decode()
    assert "/reports/export/symposia/?group=villagers" in page


def test_symposia_export_refuses_bad_filters_and_outsiders(actors: Actors) -> None:
    assert refused("dispatcher", "symposia", {"date_from": "2026-03-01", "date_to": "2026-01-01"}) == 400
    assert refused("outsider", "symposia") == 403  # a handler: no symposia at all


# --- visits and pairings -------------------------------------------------------------------------------


def test_my_visits_export_has_only_my_visits_with_household_heads_masked(actors: Actors) -> None:
    from minyi.outreach.tests.fixtures import build

    found = build(actors)
    rows = sheet("cadre", "visits")
    assert rows[0][0] == "日期" and "户主" in rows[0]
    assert len(rows) == 1 + 4  # the cadre's four visits, not the other cadre's two
    assert set(column(rows, "农户")) == {"T1V1-001", "T1V1-002", None}
    heads = column(rows, "户主")
    assert "王大海" not in heads and "王**" in heads
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
    assert len(sheet(found.cadre2, "visits")) == 1 + 2
    page = client_for("cadre").get("/outreach/visits/").content.decode()
    assert "/reports/export/visits/" in page


def test_my_visits_export_unmasks_for_those_allowed_who_ask_and_audits_it(actors: Actors) -> None:
    from minyi.outreach.tests.fixtures import build

    build(actors)
    rows = sheet("cadre", "visits", {"personal": "1"})
    assert "王大海" in column(rows, "户主")
    seen = AuditEvent.objects.get(action="personal_data.view")
    assert seen.actor == actors.cadre and seen.detail["fields"] == ["head_name"]
    assert refused("dispatcher", "visits") == 403  # the office makes no visits of its own
    assert refused("outsider", "visits") == 403


def _pairings(actors: Actors) -> Any:
    from minyi.outreach import rules
    from minyi.outreach.tests.fixtures import build

    found = build(actors)
    start = date(2026, 1, 1)
    household = rules.create_pairing(
        actor=actors.dispatcher, person=actors.cadre.person, household=actors.household, visits_planned=1,
        period="month", started_on=start,
    )  # fmt: skip
    village = rules.create_pairing(
        actor=actors.dispatcher, person=actors.cadre.person, unit=actors.village2, visits_planned=2,
        period="month", started_on=start,
    )  # fmt: skip
    far = rules.create_pairing(
        actor=actors.dispatcher, person=found.cadre2.person, unit=actors.other_village, visits_planned=1,
        period="month", started_on=start,
    )  # fmt: skip
    return household, village, far


def test_pairings_export_has_planned_vs_done_in_scope_with_the_filters(actors: Actors) -> None:
    _household, _village, _far = _pairings(actors)
    query = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    rows = sheet("dispatcher", "pairings", query)
    assert rows[0][0] == "领导或干部" and "户主" in rows[0] and "已完成" in rows[0]
    assert len(rows) == 1 + 3
    places = column(rows, "村（社区）或企业")
    done = dict(zip(places, column(rows, "已完成"), strict=True))
    assert done == {"东村": 1, "西村": 0, "南村": 1}  # 王大海's household visited on 5 January
    assert "王**" in column(rows, "户主") and "王大海" not in column(rows, "户主")
    # The filter of the list: only household pairings.
    households = sheet("dispatcher", "pairings", {**query, "place": "household"})
    assert len(households) == 1 + 1
    # A township's unit head sees the pairings of the township's places only.
    from minyi.org.choices import Role
    from minyi.org.rules import create_person

    head = create_person(
        name="镇长", unit=actors.town, role=Role.UNIT_HEAD, username="town_head", actor=None,
        password_hash=actors.cadre.password, phone="",
    )  # fmt: skip
    town = sheet(head.user, "pairings", query)
    assert len(town) == 1 + 2 and "南村" not in str(town)
    page = client_for("dispatcher").get("/outreach/pairings/", {"place": "household"}).content.decode()
    assert "/reports/export/pairings/?place=household" in page


def test_pairings_export_unmasks_only_when_allowed_and_refuses_bad_periods(actors: Actors) -> None:
    _pairings(actors)
    rows = sheet("dispatcher", "pairings", {"personal": "1"})
    assert "王大海" in column(rows, "户主")
    assert AuditEvent.objects.filter(action="personal_data.view", actor=actors.dispatcher).count() == 1
    assert refused("dispatcher", "pairings", {"date_from": "2026-02-01", "date_to": "2026-01-01"}) == 400
    assert refused("handler_edu", "pairings") == 403


# --- study ---------------------------------------------------------------------------------------------


def test_study_activities_export_keeps_to_the_scope(actors: Actors) -> None:
    from minyi.outreach.tests.fixtures import cadre_of
    from minyi.study.tests.conftest import build_study

    study = build_study(actors)
    rows = sheet("cadre", "study_activities")
    assert rows[0][:3] == ["标题", "类型", "组织单位"]
    assert sorted(column(rows, "标题")) == sorted(
        a.title for a in (study.tour, study.discussion, study.research, study.report)
    )
    assert column(rows, "场次")[column(rows, "标题").index(study.tour.title)] == 2
    assert len(sheet(cadre_of(actors), "study_activities")) == 1  # the other township: headers only
    assert refused("outsider", "study_activities") == 403
    assert "/reports/export/study_activities/" in client_for("cadre").get("/study/").content.decode()


def test_a_branch_roll_exports_its_members_masked_unless_allowed_and_asked(actors: Actors) -> None:
    from minyi.study.tests.conftest import build_study

    study = build_study(actors)
    query = {"branch": str(study.branch_b.pk), "campaign": study.campaign.code}
    rows = sheet("cadre", "branch_roll", query)
    assert rows[0][:3] == ["姓名", "原所在支部", "流动党员"]
    assert sorted(column(rows, "姓名")) == ["海**", "海**"]
    full = sheet("cadre", "branch_roll", {**query, "personal": "1"})
    reached = dict(zip(column(full, "姓名"), column(full, "期间是否参学"), strict=True))
    assert reached["海员甲"] == "是" and reached["海员乙"] in ("否", "No")  # 乙 attended nothing
    assert set(reached) == {"海员甲", "海员乙"}
    assert AuditEvent.objects.get(action="personal_data.view").detail["fields"] == ["name"]
    # Outside the user's scope the branch does not exist; a bad period is refused.
    from minyi.outreach.tests.fixtures import cadre_of

    assert refused(cadre_of(actors), "branch_roll", query) == 400
    assert refused("cadre", "branch_roll", {**query, "date_from": "2026-12-01", "date_to": "2026-11-01"})
    page = client_for("cadre").get(f"/study/branches/{study.branch_b.pk}/").content.decode()
    assert "/reports/export/branch_roll/?branch=" in page


# --- assistance ----------------------------------------------------------------------------------------


def _assistance(actors: Actors) -> Any:
    from minyi.assistance import rules
    from minyi.assistance.choices import AssistanceType as T
    from minyi.assistance.tests.fixtures import build

    assist = build(actors)
    one = rules.open_case(
        actor=assist.coordinator, household=actors.household, types=[T.MEDICAL, T.EDUCATION]
    )
    two = rules.open_case(actor=assist.coordinator, household=assist.household2, types=[T.HOUSING])
    for case in (one, two):
        for part in case.parts.all():
            units: dict[str, Any] = {
                T.MEDICAL: assist.health,
                T.EDUCATION: actors.edu,
                T.HOUSING: actors.housing,
            }
            unit = units[part.type]
            rules.hand_out(part, actor=assist.coordinator, unit=unit)
    return assist, one, two


def test_the_coordinators_case_list_exports_every_case_masked_for_a_handler(actors: Actors) -> None:
    assist, one, two = _assistance(actors)
    rows = sheet(assist.coordinator, "assistance_cases")
    assert rows[0][:3] == ["个案", "农户", "户主"]
    assert sorted(column(rows, "个案")) == sorted([one.pk, two.pk])
    assert sorted(column(rows, "户主")) == ["李**", "王**"]
    # The coordinator is a handler: asking for personal data does not unmask it.
    masked = sheet(assist.coordinator, "assistance_cases", {"personal": "1"})
    assert sorted(column(masked, "户主")) == ["李**", "王**"]
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
    full = sheet(assist.mz_head, "assistance_cases", {"personal": "1", "household": "T1V1-002"})
    assert column(full, "户主") == ["李小梅"]
    assert AuditEvent.objects.filter(action="personal_data.view", actor=assist.mz_head).count() == 1
    page = client_for(assist.coordinator).get("/assistance/cases/", {"state": "open"}).content.decode()
    assert "/reports/export/assistance_cases/?state=open" in page


def test_a_delivering_unit_exports_only_its_own_parts(actors: Actors) -> None:
    assist, _one, _two = _assistance(actors)
    rows = sheet(assist.handler_health, "assistance_parts")
    assert rows[0][:3] == ["类型", "农户", "户主"]
    assert len(rows) == 1 + 1 and rows[1][1] == actors.household.code
    assert "教育" not in str(rows) and "李" not in str(rows)  # nothing of the other parts or cases
    assert column(rows, "户主") == ["王**"]
    edu = sheet("head_edu", "assistance_parts", {"personal": "1"})
    assert column(edu, "户主") == ["王大海"]  # a head may see personal data, and asked
    # A delivering unit may not export the coordinator's list of whole cases.
    assert refused(assist.handler_health, "assistance_cases") == 403
    assert refused("cadre", "assistance_parts") == 403
    page = client_for(assist.handler_health).get("/assistance/parts/").content.decode()
    assert "/reports/export/assistance_parts/" in page


# --- party building and role models --------------------------------------------------------------------


def _party(actors: Actors) -> Any:
    from minyi.ledger.models import Campaign
    from minyi.org.choices import UnitKind
    from minyi.org.rules import create_unit
    from minyi.partybuilding import rules
    from minyi.partybuilding.choices import TaskArea

    today = timezone.localdate()
    past = today - timedelta(days=30)
    campaign = Campaign.objects.create(
        code="ZD", name="整顿", starts_on=today - timedelta(days=90), ends_on=today + timedelta(days=90)
    )
    branch = {
        village.code: create_unit(code=f"{village.code}P", name=f"{village.name}党支部",
                                  kind=UnitKind.PARTY_BRANCH, parent=village, actor=None)
        for village in (actors.village, actors.village2, actors.other_village)
    }  # fmt: skip
    rules.mark_weak(branch["T1V2"], actor=actors.dispatcher, reasons="班子软弱涣散", marked_on=past,
                    campaign=campaign)  # fmt: skip
    rules.mark_weak(branch["T2V1"], actor=actors.dispatcher, reasons="集体经济薄弱", marked_on=past)
    joint = rules.form_joint_branch(
        actor=actors.dispatcher, name="东村联村党总支", township=actors.town, campaign=campaign,
        advanced=[branch["T1V1"]], weak=[branch["T1V2"]], formed_on=past,
    )  # fmt: skip
    for title in ("选优配强西村党组织班子", "发展西村集体经济"):
        rules.add_task(joint, actor=actors.dispatcher, area=TaskArea.TEAM, title=title, leader=actors.leader,
                       deadline=today + timedelta(days=30))  # fmt: skip
    return campaign


def test_weak_and_joint_branches_export_in_scope_with_the_campaign_filter(actors: Actors) -> None:
    campaign = _party(actors)
    rows = sheet("dispatcher", "weak_branches")
    assert rows[0][:2] == ["党组织", "镇（街道）"]
    assert sorted(column(rows, "党组织")) == ["南村党支部", "西村党支部"]
    assert column(sheet("dispatcher", "weak_branches", {"campaign": campaign.code}), "党组织") == [
        "西村党支部"
    ]
    joints = sheet("dispatcher", "joint_branches")
    assert joints[0][1] == "镇（街道）" and "挂钩领导" in joints[0]
    assert sorted(column(joints, "任务")) == sorted(["选优配强西村党组织班子", "发展西村集体经济"])
    assert set(column(joints, "联村党总支")) == {"东村联村党总支"}
    assert set(column(joints, "挂钩领导")) == {"郑领导"}
    with translation.override("zh-hans"):
        assert set(column(joints, "状态")) == {Issue.objects.first().get_state_display()}  # type: ignore[union-attr]
    # The other township's unit head sees its own weak branch and no joint branch.
    from minyi.org.choices import Role
    from minyi.org.rules import create_person

    head = create_person(
        name="李镇长", unit=actors.other_town, role=Role.UNIT_HEAD, username="other_head", actor=None,
        password_hash=actors.cadre.password, phone="",
    )  # fmt: skip
    assert column(sheet(head.user, "weak_branches"), "党组织") == ["南村党支部"]
    assert len(sheet(head.user, "joint_branches")) == 1
    assert refused("dispatcher", "weak_branches", {"campaign": "NOPE"}) == 400
    assert refused("cadre", "weak_branches") == 403
    page = client_for("dispatcher").get("/partybuilding/", {"campaign": campaign.code}).content.decode()
    assert f"/reports/export/weak_branches/?campaign={campaign.code}" in page
    assert f"/reports/export/joint_branches/?campaign={campaign.code}" in page


def test_the_role_model_library_exports_by_level_with_its_figures(actors: Actors) -> None:
    from minyi.exemplars.tests.conftest import build_library

    library = build_library(actors)
    rows = sheet("cadre", "exemplars")
    assert rows[0][:3] == ["姓名", "级别", "主要事迹"]
    names = column(rows, "姓名")
    assert set(names) == {"焦裕禄", "杨善洲", "谷文昌", "林秀英"}
    assert names.index("林秀英") > names.index("谷文昌") > names.index("焦裕禄")  # by level, as the page
    jiao = rows[1 + names.index(library.jiao.name)]
    assert jiao[rows[0].index("资料")] == 2 and jiao[rows[0].index("受众人数")] == 500
    assert audited("exemplars")["rows"] == 4
    assert refused("outsider", "exemplars") == 403
    assert "/reports/export/exemplars/" in client_for("cadre").get("/exemplars/").content.decode()


def test_the_case_export_reads_a_fixed_number_of_queries_however_many_cases(actors: Actors) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minyi.assistance import rules
    from minyi.assistance.choices import AssistanceType as T

    assist, _one, _two = _assistance(actors)
    client = client_for(assist.coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get("/reports/export/assistance_cases/").status_code == 200
        return len(seen)

    before = queries()
    for household in (assist.far_household, assist.household2):
        rules.open_case(actor=assist.coordinator, household=household, types=[T.SUBSISTENCE, T.MEDICAL])
    assert len(sheet(assist.coordinator, "assistance_cases")) == 1 + 4
    assert queries() == before
