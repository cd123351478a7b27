"""The bulletin as an office's 工作简报: masthead with the issuing office, 第 N 期 counted per year (the same
bulletin keeps its number), sections numbered 一、二、三、, the 报 / 送 / 发 block, and an overdue line that
names the day it counts on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation

from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import Track
from minyi.ledger.models import Issue
from minyi.reports import bulletin
from minyi.reports.models import BulletinIssue, BulletinMasthead
from minyi.study.tests.conftest import Study, build_study
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(actors: Actors) -> Study:
    made = build_study(actors)
    BulletinMasthead.objects.create(
        office="海滨区教育实践活动办公室",
        report_to="区委主要领导",
        copy_to="",
        send_to="各镇（街道），区直各部门",
    )
    return made


def test_chinese_numbers_for_sections_and_issues() -> None:
    numbers = [bulletin.chinese_number(n) for n in (1, 4, 10, 12, 20, 35)]
    assert numbers == ["一", "四", "十", "十二", "二十", "三十五"]


def test_the_page_reads_as_a_work_bulletin_and_gets_its_number(study: Study, client: Client) -> None:
    client.force_login(study.actors.dispatcher)
    query = {"campaign": study.campaign.pk}
    html = client.get("/reports/bulletin/", query).content.decode()
    assert "海滨区教育实践活动办公室" in html and "（未编号）" in html
    assert "<h2>一、学习教育</h2>" in html and "<h2>四、整改落实</h2>" in html
    assert '<span class="label">报：</span>区委主要领导' in html
    assert '<span class="label">发：</span>各镇（街道），区直各部门' in html
    assert "送：" not in html  # an empty line of the block is left out
    year = timezone.localdate().year
    done = client.post("/reports/bulletin/issue/", query, follow=True)
    assert f"{year}年第1期" in done.content.decode() and "（未编号）" not in done.content.decode()
    client.post("/reports/bulletin/issue/", query)  # the same bulletin: the same number
    assert list(BulletinIssue.objects.values_list("number", flat=True)) == [1]
    other = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
    client.post("/reports/bulletin/issue/", other)
    assert sorted(BulletinIssue.objects.values_list("number", flat=True)) == [1, 2]
    md = client.get("/reports/bulletin/", {**other, "format": "md"}).content.decode()
    assert md.startswith(f"工作简报\n{year}年第2期\n") and "报：区委主要领导" in md


def test_who_may_not_number_is_refused(study: Study, client: Client) -> None:
    client.force_login(study.actors.leader)
    assert client.post("/reports/bulletin/issue/", {"campaign": study.campaign.pk}).status_code == 403
    assert not BulletinIssue.objects.exists()


def test_the_overdue_line_names_the_day_it_counts_on(study: Study) -> None:
    today = timezone.localdate()
    item = ledger_rules.create_issue(
        campaign=study.campaign,
        title="东村路灯长期不亮",
        track=Track.FIX_NOW,
        lead_unit=study.actors.edu,
        leader=study.actors.leader,
        deadline=today + dt.timedelta(days=5),
        actor=study.actors.dispatcher,
    )
    # Its deadline passed a few days ago: the ledger shows it overdue today.
    Issue.objects.filter(pk=item.pk).update(deadline=today - dt.timedelta(days=3))
    before = today - dt.timedelta(days=10)
    with translation.override("zh-hans"):
        earlier = bulletin.build(bulletin.scope_for(date_from=before - dt.timedelta(days=30), date_to=before))
        now = bulletin.build(bulletin.scope_for(date_from=before, date_to=today))
    rectification = "".join(earlier.sections[-1].sentences)
    assert f"截至{before.year}年{before.month}月{before.day}日，无逾期整改事项" in rectification
    assert f"截至{today.year}年{today.month}月{today.day}日，1项整改逾期" in "".join(
        now.sections[-1].sentences
    )
