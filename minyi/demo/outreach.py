"""The demo outreach of 海滨区's campaign, shaped like the real one ("走访100个村10.9万农户，帮助解决
实际困难1100多件"): every village visited by its leader each month and each of the district's
10.9万 households visited once, about 110,000 visits over the campaign's months, 1,100+
difficulties handled on the spot, and the pairings behind them (the ~50 district leaders each
paired with two of the 100 villages, 联百村; enterprises; households in difficulty paired with
township cadres).

Everything goes through the outreach rules: pairings through ``rules.create_pairing``, visits through
``imports.import_visits``, one visit sheet per township and month entered by the township's clerk
(a cadre login, made with ``org.rules.create_person``; 渔港镇's is the demo "cadre"). The visits are
generated with ``random.Random`` and a fixed seed; with fewer households (``seed_demo --scale``) the
household visits and difficulties shrink in proportion.

Difficulties are not turned into appeals: the campaign's 1.3万 appeals already include the visit
channel's, and a difficulty handled on the spot counts as resolved from its own record.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from minyi.demo import ledger as ledger_demo
from minyi.demo import org as org_demo
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Household, Person, Unit
from minyi.org.rules import create_person
from minyi.outreach import rules
from minyi.outreach.choices import Checklist, PlanPeriod
from minyi.outreach.imports import VisitRow, import_visits
from minyi.outreach.models import Visit
from minyi.outreach.rules import DifficultyInput

SEED = 20140705
#: Household visits per household: each of the district's 10.9万 households (109,200) visited once, so
#: the bulletin reads "入户走访10.9万多户次，覆盖农户10.9万多户" as the report does (cut, not rounded, to
#: one decimal: minyi.reports.numbers.about).
VISITS_PER_HOUSEHOLD = 1.0
#: Of the household visits, the share where a difficulty was handled on the spot (1,1xx at full
#: scale) and where one was found and left for follow-up.
ON_SPOT_SHARE = 0.0106
FOLLOW_UP_SHARE = 0.0024
#: Share of the household visits made by the leader paired with the village (the rest: township cadres).
LEADER_SHARE = 0.12
DIARY_SHARE = 0.3
HOUSEHOLD_PAIRINGS_PER_CADRE = 3
CLERK_TITLE = "走访信息员"

DIFFICULTIES: list[tuple[str, str]] = [
    ("家中老人行动不便，医保报销材料无人帮忙递交", "当场帮助整理报销材料，由驻村干部代为递交"),
    ("自来水水压不足，高峰时段用水困难", "联系镇供水站当场检修加压阀，恢复正常供水"),
    ("屋后排水沟堵塞，雨天积水进屋", "组织村干部和党员当场清理排水沟"),
    ("低保年审材料不清楚如何准备", "当场讲解政策并帮助填写年审表格"),
    ("孩子入学需要的户籍证明不会开", "当场联系派出所户籍窗口，预约次日办理"),
    ("村道路灯损坏，夜间出行不便", "联系村电工当场更换灯泡"),
    ("渔船证书到期，不清楚换证流程", "当场讲解换证流程并预约海洋与渔业局窗口"),
    ("独居老人家中电线老化存在隐患", "联系供电所电工当场更换老化线路"),
    ("残疾人补贴停发，不知道原因", "当场电话联系区残联核实，补发手续已启动"),
    ("养老保险缴费档次不清楚", "当场讲解缴费档次并帮助选择"),
    ("门前道路坑洼，三轮车通行困难", "组织村里当场用碎石填平"),
    ("家庭医生签约后不知道如何预约", "当场帮助在手机上完成预约"),
]
FOLLOW_UPS = [
    "村口桥梁护栏破损，需要镇里统一维修",
    "希望增加往返镇区的公交班次",
    "承包地流转租金多年未调整",
    "海塘加固工程影响出海通道，希望协调",
    "老旧小区没有电梯，上下楼困难",
]
DIARIES = [
    "走访{head}家，了解家庭收入和子女就学情况，宣传惠民政策。",
    "到{head}家座谈，听取对村务公开和干部作风的意见。",
    "看望{head}，询问身体状况和生活困难，留下联系卡。",
    "与{head}拉家常，征求对教育实践活动的意见建议。",
]
VILLAGE_NOTES = [
    ("与村两委研究帮扶计划，明确年内实事项目", "召开村民代表会议，通报上月问题办理情况"),
    ("走访村级集体经济项目，研究增收措施", "组织党员议事会，回顾走访中的问题"),
]


def seed() -> dict[str, int]:
    """Load the demo outreach of the demo campaign once; return what was made ({} when the campaign
    is missing or its visits are already there)."""
    campaign = ledger_demo.demo_campaign()
    if campaign is None or Visit.objects.filter(campaign=campaign).exists():
        return {}
    district = Unit.objects.filter(code=org_demo.DISTRICT_CODE).first()
    if district is None:
        return {}
    with transaction.atomic():
        return _Outreach(campaign, district).run()


def _password_hash() -> str | None:
    user = User.objects.filter(username="member").first()
    return user.password if user is not None else None


class _Outreach:
    def __init__(self, campaign: Campaign, district: Unit) -> None:
        self.rng = random.Random(SEED)
        self.campaign = campaign
        self.townships = list(Unit.objects.filter(kind=UnitKind.TOWNSHIP, path__startswith=district.path))
        self.townships.sort(key=lambda u: u.path)
        self.villages = list(
            Unit.objects.filter(kind__in=RESIDENTIAL_KINDS, is_active=True, path__startswith=district.path)
            .select_related("parent")
            .order_by("path")
        )
        self.enterprises = list(
            Unit.objects.filter(kind=UnitKind.ENTERPRISE, path__startswith=district.path)
            .select_related("parent")
            .order_by("path")
        )
        self.leaders = list(Person.objects.filter(role=Role.LEADER, is_active=True).order_by("pk"))
        self.cadres: dict[int, list[Person]] = defaultdict(list)
        for cadre in Person.objects.filter(role=Role.CADRE, is_active=True, unit__in=self.townships).order_by(
            "pk"
        ):
            self.cadres[cadre.unit_id].append(cadre)
        self.households: dict[int, list[Household]] = defaultdict(list)
        for household in Household.objects.filter(village__in=self.villages).only(
            "id", "code", "village_id", "head_name"
        ):
            self.households[household.village_id].append(household)
        self.dispatcher = User.objects.get(username="dispatcher")

    # --- who -------------------------------------------------------------------------------------

    def clerks(self) -> dict[int, User]:
        """The login entering each township's sheets: the demo "cadre" in its township, a new
        走访信息员 (cadre) elsewhere, e.g. "t01-cadre-1"."""
        hashed = _password_hash()
        found: dict[int, User] = {}
        demo_cadre = Person.objects.filter(user__username="cadre").select_related("user").first()
        for town in self.townships:
            if demo_cadre is not None and demo_cadre.unit_id == town.pk and demo_cadre.user is not None:
                found[town.pk] = demo_cadre.user
                continue
            username = f"{town.code.lower()}-cadre-1"
            person = Person.objects.filter(user__username=username).select_related("user").first()
            if person is None:
                person = create_person(
                    name=org_demo.person_name(self.rng),
                    unit=town,
                    role=Role.CADRE,
                    title=CLERK_TITLE,
                    phone=org_demo.phone_number(self.rng),
                    username=username,
                    password_hash=hashed,
                    actor=None,
                )
            assert person.user is not None
            found[town.pk] = person.user
        return found

    def pairings(self) -> tuple[dict[int, Person], dict[int, Person]]:
        """联百村: leader i with villages 2i and 2i+1; the first leaders with an enterprise each; each
        township cadre with a few households. Returns who is paired with each village / enterprise."""
        starts = self.campaign.starts_on
        by_village: dict[int, Person] = {}
        by_enterprise: dict[int, Person] = {}
        if not self.leaders:
            return by_village, by_enterprise
        for i, village in enumerate(self.villages):
            leader = self.leaders[(i // 2) % len(self.leaders)]
            rules.create_pairing(
                actor=self.dispatcher,
                person=leader,
                unit=village,
                visits_planned=1,
                period=PlanPeriod.MONTH,
                purpose=f"联百村：每月到{village.name}走访一次，帮助制定落实帮扶计划",
                started_on=starts,
            )
            by_village[village.pk] = leader
        for i, enterprise in enumerate(self.enterprises):
            leader = self.leaders[-1 - i % len(self.leaders)]
            rules.create_pairing(
                actor=self.dispatcher,
                person=leader,
                unit=enterprise,
                visits_planned=1,
                period=PlanPeriod.QUARTER,
                purpose="联系企业：了解生产经营困难，协调解决用工用地",
                started_on=starts,
            )
            by_enterprise[enterprise.pk] = leader
        for town in self.townships:
            villages = [v for v in self.villages if v.parent_id == town.pk]
            for n, cadre in enumerate(self.cadres.get(town.pk, [])):
                for k in range(HOUSEHOLD_PAIRINGS_PER_CADRE):
                    village = villages[(n * HOUSEHOLD_PAIRINGS_PER_CADRE + k) % len(villages)]
                    households = self.households[village.pk]
                    if not households:
                        continue
                    rules.create_pairing(
                        actor=self.dispatcher,
                        person=cadre,
                        household=households[n % len(households)],
                        visits_planned=2,
                        period=PlanPeriod.MONTH,
                        purpose="结对帮扶困难家庭",
                        started_on=starts,
                    )
        return by_village, by_enterprise

    # --- when --------------------------------------------------------------------------------------

    def months(self) -> list[tuple[date, date]]:
        """(first, last) day of each month of the campaign (the last one cut at its end)."""
        spans, day = [], self.campaign.starts_on
        while day <= self.campaign.ends_on:
            following = (day + timedelta(days=32)).replace(day=1)
            spans.append((day, min(following - timedelta(days=1), self.campaign.ends_on)))
            day = following
        return spans

    # --- what --------------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        clerks = self.clerks()
        by_village, by_enterprise = self.pairings()
        months = self.months()
        weights = ledger_demo.MONTH_WEIGHTS[: len(months)] or [1]
        weights += [1] * (len(months) - len(weights))
        cum, total_w = [], 0
        for w in weights:
            total_w += w
            cum.append(total_w)
        rng = self.rng
        sheets: dict[tuple[int, int], list[VisitRow]] = defaultdict(list)

        def day_in(month: int) -> date:
            first, last = months[month]
            return first + timedelta(days=rng.randrange((last - first).days + 1))

        def a_month() -> int:
            return rng.choices(range(len(months)), cum_weights=cum)[0]

        # Households: each visited once, then the rest of the visits shared out at random.
        households = [h for v in self.villages for h in self.households[v.pk]]
        visits_total = round(len(households) * VISITS_PER_HOUSEHOLD)
        counts = [1] * len(households)
        for _i in range(max(visits_total - len(households), 0)):
            counts[rng.randrange(len(households))] += 1
        on_spot = set(rng.sample(range(visits_total), round(visits_total * ON_SPOT_SHARE)))
        rest = [i for i in range(visits_total) if i not in on_spot]
        follow_up = set(rng.sample(rest, min(len(rest), round(visits_total * FOLLOW_UP_SHARE))))
        villages = {v.pk: v for v in self.villages}
        number = 0
        for household, count in zip(households, counts, strict=True):
            village = villages[household.village_id]
            town = village.parent_id
            assert town is not None
            cadres = self.cadres.get(town) or self.leaders
            for _k in range(count):
                leader = by_village.get(village.pk)
                visitor = leader if leader is not None and rng.random() < LEADER_SHARE else rng.choice(cadres)
                month = a_month()
                checklist: dict[str, object] = {Checklist.CONTACT_CARD: rng.random() < 0.92}
                diary = ""
                if rng.random() < DIARY_SHARE:
                    checklist[Checklist.DIARY] = True
                    diary = rng.choice(DIARIES).format(head=household.head_name)
                difficulties: tuple[DifficultyInput, ...] = ()
                if number in on_spot:
                    text, how = rng.choice(DIFFICULTIES)
                    difficulties = (DifficultyInput(text=text, handled_on_spot=True, resolution=how),)
                    checklist[Checklist.URGENT_MATTER] = True
                    checklist[f"{Checklist.URGENT_MATTER}_note"] = how
                elif number in follow_up:
                    difficulties = (DifficultyInput(text=rng.choice(FOLLOW_UPS)),)
                sheets[(town, month)].append(
                    VisitRow(
                        visitor=visitor,
                        visited_on=day_in(month),
                        village=village,
                        household=household,
                        checklist=checklist,
                        diary_text=diary,
                        difficulties=difficulties,
                    )
                )
                number += 1
        # Leaders: their two villages every month, their enterprise every quarter.
        village_visits = enterprise_visits = 0
        for village in self.villages:
            leader = by_village.get(village.pk)
            if leader is None or village.parent_id is None:
                continue
            for month in range(len(months)):
                plan, review = VILLAGE_NOTES[month % len(VILLAGE_NOTES)]
                checklist = {
                    Checklist.ASSISTANCE_PLAN: True,
                    f"{Checklist.ASSISTANCE_PLAN}_note": plan,
                    Checklist.REVIEW_SESSION: month % 2 == 1,
                    f"{Checklist.REVIEW_SESSION}_note": review if month % 2 == 1 else "",
                    Checklist.DIARY: True,
                }
                sheets[(village.parent_id, month)].append(
                    VisitRow(
                        visitor=leader,
                        visited_on=day_in(month),
                        village=village,
                        checklist=checklist,
                        diary_text=f"到联系点{village.name}走访，{plan}。",
                    )
                )
                village_visits += 1
        for enterprise in self.enterprises:
            leader = by_enterprise.get(enterprise.pk)
            if leader is None or enterprise.parent_id is None:
                continue
            for month in range(0, len(months), 3):
                sheets[(enterprise.parent_id, month)].append(
                    VisitRow(
                        visitor=leader,
                        visited_on=day_in(month),
                        enterprise=enterprise,
                        checklist={Checklist.CONTACT_CARD: True},
                    )
                )
                enterprise_visits += 1
        names = {t.pk: t.name for t in self.townships}
        visits = difficulties_found = 0
        for (town, month), rows in sorted(sheets.items()):
            rows.sort(key=lambda r: r.visited_on)
            result = import_visits(
                rows,
                actor=clerks[town],
                campaign=self.campaign,
                source=f"{names[town]} {months[month][0]:%Y-%m}",
            )
            visits += result.visits
            difficulties_found += result.difficulties
        return {
            "visits": visits,
            "household_visits": visits_total,
            "village_visits": village_visits,
            "enterprise_visits": enterprise_visits,
            "handled_on_spot": len(on_spot),
            "difficulties": difficulties_found,
            "sheets": len(sheets),
        }
