"""Demo role models (对标学) for a campaign: two national role models, a provincial one, a village party
secretary, a people's mediator of a demo village and a fisherman party member at sea, with their
compilations, films and two picture exhibitions shown in several townships during the campaign, and
linked to some of the campaign's study activities when there are any.

``seed(campaign)`` goes through rules.py like any user would and is idempotent: a second run finds
every row by its natural key and adds nothing. It is not wired into ``seed_demo`` (call it from there
or from a shell once study demo data exists).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from minyi.exemplars import rules
from minyi.exemplars.choices import Level, MaterialKind
from minyi.exemplars.models import ActivityExemplar, Exemplar, ExemplarMaterial, Showing
from minyi.ledger.models import Campaign
from minyi.org.choices import UnitKind
from minyi.org.models import Unit
from minyi.study.models import Activity

#: How many townships each picture exhibition tours, and the audience of each stop.
TOUR_AUDIENCES = [320, 260, 410, 185, 230]
#: Audience of each film screening.
FILM_AUDIENCES = [150, 90, 120]


@dataclass
class DemoMaterial:
    kind: str
    title: str
    copies: int
    tours: int = 0  # townships it is shown in during the campaign
    audiences: list[int] = field(default_factory=list)


@dataclass
class DemoExemplar:
    key: str
    name: str
    level: str
    known_for: str
    biography: str
    place: str
    materials: list[DemoMaterial]


def _village() -> Unit | None:
    return (
        Unit.objects.filter(kind=UnitKind.VILLAGE, is_active=True)
        .select_related("parent")
        .order_by("code")
        .first()
    )


def _floating_branch() -> Unit | None:
    return (
        Unit.objects.filter(kind=UnitKind.PARTY_BRANCH, name__contains="海上流动", is_active=True)
        .order_by("code")
        .first()
    )


def _full_name(unit: Unit | None, fallback: str) -> str:
    if unit is None:
        return fallback
    parent = unit.parent
    if parent is not None and parent.kind == UnitKind.TOWNSHIP:
        return f"{parent.name}{unit.name}"
    return unit.name


def exemplars() -> list[DemoExemplar]:
    """The demo role models; local places come from the organisation tree when it has them."""
    village = _full_name(_village(), "东村")
    at_sea = _full_name(_floating_branch(), "海上流动党支部")
    return [
        DemoExemplar(
            "jiao",
            "焦裕禄",
            Level.NATIONAL,
            "县委书记的榜样：心里装着全体人民，唯独没有他自己",
            "1962年任兰考县委书记，带领干部群众治理内涝、风沙、盐碱“三害”，1964年病逝于任上。",
            "河南省兰考县",
            [
                DemoMaterial(MaterialKind.COMPILATION, "焦裕禄精神学习读本", 500),
                DemoMaterial(MaterialKind.FILM, "专题片《焦裕禄》", 20, 3, FILM_AUDIENCES),
                DemoMaterial(MaterialKind.EXHIBITION, "焦裕禄同志事迹图片展", 2, 5, TOUR_AUDIENCES),
            ],
        ),
        DemoExemplar(
            "yang",
            "杨善洲",
            Level.NATIONAL,
            "退休后扎根大亮山义务植树造林二十二年",
            "曾任保山地委书记，1988年退休后回到家乡义务植树，建成五万多亩林场并无偿交给国家。",
            "云南省保山市",
            [
                DemoMaterial(MaterialKind.COMPILATION, "杨善洲先进事迹汇编", 300),
                DemoMaterial(MaterialKind.FILM, "专题片《杨善洲》", 20),
            ],
        ),
        DemoExemplar(
            "gu",
            "谷文昌",
            Level.PROVINCIAL,
            "带领干部群众植树造林、治理风沙的县委书记",
            "任东山县委书记十四年，带领群众筑堤拦沙、植树造林，把荒岛变成绿洲。",
            "福建省东山县",
            [
                DemoMaterial(MaterialKind.COMPILATION, "谷文昌事迹汇编", 200),
                DemoMaterial(MaterialKind.EXHIBITION, "谷文昌同志事迹图片展", 1, 4, TOUR_AUDIENCES[1:]),
            ],
        ),
        DemoExemplar(
            "secretary",
            "王海滨",
            Level.LOCAL,
            "带领村民发展海带养殖、村集体收入翻番的村党支部书记",
            "担任村党支部书记十二年，建成海带养殖合作社，带动一百多户渔民增收。",
            village,
            [DemoMaterial(MaterialKind.COMPILATION, "身边的榜样——王海滨事迹汇编", 150)],
        ),
        DemoExemplar(
            "mediator",
            "林秀英",
            Level.CLOSE_TO_HOME,
            "人民调解员，二十年调解邻里纠纷三百余起",
            "村里人称“和事佬”，调解土地、邻里和婚姻家庭纠纷，无一起激化为上访。",
            village,
            [DemoMaterial(MaterialKind.COMPILATION, "林秀英调解故事", 100)],
        ),
        DemoExemplar(
            "fisher",
            "陈海生",
            Level.CLOSE_TO_HOME,
            "海上流动党支部党员，驾船救起遇险渔民十一人",
            "常年在外海作业，坚持在船上参加支部学习，台风中冒险救助遇险渔船。",
            at_sea,
            [DemoMaterial(MaterialKind.OTHER, "海上党课讲稿《船头的党旗》", 50)],
        ),
    ]


def _townships() -> list[Unit]:
    return list(
        Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True).order_by("code")[: len(TOUR_AUDIENCES)]
    )


def _days(campaign: Campaign, n: int, today: dt.date) -> list[dt.date]:
    """``n`` days spread over the campaign up to today (showings are never in the future)."""
    last = min(campaign.ends_on, today)
    if last < campaign.starts_on:
        return []
    span = (last - campaign.starts_on).days
    return [campaign.starts_on + dt.timedelta(days=span * (i + 1) // (n + 1)) for i in range(n)]


def seed(campaign: Campaign, *, today: dt.date | None = None) -> dict[str, int]:
    """Load the demo role models for ``campaign`` (idempotent); return how many rows were made."""
    today = today or timezone.localdate()
    made = {"exemplars": 0, "materials": 0, "showings": 0, "links": 0}
    townships = _townships()
    activities = list(Activity.objects.filter(campaign=campaign).order_by("pk")[:4])
    with transaction.atomic():
        library: dict[str, Exemplar] = {}
        for demo in exemplars():
            exemplar = Exemplar.objects.filter(name=demo.name, place=demo.place).first()
            if exemplar is None:
                exemplar = rules.create_exemplar(
                    name=demo.name, level=demo.level, known_for=demo.known_for, biography=demo.biography,
                    place=demo.place, actor=None,
                )  # fmt: skip
                made["exemplars"] += 1
            library[demo.key] = exemplar
            for item in demo.materials:
                material = ExemplarMaterial.objects.filter(exemplar=exemplar, title=item.title).first()
                if material is None:
                    material = rules.add_material(
                        exemplar, kind=item.kind, title=item.title, copies=item.copies, actor=None
                    )
                    made["materials"] += 1
                stops = townships[: item.tours] if item.tours else []
                for unit, day, audience in zip(
                    stops, _days(campaign, len(stops), today), item.audiences, strict=False
                ):
                    if Showing.objects.filter(material=material, unit=unit, shown_on=day).exists():
                        continue
                    rules.record_showing(
                        material,
                        place=unit.name,
                        unit=unit,
                        shown_on=day,
                        audience=audience,
                        actor=None,
                        today=today,
                    )
                    made["showings"] += 1
        # The campaign's first study activities learn from the models (fewer activities: taken round again).
        plan = [("jiao", 0), ("yang", 0), ("gu", 1), ("mediator", 2), ("fisher", 3)]
        for key, index in plan if activities else []:
            activity, exemplar = activities[index % len(activities)], library[key]
            if not ActivityExemplar.objects.filter(activity=activity, exemplar=exemplar).exists():
                rules.link_activity(activity, exemplar, actor=None)
                made["links"] += 1
    return made
