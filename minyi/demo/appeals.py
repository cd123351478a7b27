"""Appeals of the demo district: the built-in category tree mapped to the demo departments, and a
couple of hundred synthetic appeals walked through the real rule functions into every state of the
loop (so the inbox, the unit lists, the citizen pages and the echo wall have something to show)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from minyi.appeals import categories, rules
from minyi.appeals.choices import Channel, FollowupBy, Kind, RejectReason, Satisfaction, State, WaitingFor
from minyi.appeals.models import Appeal, Assignment, Category
from minyi.demo.synthetic import SATISFACTION_COMMENTS, make_text
from minyi.org.choices import RESIDENTIAL_KINDS, Role
from minyi.org.models import Person, Unit

SEED = 3_100
#: Level-1 category → the demo department that usually handles it (admin-editable afterwards).
DEFAULT_UNITS = {
    "城乡建设": "ZJ",
    "环境保护": "STHJ",
    "交通运输": "JT",
    "教育文体": "JY",
    "劳动和社会保障": "RS",
    "商贸旅游": "SCJG",
    "卫生计生": "WJ",
    "农村农业": "NLS",
    "民政": "MZ",
    "政法": "SF",
    "国土资源": "ZRZY",
    "党务政务": "ZWFW",
    "经济管理": "FG",
    "科技与信息产业": "JX",
}
#: How many demo appeals end in each state.
PLAN = [
    (State.RECEIVED, 30),
    (State.DISPATCHED, 25),
    (State.IN_PROGRESS, 45),
    (State.REPLIED, 30),
    (State.CLOSED, 90),
    (State.REOPENED, 5),
    (State.REJECTED, 5),
    (State.MERGED, 5),
]
CHANNELS = [
    Channel.MAILBOX,
    Channel.HOTLINE,
    Channel.HOTLINE,
    Channel.AGRI_HOTLINE,
    Channel.LETTER,
    Channel.WALK_IN,
]
#: Leaf categories the demo offers to Open311 clients (a street-photo app, the 12345 platform), so that
#: ``services.json`` lists something after ``make run``; as (level-1, level-2) names of the built-in tree.
OPEN311_SERVICES = [
    ("城乡建设", "市政设施"),
    ("城乡建设", "农村人居环境"),
    ("环境保护", "噪声扰民"),
    ("环境保护", "固体废物"),
    ("交通运输", "道路与桥梁"),
    ("交通运输", "交通秩序"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
GIVEN = "海建国明华丽军平秀英志强玉兰芳伟静敏"


def load_categories() -> int:
    """The built-in tree, with its level-1 categories mapped to the demo departments."""
    created = categories.load_tree(categories.default_tree())
    present = set(Unit.objects.filter(code__in=DEFAULT_UNITS.values()).values_list("code", flat=True))
    categories.map_default_units({name: code for name, code in DEFAULT_UNITS.items() if code in present})
    offer_open311_services()
    return created


def offer_open311_services() -> int:
    """Offer the demo's Open311 services, unless the admin already offers some (their choice stands).
    Returns how many categories were offered."""
    if Category.objects.filter(is_public=True).exists():
        return 0
    codes = [categories.category_code(path) for path in OPEN311_SERVICES]
    return Category.objects.filter(code__in=codes, is_active=True).update(is_public=True)


def _user(unit: Unit, role: str, fallback: User) -> User:
    person = Person.objects.filter(unit=unit, role=role, user__isnull=False).select_related("user").first()
    return person.user if person is not None and person.user is not None else fallback


def seed(*, appeals: bool = True) -> dict[str, int]:
    """Load the category tree; with ``appeals``, create the demo appeals too (once: nothing happens
    when the district already has appeals)."""
    load_categories()
    if not appeals or Appeal.objects.exists():
        return {}
    rng = random.Random(SEED)
    dispatcher = User.objects.get(username="dispatcher")
    operator = User.objects.get(username="operator")
    villages = list(Unit.objects.filter(kind__in=RESIDENTIAL_KINDS).select_related("parent"))
    tops = {c.name: c for c in Category.objects.filter(level=1).select_related("default_unit")}
    departments = list(Unit.objects.filter(code__in=DEFAULT_UNITS.values()))
    now = timezone.now()
    counts: dict[str, int] = {}
    masters: list[Appeal] = []
    with transaction.atomic():
        for target, number in PLAN:
            for _ in range(number):
                village = rng.choice(villages)
                text = make_text(rng, village.name)
                category = tops.get(text.category)
                anonymous = rng.random() < 0.2
                appeal = rules.submit(
                    channel=rng.choice(CHANNELS),
                    kind=rng.choice(
                        [Kind.COMPLAINT, Kind.COMPLAINT, Kind.HELP, Kind.CONSULTATION, Kind.SUGGESTION]
                    ),
                    title=text.title,
                    body=text.body,
                    village=village,
                    category=category,
                    citizen_name=""
                    if anonymous
                    else rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    citizen_phone="" if anonymous else f"139{rng.randrange(10**8):08d}",
                    received_at=now - timedelta(days=rng.uniform(0.1, 25)),
                    actor=operator,
                ).appeal
                _walk(appeal, target, text.reply, rng, dispatcher, operator, departments, masters)
                counts[target] = counts.get(target, 0) + 1
        _make_some_late(rng)
    return counts


def _walk(
    appeal: Appeal,
    target: str,
    reply_text: str,
    rng: random.Random,
    dispatcher: User,
    operator: User,
    departments: list[Unit],
    masters: list[Appeal],
) -> None:
    """Take one appeal through the loop with the rule functions until it reaches ``target``."""
    if target == State.RECEIVED:
        return
    if target == State.REJECTED:
        rules.reject(
            appeal,
            actor=dispatcher,
            reason=RejectReason.OUT_OF_SCOPE,
            note="该事项属于司法诉讼程序，请通过法院依法解决。",
        )
        return
    if target == State.MERGED and masters:
        rules.merge(appeal, into=rng.choice(masters), actor=dispatcher)
        return
    lead = (appeal.category.default_unit if appeal.category else None) or rng.choice(departments)
    rules.dispatch(appeal, lead=lead, actor=dispatcher, instructions="请按期办理并答复群众。")
    masters.append(appeal)
    if target == State.DISPATCHED:
        return
    handler, head = _user(lead, Role.HANDLER, dispatcher), _user(lead, Role.UNIT_HEAD, dispatcher)
    rules.accept(Assignment.objects.get(appeal=appeal, unit=lead), actor=handler)
    if target == State.IN_PROGRESS:
        if rng.random() < 0.3:
            rules.report_progress(appeal, actor=handler, note="已到现场查看，正在协调有关方面。")
        if rng.random() < 0.1:
            rules.pause_clock(appeal, actor=handler, waiting_for=WaitingFor.CITIZEN, reason="请补充具体位置")
        return
    reply = rules.draft_reply(appeal, actor=handler, body=reply_text, publish=rng.random() < 0.6)
    rules.approve_reply(reply, actor=head)
    if target == State.REPLIED:
        return
    result = (
        Satisfaction.UNSATISFIED
        if target == State.REOPENED
        else rng.choice([Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASIC])
    )
    rules.follow_up(
        appeal, result=result, by=FollowupBy.CALL, actor=operator, comment=rng.choice(SATISFACTION_COMMENTS)
    )


def _make_some_late(rng: random.Random) -> None:
    """Demo only: pretend time passed for a few working appeals, so overdue and due-soon show."""
    working = list(
        Appeal.objects.filter(state__in=[State.DISPATCHED, State.IN_PROGRESS], paused_at__isnull=True)
    )
    now = timezone.now()
    for appeal in rng.sample(working, k=min(len(working), 15)):
        deadline = (
            now - timedelta(days=rng.uniform(0.5, 6)) if rng.random() < 0.7 else now + timedelta(hours=5)
        )
        Appeal.objects.filter(pk=appeal.pk).update(deadline=deadline)
        Assignment.objects.filter(appeal=appeal, state__in=["pending", "accepted"]).update(deadline=deadline)
