"""The hotspot board: a period asked for, computed by the worker from the appeals, shown to the district
office, and a hotspot turned into a rectification item with its appeals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind, RejectReason
from minyi.appeals.models import Appeal
from minyi.insight import board, hotspots
from minyi.insight.models import GazetteerPlace, HotspotCluster, HotspotRun
from minyi.ledger.choices import IssueSource, Track
from minyi.ledger.models import Campaign, Issue
from minyi.testing import PASSWORD, Actors
from minyi.worker.choices import JobState
from minyi.worker.models import Job
from minyi.worker.rules import enqueue, work
from minyi.worker.schedule import schedule_of

pytestmark = pytest.mark.django_db

# Four people about the village's street lamps; a fifth writes about something else.
LAMPS = [
    (
        "东村三组路灯不亮",
        "东村三组的路灯坏了一个多月，晚上出行不便，老人孩子走夜路很危险，请尽快修复路灯。",
        "13900000001",
    ),
    (
        "东村路灯坏了没人修",
        "东村三组路灯坏了很久，晚上一片漆黑，村民出行不便，希望尽快修好路灯。",
        "13900000002",
    ),
    (
        "反映东村三组路灯长期不亮",
        "东村三组至五组的路灯长期不亮，晚上出行不安全，请有关部门尽快修复路灯。",
        "13900000003",
    ),
    ("东村晚上路灯不亮出行不便", "东村的路灯晚上不亮，村民夜间出行不便，请尽快安排维修路灯。", "13900000004"),
]
ONE_OFF = (
    "海城镇菜市场乱收费",
    "海城镇菜市场管理处向摊贩乱收卫生费，没有收据，请市场监管部门查处。",
    "13900000005",
)


@pytest.fixture(autouse=True)
def _sms_to_tmp(settings: Any, tmp_path: Path) -> None:
    """The worker also delivers the citizens' receipts: to a file of this test, not var/."""
    settings.MINYI_SMS_FILE = tmp_path / "sms.jsonl"


@pytest.fixture
def campaign(actors: Actors) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        code="QZLX",
        name="群众路线教育实践活动",
        starts_on=today - timedelta(days=200),
        ends_on=today + timedelta(days=200),
    )


def submit(actors: Actors, title: str, body: str, phone: str, days_ago: int) -> Appeal:
    return appeal_rules.submit(
        channel=Channel.MAILBOX,
        kind=Kind.COMPLAINT,
        title=title,
        body=body,
        village=actors.village,
        citizen_phone=phone,
        received_at=noon(days_ago),
    ).appeal


def noon(days_ago: int) -> datetime:
    """Noon (local time) ``days_ago`` days before today: in the period whatever the hour of the test."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return datetime.combine(day, time(12), tzinfo=timezone.get_default_timezone())


@pytest.fixture
def lamps(actors: Actors) -> list[Appeal]:
    return [submit(actors, *row, days_ago=10 - number) for number, row in enumerate(LAMPS)]


@pytest.fixture
def one_off(actors: Actors) -> Appeal:
    return submit(actors, *ONE_OFF, days_ago=3)


def last_days(days: int = 30) -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=days - 1), today


def computed(actors: Actors) -> HotspotRun:
    run = board.request_run(*last_days(), actor=actors.dispatcher)
    work("test-worker", once=True)
    run.refresh_from_db()
    return run


def test_a_problem_many_people_raise_is_a_hotspot_with_its_appeals_and_a_one_off_is_not(
    actors: Actors, lamps: list[Appeal], one_off: Appeal
) -> None:
    abusive = submit(actors, "东村路灯又不亮", "东村路灯不亮，全是废物（辱骂）。", "13900000009", days_ago=2)
    appeal_rules.reject(abusive, actor=actors.dispatcher, reason=RejectReason.ABUSIVE, note="辱骂")
    run = board.request_run(*last_days(), actor=actors.dispatcher)
    assert run.state == HotspotRun.State.PENDING
    assert Job.objects.filter(kind=board.HOTSPOT_JOB, payload={"run": run.pk}).count() == 1

    work("test-worker", once=True)

    run.refresh_from_db()
    assert run.state == HotspotRun.State.DONE and run.finished_at is not None and run.seconds is not None
    assert run.appeals_read == 5  # the four about the lamps and the one-off; not the abusive one
    [cluster] = run.clusters.all()
    assert set(cluster.appeals.all()) == set(lamps)
    assert (cluster.rank, cluster.size, cluster.people) == (1, 4, 4)
    assert "路灯" in cluster.title and cluster.heat > 0
    assert cluster.first_at == lamps[0].received_at and cluster.last_at == lamps[-1].received_at
    assert not HotspotCluster.objects.filter(appeals=one_off).exists()


def test_a_merged_duplicate_still_counts_as_one_more_person(actors: Actors, lamps: list[Appeal]) -> None:
    appeal_rules.merge(lamps[3], into=lamps[0], actor=actors.dispatcher)
    [cluster] = computed(actors).clusters.all()
    assert cluster.people == 4 and lamps[3] in cluster.appeals.all()


def test_an_appeal_outside_the_period_is_not_read(actors: Actors, lamps: list[Appeal]) -> None:
    first, last = last_days(9)  # the lamp appeals of 9 and 10 days ago are older than this
    run = board.request_run(first, last, actor=actors.dispatcher)
    work("test-worker", once=True)
    run.refresh_from_db()
    assert run.appeals_read == 2 and not run.clusters.exists()


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (0, -1, "starts_on"),  # ends before it starts
        (-2, 1, "ends_on"),  # ends tomorrow
        (-366, 0, "starts_on"),  # 367 days
    ],
)
def test_a_bad_period_is_refused_and_nothing_is_saved(
    actors: Actors, start: int, end: int, field: str
) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        board.request_run(today + timedelta(days=start), today + timedelta(days=end), actor=actors.dispatcher)
    assert field in refused.value.message_dict
    assert not HotspotRun.objects.exists() and not Job.objects.filter(kind=board.HOTSPOT_JOB).exists()


def test_a_year_is_allowed_and_a_pending_period_is_not_asked_twice(actors: Actors) -> None:
    first = board.request_run(*last_days(366), actor=actors.dispatcher)
    again = board.request_run(*last_days(366), actor=actors.leader)
    assert again == first
    assert Job.objects.filter(kind=board.HOTSPOT_JOB).count() == 1


def test_only_viewers_of_the_board_may_ask_for_one(actors: Actors) -> None:
    with pytest.raises(PermissionDenied):
        board.request_run(*last_days(), actor=actors.handler_edu)


def test_a_hotspot_becomes_an_item_with_its_appeals_once(
    actors: Actors, campaign: Campaign, lamps: list[Appeal]
) -> None:
    [cluster] = computed(actors).clusters.all()
    fields: dict[str, Any] = {
        "campaign": campaign,
        "track": Track.FIX_NOW,
        "lead_unit": actors.town,
        "leader": actors.leader,
        "deadline": timezone.localdate() + timedelta(days=20),
    }
    issue = board.make_issue(cluster, actor=actors.dispatcher, **fields)
    assert set(issue.appeals.all()) == set(lamps)
    assert issue.title == cluster.title and issue.source == IssueSource.APPEALS
    cluster.refresh_from_db()
    assert cluster.issue == issue
    with pytest.raises(ValidationError, match=issue.title):
        board.make_issue(cluster, actor=actors.dispatcher, title="再来一次", **fields)
    assert Issue.objects.count() == 1


def test_only_the_district_office_and_leaders_make_an_item(
    actors: Actors, campaign: Campaign, lamps: list[Appeal]
) -> None:
    [cluster] = computed(actors).clusters.all()
    with pytest.raises(PermissionDenied):
        board.make_issue(
            cluster,
            actor=actors.auditor,  # sees the board, changes nothing
            campaign=campaign,
            track=Track.FIX_NOW,
            lead_unit=actors.town,
            leader=actors.leader,
            deadline=timezone.localdate() + timedelta(days=20),
        )
    assert not Issue.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_computation_is_written_on_the_run_and_the_job(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    from minyi.testing import make_actors

    actors = make_actors()

    def broken(*args: object, **kwargs: object) -> list[hotspots.Hotspot]:
        raise MemoryError("too many appeals")

    monkeypatch.setattr(hotspots, "find_hotspots", broken)
    run = computed(actors)
    assert run.state == HotspotRun.State.FAILED and "too many appeals" in run.error
    job = Job.objects.get(kind=board.HOTSPOT_JOB)
    assert job.state == JobState.DEAD and "too many appeals" in job.last_error


# --- pages ---------------------------------------------------------------------------------------


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_a_handler_may_not_see_the_board(actors: Actors, lamps: list[Appeal]) -> None:
    cluster = computed(actors).clusters.get()
    client = client_of("handler_edu")
    assert client.get(reverse("insight:hotspots")).status_code == 403
    assert client.get(reverse("insight:cluster", args=[cluster.pk])).status_code == 403
    assert client.post(reverse("insight:hotspots"), {"starts_on": "2026-01-01"}).status_code == 403
    assert reverse("insight:hotspots") not in client.get("/").content.decode()
    assert reverse("insight:hotspots") in client_of("dispatcher").get("/").content.decode()


def test_the_board_page_asks_shows_pending_then_the_hotspots_with_the_formula(
    actors: Actors, lamps: list[Appeal], one_off: Appeal
) -> None:
    client = client_of("dispatcher")
    page = client.get(reverse("insight:hotspots"))
    first, last = last_days()
    assert page.status_code == 200 and first.isoformat() in page.content.decode()

    asked = client.post(reverse("insight:hotspots"), {"starts_on": first, "ends_on": last})
    assert asked.status_code == 302
    pending = client.get(asked["Location"]).content.decode()
    assert 'id="board-pending"' in pending

    work("test-worker", once=True)
    html = client.get(asked["Location"]).content.decode()
    assert 'id="board-pending"' not in html
    cluster = HotspotCluster.objects.get()
    assert cluster.title in html and hotspots.HEAT_FORMULA in html
    assert reverse("insight:cluster", args=[cluster.pk]) in html

    detail = client.get(reverse("insight:cluster", args=[cluster.pk])).content.decode()
    for appeal in lamps:
        assert reverse("appeals:detail", args=[appeal.number]) in detail
    assert str(one_off.number) not in detail
    assert 'id="make-issue"' in detail

    client.post(reverse("set_language"), {"language": "en"})
    assert hotspots.HEAT_FORMULA_EN in client.get(asked["Location"]).content.decode()


def test_a_bad_period_on_the_page_is_a_clear_error(actors: Actors) -> None:
    client = client_of("dispatcher")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = client.post(reverse("insight:hotspots"), {"starts_on": tomorrow, "ends_on": tomorrow})
    assert page.status_code == 400
    assert "不能晚于今天" in page.content.decode() or "future" in page.content.decode()
    assert not HotspotRun.objects.exists()


def test_an_auditor_reads_the_board_but_gets_no_item_form(actors: Actors, lamps: list[Appeal]) -> None:
    cluster = computed(actors).clusters.get()
    client = client_of("auditor")
    assert client.get(reverse("insight:hotspot_run", args=[cluster.run_id])).status_code == 200
    page = client.get(reverse("insight:cluster", args=[cluster.pk])).content.decode()
    assert 'id="make-issue"' not in page
    assert client.post(reverse("insight:make_issue", args=[cluster.pk])).status_code == 403


def test_the_item_form_makes_the_item_and_goes_to_it(
    actors: Actors, campaign: Campaign, lamps: list[Appeal]
) -> None:
    cluster = computed(actors).clusters.get()
    client = client_of("dispatcher")
    form = {
        "campaign": campaign.pk,
        "title": "东村路灯整治",
        "track": Track.FIX_NOW,
        "lead_unit": actors.town.pk,
        "leader": actors.leader.pk,
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
    }
    done = client.post(reverse("insight:make_issue", args=[cluster.pk]), form)
    issue = Issue.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("ledger:detail", args=[issue.pk])
    assert set(issue.appeals.all()) == set(lamps)
    item = client.get(done["Location"]).content.decode()
    assert all(str(appeal.number) in item for appeal in lamps)

    again = client.post(reverse("insight:make_issue", args=[cluster.pk]), form)
    assert again.status_code == 302 and Issue.objects.count() == 1
    board_page = client.get(reverse("insight:hotspot_run", args=[cluster.run_id])).content.decode()
    assert reverse("ledger:detail", args=[issue.pk]) in board_page


def test_the_worker_refreshes_the_board_every_night_for_30_days_and_the_running_campaign(
    actors: Actors, lamps: list[Appeal], campaign: Campaign
) -> None:
    assert schedule_of(board.NIGHTLY_JOB).daily_at == time(2, 0)
    enqueue(board.NIGHTLY_JOB, {"slot": "tonight"})
    work("test-worker", once=True)

    runs = HotspotRun.objects.filter(requested_by=None, state=HotspotRun.State.DONE)
    today = timezone.localdate()
    assert {(run.starts_on, run.ends_on) for run in runs} == {last_days(), (campaign.starts_on, today)}
    for run in runs:
        [cluster] = run.clusters.all()
        assert set(cluster.appeals.all()) == set(lamps)
        # The appeals' village (东村, from the unit tree) is the place, not a run of their words.
        assert cluster.place == "东村" and not cluster.district_wide


def test_the_dashboard_never_says_no_figures_for_hotspots_when_there_are_appeals(
    actors: Actors, lamps: list[Appeal]
) -> None:
    client = client_of("leader")

    def hotspot_panel() -> str:
        html = client.get(reverse("reports:dashboard")).content.decode()
        start = html.index('id="panel-hotspots"')
        return html[start : html.index("</section>", start)]

    before = hotspot_panel()
    assert "本期暂无数据" not in before and "热点榜正在生成" in before
    # The page asked for the nightly refresh at once (once a day, however often it is opened).
    hotspot_panel()
    assert Job.objects.filter(kind=board.NIGHTLY_JOB).count() == 1

    work("test-worker", once=True)
    after = hotspot_panel()
    assert (
        "热点榜正在生成" not in after
        and HotspotCluster.objects.get(run__ends_on=timezone.localdate()).title in after
    )


def district_wide_appeals(actors: Actors) -> list[Appeal]:
    """Five people of three villages in two townships about the villages' locked culture halls."""
    rows = [
        (actors.village, "东村文化礼堂长期锁门", "东村文化礼堂长期锁门，村民没有活动场所，请村里按时开放。"),
        (
            actors.village2,
            "西村文化礼堂长期锁门",
            "西村文化礼堂一直锁门，村民想活动也进不去，请按时开放礼堂。",
        ),
        (actors.other_village, "南村文化礼堂长期锁门", "南村文化礼堂长期锁门不开放，村民没有活动场所。"),
        (actors.village, "文化礼堂锁门村民进不去", "我们村文化礼堂长期锁门，村民活动进不去，希望开放。"),
        (actors.other_village, "村文化礼堂长期锁门", "村里文化礼堂长期锁门，老人没有地方活动，请按时开放。"),
    ]
    return [
        appeal_rules.submit(
            channel=Channel.MAILBOX,
            kind=Kind.COMPLAINT,
            title=title,
            body=body,
            village=village,
            citizen_phone=f"1390000010{number}",
            received_at=noon(5 - number),
        ).appeal
        for number, (village, title, body) in enumerate(rows)
    ]


def test_a_problem_of_many_villages_is_shown_district_wide_with_its_villages(actors: Actors) -> None:
    appeals = district_wide_appeals(actors)
    cluster = computed(actors).clusters.get()
    assert set(cluster.appeals.all()) == set(appeals)
    assert cluster.district_wide and cluster.place == ""
    assert cluster.villages[:2] == ["东村", "南村"] and set(cluster.villages) == {"东村", "西村", "南村"}
    client = client_of("dispatcher")
    board_html = client.get(reverse("insight:hotspot_run", args=[cluster.run_id])).content.decode()
    assert "全区" in board_html and "东村、南村、西村" in board_html
    assert "村文化礼堂长期锁门村民" not in board_html
    detail = client.get(reverse("insight:cluster", args=[cluster.pk])).content.decode()
    assert "全区" in detail and "涉及村（社区）" in detail and "东村、南村、西村" in detail


def test_evaluation_forms_do_not_join_the_citizens_hotspot(actors: Actors, lamps: list[Appeal]) -> None:
    forms = [
        appeal_rules.submit(
            channel=Channel.EVALUATION,
            kind=Kind.SUGGESTION,
            title=f"民主评议意见：海城镇{name}",
            body=f"评议意见：{name}路灯不亮；村务公开不及时；垃圾清运不及时；低保评定要公开；村道破损；干部作风有待改进。",
            village=village,
            received_at=noon(4),
        ).appeal
        for name, village in (("东村", actors.village), ("西村", actors.village2), ("", None))
    ]
    run = computed(actors)
    [cluster] = run.clusters.all()
    assert set(cluster.appeals.all()) == set(lamps)
    assert not HotspotCluster.objects.filter(appeals__in=forms).exists()


def test_an_admin_adds_a_place_to_the_gazetteer_and_the_board_names_it(
    actors: Actors, lamps: list[Appeal]
) -> None:
    admin = client_of("admin")
    added = admin.post(
        reverse("admin:insight_gazetteerplace_add"),
        {"name": "东村三组", "kind": "other", "township": actors.town.pk, "is_active": "on"},
    )
    assert added.status_code == 302
    assert GazetteerPlace.objects.get().name == "东村三组"
    cluster = computed(actors).clusters.get()
    # Three of the four name 东村三组: more specific than the village all four share.
    assert cluster.place == "东村三组"
