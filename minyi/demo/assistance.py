"""Demo social assistance for 海滨区: 区民政局 (MZ) coordinates; medical help goes to 区医疗保障局 (YB)
or 区卫生健康局 (WJ), education to 区教育局 (JY), employment to 区人力资源和社会保障局 (RS), housing to
区住房和城乡建设局 (ZJ), legal aid to 区司法局 (SF), subsistence and temporary relief stay with MZ.

``seed(campaign)`` makes about 150 cases across all seven types in every township, most delivered
with evidence, some declined, some still waiting, a few stale and a few repeats the coordinator
confirmed, all through rules.py like any user would, with one login per unit involved (the demo
"handler" delivers for the education bureau; the others are made here, with the demo password).
It runs once (a second run finds cases and adds nothing) and is not wired into ``seed_demo``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from minyi.assistance import rules
from minyi.assistance.choices import AssistanceType as T
from minyi.assistance.choices import CaseState, PartState
from minyi.assistance.models import Case, Coordination, DeliveryRoute, EligibilityItem
from minyi.assistance.rules import DeliveryInput
from minyi.demo.org import DEMO_PASSWORD
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Household, Person, Unit
from minyi.org.rules import create_person

SEED = 20140909
CASES = 150
COORDINATOR_CODE = "MZ"
#: Type → the units that deliver it (demo district codes), the first the usual one.
ROUTES: dict[str, list[str]] = {
    T.SUBSISTENCE: ["MZ"],
    T.MEDICAL: ["YB", "WJ"],
    T.EDUCATION: ["JY"],
    T.EMPLOYMENT: ["RS"],
    T.HOUSING: ["ZJ"],
    T.LEGAL: ["SF"],
    T.TEMPORARY: ["MZ"],
}
#: The login that delivers for each unit: (username, name); an existing login of the unit's handler
#: is used first ("handler" of 区教育局 in the demo).
LOGINS: dict[str, tuple[str, str]] = {
    "MZ": ("coordinator", "韩救助"),
    "YB": ("assist-yb", "秦医保"),
    "WJ": ("assist-wj", "尤卫健"),
    "JY": ("assist-jy", "许助学"),
    "RS": ("assist-rs", "何就业"),
    "ZJ": ("assist-zj", "吕住建"),
    "SF": ("assist-sf", "施法援"),
}
CHECKLISTS: dict[str, list[str]] = {
    T.SUBSISTENCE: ["家庭人均月收入低于当地低保标准", "家庭财产状况符合规定", "已核对户籍与共同生活成员"],
    T.MEDICAL: ["已参加城乡居民基本医疗保险", "有医疗费用票据或诊断证明", "自付费用超过家庭承受能力"],
    T.EDUCATION: ["有在读学生（学前至高校）", "属低保、特困或低收入家庭"],
    T.EMPLOYMENT: ["劳动年龄内、有劳动能力", "已进行失业登记"],
    T.HOUSING: ["住房经鉴定为危房或无房", "家庭收入符合住房保障标准"],
    T.LEGAL: ["事项属于法律援助范围", "经济困难符合法律援助标准"],
    T.TEMPORARY: ["遭遇突发事件或意外伤害", "基本生活陷入暂时困境"],
}
SERVICES: dict[str, list[str]] = {
    T.SUBSISTENCE: ["纳入低保，按月发放低保金", "特困供养金发放"],
    T.MEDICAL: ["住院医疗费用救助", "门诊慢特病救助", "大病保险二次报销"],
    T.EDUCATION: ["发放助学金", "减免学费和住宿费", "营养改善补助"],
    T.EMPLOYMENT: ["推荐公益性岗位", "免费职业技能培训", "就业困难人员社保补贴"],
    T.HOUSING: ["农村危房改造补助", "公共租赁住房保障", "发放租赁补贴"],
    T.LEGAL: ["指派律师代理劳动争议", "法律咨询与文书代写", "人民调解协助"],
    T.TEMPORARY: ["发放临时救助金", "发放米、油、棉被等实物"],
}
NEEDS = [
    "家中老人住院，医药费负担重",
    "孩子上学费用困难",
    "户主失业，家庭收入中断",
    "房屋老旧漏雨，存在安全隐患",
    "工钱被拖欠，需要法律帮助",
    "家庭遭遇火灾，生活暂时困难",
    "因病致贫，需要兜底保障",
]
#: Amounts in yuan per type (None: a service only).
AMOUNTS: dict[str, list[int] | None] = {
    T.SUBSISTENCE: [650, 780, 920],
    T.MEDICAL: [1200, 3500, 8600, 15000],
    T.EDUCATION: [1000, 2000, 3000],
    T.EMPLOYMENT: None,
    T.HOUSING: [15000, 20000, 30000],
    T.LEGAL: None,
    T.TEMPORARY: [500, 1000, 2000],
}
#: The smallest valid PNG (1×1 pixel), standing in for a photo of the signed receipt.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _login(unit: Unit, username: str, name: str, hashed: str) -> User:
    """The unit's delivering login: an existing handler login of the unit, else one made here."""
    found = Person.objects.filter(user__username=username).select_related("user").first()
    if found is None and unit.code == "JY":
        found = Person.objects.filter(user__username="handler", unit=unit).select_related("user").first()
    if found is None:
        found = create_person(
            name=name, unit=unit, role=Role.HANDLER, title="社会救助联络员", username=username,
            password_hash=hashed, actor=None,
        )  # fmt: skip
    assert found.user is not None
    return found.user


def _configure(units: dict[str, Unit]) -> None:
    if not Coordination.objects.exists():
        Coordination.objects.create(unit=units[COORDINATOR_CODE])
    for type_, codes in ROUTES.items():
        for code in codes:
            DeliveryRoute.objects.get_or_create(type=type_, unit=units[code])
        if not EligibilityItem.objects.filter(type=type_).exists():
            EligibilityItem.objects.bulk_create(
                EligibilityItem(type=type_, text=text, sort=i) for i, text in enumerate(CHECKLISTS[type_], 1)
            )


def _window(campaign: Campaign | None, today: dt.date) -> tuple[dt.date, dt.date, bool]:
    """The days the cases are opened on: inside the campaign when it has begun, else the last 300 days."""
    if campaign is not None:
        start, end = max(campaign.starts_on, today - dt.timedelta(days=330)), min(campaign.ends_on, today)
        if start <= end:
            return start, end, True
    return today - dt.timedelta(days=300), today, False


def seed(campaign: Campaign | None, *, cases: int = CASES, password: str | None = None) -> dict[str, int]:
    """Load the demo assistance once; return what was made ({} when cases exist or units are missing)."""
    units = {u.code: u for u in Unit.objects.filter(code__in={c for codes in ROUTES.values() for c in codes})}
    if Case.objects.exists() or set(units) != {c for codes in ROUTES.values() for c in codes}:
        return {}
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate(now)
    root_path = "/" + units[COORDINATOR_CODE].path.strip("/").split("/")[0] + "/"
    townships = list(Unit.objects.filter(kind=UnitKind.TOWNSHIP, path__startswith=root_path).order_by("path"))
    made = {"cases": 0, "parts": 0, "delivered": 0, "declined": 0, "waiting": 0, "closed": 0, "repeats": 0}
    with transaction.atomic():
        _configure(units)
        hashed = make_password(password or DEMO_PASSWORD)
        logins = {code: _login(units[code], *LOGINS[code], hashed) for code in LOGINS}
        coordinator = logins[COORDINATOR_CODE]
        by_town: dict[int, list[Household]] = {}
        for town in townships:
            villages = Unit.objects.filter(parent=town, kind__in=RESIDENTIAL_KINDS)
            sample = list(Household.objects.filter(village__in=villages).order_by("code")[:400])
            if sample:
                by_town[town.pk] = sample
        towns = [t for t in townships if t.pk in by_town]
        if not towns:
            return {}
        start, end, in_campaign = _window(campaign, today)
        span = (end - start).days
        types = list(T.values)
        served: list[tuple[Household, str]] = []
        for number in range(cases):
            town = towns[number % len(towns)]
            repeat = number % 25 == 24 and served
            if repeat:
                household, first = served[rng.randrange(len(served))]
            else:
                household, first = rng.choice(by_town[town.pk]), types[number % len(types)]
            chosen = [first]
            if rng.random() < 0.35:
                extra = rng.choice(types)
                if extra != first:
                    chosen.append(extra)
            day = start + dt.timedelta(days=rng.randint(0, span)) if span > 0 else start
            opened_at = min(
                now, timezone.make_aware(dt.datetime.combine(day, dt.time(9 + rng.randint(0, 7))))
            )
            case = rules.open_case(
                actor=coordinator, household=household, types=chosen, opened_at=opened_at,
                campaign=campaign if in_campaign else None, note=NEEDS[types.index(first)],
            )  # fmt: skip
            made["cases"] += 1
            age = (today - day).days
            for part in case.parts.all():
                made["parts"] += 1
                fate = rng.random()
                stale = age > 40 and fate > 0.93
                if stale or (age < 7 and fate > 0.5):
                    made["waiting"] += 1
                    continue  # still waiting for the coordinator
                code = rng.choice(ROUTES[part.type])
                handed_at = opened_at + dt.timedelta(hours=rng.randint(2, 48))
                handed_at = min(handed_at, now)
                earlier = rules.repeats(part, now=handed_at).exists()
                rules.hand_out(
                    part, actor=coordinator, unit=units[code], at=handed_at, confirm_repeat=earlier
                )
                made["repeats"] += int(earlier)
                if fate < 0.08:
                    rules.decline_part(part, actor=logins[code], reason="经入户核查，不符合救助条件")
                    made["declined"] += 1
                    continue
                delivered_on = timezone.localdate(handed_at) + dt.timedelta(days=rng.randint(2, 25))
                if delivered_on > today or fate > 0.9:
                    made["waiting"] += 1
                    continue
                amounts = AMOUNTS[part.type]
                rules.record_delivery(
                    part, actor=logins[code],
                    item=DeliveryInput(
                        delivered_on=delivered_on,
                        amount=Decimal(rng.choice(amounts)) if amounts else None,
                        service=rng.choice(SERVICES[part.type]),
                    ),
                    evidence=SimpleUploadedFile("签收单.png", PNG, content_type="image/png"),
                )  # fmt: skip
                made["delivered"] += 1
                served.append((household, part.type))
            finished = not case.parts.exclude(state__in=(PartState.DELIVERED, PartState.DECLINED)).exists()
            if finished and (age > 14 or rng.random() < 0.5):
                rules.close_case(case, actor=coordinator)
                made["closed"] += 1
        assert Case.objects.filter(state=CaseState.OPEN).count() == made["cases"] - made["closed"]
    return made
