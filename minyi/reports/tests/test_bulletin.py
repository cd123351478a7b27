"""The bulletin on the hand-counted study fixture (minyi/study/tests/conftest.py) plus visits and
appeals made here: every figure is counted by hand in the comments."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.audit.models import AuditEvent
from minyi.dates import written_day
from minyi.org.models import Household
from minyi.outreach import rules as outreach_rules
from minyi.outreach.rules import DifficultyInput
from minyi.reports import bulletin
from minyi.reports.numbers import about, percent
from minyi.study.tests.conftest import Study, build_study
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(actors: Actors) -> Study:
    """The study fixture (campaign STUDY26, 2026-10-01 … 12-31) with two household visits and three
    appeals inside the campaign."""
    made = build_study(actors)
    second = Household.objects.create(code="T1V1-002", village=actors.village, head_name="户主二")
    outreach_rules.record_visit(
        actor=actors.cadre, visited_on=dt.date(2026, 10, 15), village=actors.village,
        household=actors.household,
        difficulties=[DifficultyInput("屋顶漏雨", handled_on_spot=True, resolution="当场修补"),
                      DifficultyInput("孩子上学路远")],
    )  # fmt: skip
    outreach_rules.record_visit(
        actor=actors.cadre, visited_on=dt.date(2026, 11, 2), village=actors.village, household=second
    )
    for channel in (Channel.HOTLINE, Channel.HOTLINE, Channel.MAILBOX):
        appeal_rules.submit(
            channel=channel, kind=Kind.HELP, title="路灯不亮", body="村口路灯坏了", village=actors.village,
            received_at=dt.datetime(2026, 11, 10, 9, 30, tzinfo=dt.UTC),
        )  # fmt: skip
    return made


#: The day the bulletin is written: the campaign (10-01 … 12-31) is still running.
TODAY = dt.date(2026, 11, 29)


def test_office_numbers() -> None:
    with translation.override("zh-hans"):
        assert [about(n) for n in (268, 1000, 1132, 1590, 13_245, 13_000, 109_000, 109_345)] == [
            "268", "1000", "1100多", "1500多", "1.3万多", "1.3万", "10.9万", "10.9万多"
        ]  # fmt: skip
        assert written_day(dt.date(2026, 3, 1)) == "2026年3月1日"
    with translation.override("en"):
        assert [about(n) for n in (268, 1132, 13_245)] == ["268", "1,100+", "13,000+"]
    assert [percent(100, 100), percent(199, 200), percent(1, 3), percent(0, 0)] == [
        "100%",
        "99.5%",
        "33.3%",
        "—",
    ]
    assert percent(9999, 10000) == "99.9%"  # never 100% when one is missing


def test_figures_match_the_hand_count(study: Study) -> None:
    figures = bulletin.gather(bulletin.scope_for(campaign=study.campaign, today=TODAY))
    assert (figures["from"], figures["to"]) == ("2026-10-01", "2026-11-29")  # the campaign so far
    s = figures["study"]
    # Campaign activities: tour, discussion, research (the report has no campaign).
    assert s["activities"] == {"lecture_tour": 1, "report": 0, "discussion": 1, "research": 1}
    assert s["sessions_by_kind"] == {"lecture_tour": 2, "discussion": 1}  # S1, S2; S3
    assert s["at_sea"] == {"sessions": 1, "members": 1}  # S2 on 闽渔8号: 海员甲
    assert s["members"] == {"reached": 3, "total": 4}  # 陈, 林, 海员甲; not 海员乙
    assert s["mobile_members"] == {"reached": 1, "total": 2}
    assert s["materials"]["book"] == 50 and s["materials"]["disc"] == 5 and s["materials"]["brochure"] == 0
    h = figures["hearing"]
    assert h["opinions"] == 3 and h["by_channel"]["hotline"] == 2 and h["by_channel"]["mailbox"] == 1
    v = figures["visits"]
    assert v["household_visits"] == 2 and v["households"]["visited"] == 2
    assert v["difficulties"] == {"found": 2, "resolved": 1}


def test_sentences_in_chinese(study: Study) -> None:
    with translation.override("zh-hans"):
        written = bulletin.build(bulletin.scope_for(campaign=study.campaign, today=TODAY))
        text = bulletin.as_markdown(written)
    assert written.title == "学习教育工作简报"
    assert "2026年10月1日" in written.period and "2026年11月29日" in written.period
    assert [section.heading for section in written.sections] == [
        "学习教育",
        "听取意见",
        "走访入户",
        "整改落实",
    ]
    assert "巡回宣讲2场次" in text
    assert "4名党员中3名参加学习（75%）" in text
    assert "其中分1批次送学上船，覆盖海上党员1名" in text
    assert "光盘5张、书籍50册" in text
    assert "共征求到意见建议3条" in text
    assert "帮助解决实际困难1件" in text


def test_an_empty_period_says_so(study: Study) -> None:
    with translation.override("zh-hans"):
        written = bulletin.build(
            bulletin.scope_for(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31))
        )
    hearing = next(s for s in written.sections if s.heading == "听取意见")
    assert hearing.sentences == ["本期未收到群众意见建议。"]


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            {"date_from": dt.date(2026, 5, 2), "date_to": dt.date(2026, 5, 1)},
            "The period ends before it starts.",
        ),
        (
            {"date_from": dt.date(2024, 1, 1), "date_to": dt.date(2026, 1, 1)},
            "A bulletin covers at most 400 days.",
        ),
        ({"date_from": dt.date(2026, 5, 2)}, "Choose a campaign, or give both dates of the period."),
    ],
)
def test_bad_periods_are_refused(dates: dict[str, dt.date], message: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        bulletin.scope_for(**dates)  # type: ignore[arg-type]
    assert error.value.messages == [message]


def test_the_page_prints_and_downloads_and_is_audited(study: Study) -> None:
    client = Client()
    client.login(username=study.actors.leader.username, password=PASSWORD)
    page = client.get("/reports/bulletin/", {"campaign": study.campaign.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert "学习教育工作简报" in html and '<button type="button" data-print>' in html  # minyi/site.js
    pdf = client.get("/reports/bulletin/", {"campaign": str(study.campaign.pk), "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    md = client.get("/reports/bulletin/", {"campaign": str(study.campaign.pk), "format": "md"})
    assert md.content.decode().startswith("工作简报") and "\n# 学习教育工作简报\n" in md.content.decode()
    assert AuditEvent.objects.filter(action="reports.bulletin_read").count() == 3


def test_the_page_refuses_bad_input_and_strangers(study: Study) -> None:
    client = Client()
    client.login(username=study.actors.leader.username, password=PASSWORD)
    bad = client.get("/reports/bulletin/", {"date_from": "2026-05-02", "date_to": "2026-05-01"},
                     HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert bad.status_code == 400
    assert "时段的结束日期早于开始日期。" in bad.content.decode()
    client.login(username=study.actors.handler_edu.username, password=PASSWORD)
    assert client.get("/reports/bulletin/", {"campaign": study.campaign.pk}).status_code == 403


def test_a_unit_head_reads_only_their_unit(study: Study) -> None:
    client = Client()
    client.login(username=study.actors.head_edu.username, password=PASSWORD)
    page = client.get("/reports/bulletin/")
    units = [str(unit) for unit in page.context["form"].fields["unit"].queryset]
    assert units == [str(study.actors.head_edu.person.unit)]
    other = client.get("/reports/bulletin/", {"campaign": study.campaign.pk, "unit": study.actors.town.pk})
    assert other.status_code == 400


def test_command_writes_every_format(study: Study, tmp_path: object) -> None:
    out = StringIO()
    call_command("reports", "bulletin", "--campaign", "STUDY26", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["study"]["at_sea"] == {"sessions": 1, "members": 1}
    out = StringIO()
    call_command("reports", "bulletin", "--campaign", "STUDY26", "--format", "md", stdout=out)
    assert "学习教育工作简报" in out.getvalue()
    target = f"{tmp_path}/bulletin.pdf"
    call_command("reports", "bulletin", "--campaign", "STUDY26", "--format", "pdf", "--output", target,
                 stderr=StringIO())  # fmt: skip
    with open(target, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    with pytest.raises(CommandError, match="No campaign"):
        call_command("reports", "bulletin", "--campaign", "NOPE")
    with pytest.raises(CommandError, match="needs --output"):
        call_command("reports", "bulletin", "--campaign", "STUDY26", "--format", "pdf")


def test_the_weekly_bulletin_reaches_each_recipient_once_a_week(study: Study) -> None:
    from minyi.org.models import StaffNotice
    from minyi.reports.jobs import send_to_recipients
    from minyi.reports.models import BulletinSubscription

    leader = study.actors.leader.person
    BulletinSubscription.objects.create(person=leader, campaign=study.campaign)
    monday = dt.date(2026, 11, 30)
    assert send_to_recipients(monday) == 1
    notice = StaffNotice.objects.get(user=study.actors.leader)
    assert (
        notice.text == "学习教育工作简报"
        and notice.link == f"/reports/bulletin/?campaign={study.campaign.pk}"
    )
    assert send_to_recipients(monday + dt.timedelta(days=2)) == 0  # the same week: nothing again
    assert send_to_recipients(monday + dt.timedelta(days=7)) == 1


def test_the_campaign_office_chooses_the_weekly_recipients(study: Study) -> None:
    from minyi.reports.models import BulletinSubscription

    client = Client()
    client.login(username=study.actors.dispatcher.username, password=PASSWORD)
    page = client.get("/reports/bulletin/", {"campaign": study.campaign.pk})
    assert study.actors.leader.person in page.context["leaders"]
    leader = study.actors.leader.person
    client.post("/reports/bulletin/recipients/", {"campaign": study.campaign.pk, "person": leader.pk})
    subscription = BulletinSubscription.objects.get(person=leader, campaign=study.campaign, is_active=True)
    again = client.post(
        "/reports/bulletin/recipients/", {"campaign": study.campaign.pk, "person": leader.pk}, follow=True
    )
    assert "already receives" in again.content.decode() or "已在接收" in again.content.decode()
    cadre = study.actors.cadre.person
    client.post("/reports/bulletin/recipients/", {"campaign": study.campaign.pk, "person": cadre.pk})
    assert not BulletinSubscription.objects.filter(person=cadre).exists()  # leaders only
    client.post("/reports/bulletin/recipients/", {"campaign": study.campaign.pk, "stop": subscription.pk})
    assert not BulletinSubscription.objects.get(pk=subscription.pk).is_active
    client.login(username=study.actors.leader.username, password=PASSWORD)
    refused = client.post(
        "/reports/bulletin/recipients/", {"campaign": study.campaign.pk, "person": leader.pk}
    )
    assert refused.status_code == 403
