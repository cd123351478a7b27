"""Demo symposia for the demo campaign (integrator: call ``seed(campaign)`` from seed_demo after the
ledger's campaign is loaded; it does nothing when any symposium exists).

About 120 symposia across the campaign's months, the district's townships and every participant group,
each with a realistic attendee count (8-40) and minutes, recorded through ``rules.hold_symposium`` (as
the system). Their opinions are *not* new appeals: the campaign already holds about a thousand appeals
of channel ``symposium`` (minyi.demo.ledger), and each is linked, in one bulk insert of ``Opinion`` rows,
to a symposium of its township held on or shortly before the day it was received — so the campaign's
total of appeals stays as it is. The appeal's citizen name, if any, becomes the speaker.
"""

from __future__ import annotations

import bisect
import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal
from minyi.audit.rules import record
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Unit
from minyi.symposia import rules
from minyi.symposia.choices import Group
from minyi.symposia.models import Opinion, Symposium

SEED = 20260707
SYMPOSIA = 120
#: How far back from an appeal's day its symposium is looked for first.
RECENT_DAYS = 30

#: Whom each kind of host unit mostly hears, with weights.
GROUPS_BY_HOST: dict[str, list[tuple[str, int]]] = {
    UnitKind.DISTRICT: [
        (Group.RETIRED_CADRES, 3), (Group.DEPUTIES, 4), (Group.NON_PARTY, 3), (Group.ENTERPRISES, 2),
    ],
    UnitKind.DEPARTMENT: [
        (Group.ENTERPRISES, 3), (Group.VILLAGERS, 3), (Group.DEPUTIES, 2), (Group.OTHER, 1),
    ],
    UnitKind.TOWNSHIP: [
        (Group.VILLAGERS, 6), (Group.GRASSROOTS_CADRES, 3), (Group.RETIRED_CADRES, 2),
        (Group.ENTERPRISES, 2), (Group.NON_PARTY, 1),
    ],
}  # fmt: skip

#: Themes, per group.
THEMES: dict[str, list[str]] = {
    Group.RETIRED_CADRES: ["老干部座谈会：听取对作风建设的意见建议", "离退休老干部征求意见座谈会"],
    Group.DEPUTIES: ["人大代表、政协委员征求意见座谈会", "“两代表一委员”座谈会：聚焦民生实事"],
    Group.NON_PARTY: ["党外人士座谈会：听取民主党派和无党派人士意见", "党外知识分子征求意见座谈会"],
    Group.ENTERPRISES: ["企业代表座谈会：优化营商环境", "重点企业负责人座谈会：破解发展难题"],
    Group.VILLAGERS: ["群众代表座谈会：村里的难事急事", "村民代表恳谈会：听民声、解民忧"],
    Group.GRASSROOTS_CADRES: ["基层干部座谈会：减轻基层负担", "村（社区）干部座谈会：为民办事的堵点"],
    Group.OTHER: ["行业代表座谈会：听取服务对象意见", "新就业群体座谈会：快递员、外卖骑手说心里话"],
}

TOPICS = [
    "道路硬化和路灯维修",
    "农村饮水安全",
    "看病就医和医保报销",
    "孩子上学和校车接送",
    "渔船安全和渔港管理",
    "办事效率和窗口服务",
    "会风文风和检查考核过多",
    "环境卫生和垃圾处理",
    "养老服务和留守老人",
    "就业技能培训",
    "惠企政策落实",
    "征地拆迁补偿",
    "住房保障",
    "文化活动场所",
]

MINUTES = (
    "{date}，{host}召开{title}，{chair}主持，{n}人参加。会前发放征求意见表，会上大家敞开心扉、直言不讳，"
    "围绕{topics}等方面提出意见建议。主持人逐条记录，表示会后梳理分类、交办落实，并及时向大家反馈办理情况。"
)


def _months(campaign: Campaign, today: date) -> list[tuple[date, date]]:
    """The campaign's months, each as (first day, last day), up to today."""
    spans, day = [], campaign.starts_on
    last = min(campaign.ends_on, today)
    while day <= last:
        nxt = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        spans.append((day, min(nxt - timedelta(days=1), last)))
        day = nxt
    return spans


def seed(campaign: Campaign, *, count: int = SYMPOSIA) -> dict[str, int]:
    """Load the demo symposia of ``campaign`` once (nothing happens when any symposium exists) and link
    the campaign's symposium appeals to them; return how many symposia and opinions were made."""
    if Symposium.objects.exists():
        return {}
    rng = random.Random(SEED)
    today = timezone.localdate()
    months = _months(campaign, today)
    townships = list(Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True).order_by("code"))
    if not months or not townships:
        return {}
    district = townships[0].parent
    departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("code"))
    villages: dict[int, list[Unit]] = {}
    for place in Unit.objects.filter(kind__in=RESIDENTIAL_KINDS, is_active=True).order_by("code"):
        villages.setdefault(place.parent_id or 0, []).append(place)
    with transaction.atomic():
        held: dict[int, list[Symposium]] = {}
        for number in range(count):
            township = townships[number % len(townships)]
            roll = rng.random()
            host = township if roll < 0.7 or not departments else rng.choice(departments)
            if roll > 0.92 and district is not None:
                host, township = district, townships[0]  # the district's own, held at its seat
            group = rng.choices(*zip(*GROUPS_BY_HOST[host.kind], strict=True))[0]
            first, last = months[number * len(months) // count]
            held_on = first + timedelta(days=rng.randrange((last - first).days + 1))
            village: Unit | None = None
            if group == Group.VILLAGERS and villages.get(township.pk):
                village = rng.choice(villages[township.pk])
            attendees = rng.randint(8, 40)
            title = rng.choice(THEMES[group])
            chair = f"{host.name}负责同志"
            symposium = rules.hold_symposium(
                actor=None,
                held_on=held_on,
                title=title,
                host=host,
                host_name=chair,
                group=group,
                attendees=attendees,
                place=f"{(village or township).name}会议室",
                minutes=MINUTES.format(
                    date=f"{held_on.year}年{held_on.month}月{held_on.day}日",
                    host=host.name,
                    title=title,
                    chair=chair,
                    n=attendees,
                    topics="、".join(rng.sample(TOPICS, 3)),
                ),
                campaign=campaign,
                township=township,
                village=village,
            )
            held.setdefault(township.pk, []).append(symposium)
        linked = _link(campaign, held, rng)
        record("symposia.demo_loaded", actor=None, detail={"symposia": count, "opinions": linked})
    return {"symposia": count, "opinions": linked}


def _link(campaign: Campaign, held: dict[int, list[Symposium]], rng: random.Random) -> int:
    """Link each of the campaign's symposium appeals (not yet linked) to a symposium of its township
    held in the month before it was received (or the nearest one held before it, or the first)."""
    for symposia in held.values():
        symposia.sort(key=lambda s: s.held_on)
    appeals = (
        Appeal.objects.filter(
            channel=Channel.SYMPOSIUM,
            received_at__date__gte=campaign.starts_on,
            received_at__date__lte=campaign.ends_on,
            symposium_opinion__isnull=True,
            township_id__in=list(held),
        )
        .order_by("pk")
        .values_list("pk", "township_id", "received_at", "citizen_name")
    )
    opinions = []
    for pk, township_id, received_at, citizen_name in appeals.iterator(chunk_size=2000):
        symposia = held[township_id]
        days = [s.held_on for s in symposia]
        day = timezone.localdate(received_at)
        end = bisect.bisect_right(days, day)
        start = bisect.bisect_left(days, day - timedelta(days=RECENT_DAYS))
        # One held in the month before, at random; else the last one before; else the township's first.
        symposium = symposia[rng.randrange(start, end)] if end > start else symposia[max(end - 1, 0)]
        opinions.append(Opinion(symposium=symposium, appeal_id=pk, speaker=(citizen_name or "")[:50]))
    Opinion.objects.bulk_create(opinions, batch_size=1000)
    return len(opinions)
