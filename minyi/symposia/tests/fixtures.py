"""A hand-counted symposia fixture (the figures the summary tests expect are worked out here).

Campaign SYM26 (2026-01-01 … 2026-06-30):
- S1 2026-01-10 hosted by 海城镇 (T1), villagers, 20 attendees, held in T1 / 东村: 3 opinions (by the cadre).
- S2 2026-02-15 hosted by 区教育局, enterprises, 12 attendees, held in 青山镇 (T2): 2 opinions.
- S3 2026-03-01 hosted by the district, deputies, 30 attendees, no township: 1 opinion.
Outside the campaign:
- S4 2026-08-01 hosted by 海城镇, villagers, 10 attendees, held in T1, no campaign: 1 opinion.

Campaign: 3 symposia, 62 attendees, 6 opinions; villagers 1/20/3, enterprises 1/12/2, deputies 1/30/1;
T1 1/20/3, T2 1/12/2, no township 1/30/1. All time: 4/72/7, villagers 2/30/4, T1 2/30/4.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from minyi.appeals.choices import Kind
from minyi.ledger.models import Campaign
from minyi.symposia import rules
from minyi.symposia.choices import Group
from minyi.symposia.models import Symposium
from minyi.symposia.rules import OpinionInput
from minyi.testing import Actors


@dataclass
class Fixture:
    campaign: Campaign
    s1: Symposium
    s2: Symposium
    s3: Symposium
    s4: Symposium


def build(actors: Actors) -> Fixture:
    campaign = Campaign.objects.create(
        code="SYM26", name="上半年座谈", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    s1 = rules.hold_symposium(
        actor=actors.cadre, held_on=date(2026, 1, 10), title="村民代表恳谈会", host=actors.town,
        group=Group.VILLAGERS, attendees=20, campaign=campaign, township=actors.town, village=actors.village,
    )  # fmt: skip
    rules.add_opinions(
        s1,
        [OpinionInput("村道路灯坏了半年没人修"),
         OpinionInput("医保报销太慢", kind=Kind.COMPLAINT, speaker="王大海"),
         OpinionInput("希望开办老年食堂", kind=Kind.HELP)],
        actor=actors.cadre,
    )  # fmt: skip
    s2 = rules.hold_symposium(
        actor=actors.dispatcher, held_on=date(2026, 2, 15), title="企业代表座谈会", host=actors.edu,
        group=Group.ENTERPRISES, attendees=12, campaign=campaign, township=actors.other_town,
    )  # fmt: skip
    rules.add_opinions(
        s2, [OpinionInput("职业技能培训跟不上"), OpinionInput("校企合作缺平台")], actor=actors.dispatcher
    )
    s3 = rules.hold_symposium(
        actor=actors.leader, held_on=date(2026, 3, 1), title="人大代表政协委员座谈会", host=actors.district,
        group=Group.DEPUTIES, attendees=30, campaign=campaign,
    )  # fmt: skip
    rules.add_opinions(s3, [OpinionInput("会议太多，基层疲于应付")], actor=actors.leader)
    s4 = rules.hold_symposium(
        actor=actors.cadre, held_on=date(2026, 8, 1), title="夏季村民座谈会", host=actors.town,
        group=Group.VILLAGERS, attendees=10, township=actors.town,
    )  # fmt: skip
    rules.add_opinions(s4, [OpinionInput("汛期排水沟堵塞")], actor=actors.cadre)
    return Fixture(campaign=campaign, s1=s1, s2=s2, s3=s3, s4=s4)
