"""The demo district 海滨区: a deterministic, wholly synthetic organisation shaped like a coastal district.

``seed`` builds it in one transaction: about 30 departments, 7 townships and streets, 100 villages and
communities with their party branches, enterprises, floating branches at sea, about 50 leaders, staff
of every unit, one demo login per role and the campaign's 10.9万 households (109,200; any number with
``households=``).
Names, phones and addresses are composed from character lists by ``random.Random`` with a fixed seed,
so every run gives the same district and no real person appears in it. Later apps add their demo
data (appeals, issues, visits, study) on top of it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol, TypedDict

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.db.models import Count

from minyi.audit.rules import record
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind, group_name
from minyi.org.models import Household, Person, Unit
from minyi.org.rules import check_parent, path_for

SEED = 20140618  # Fixed: the same district on every run and every machine.
DEMO_PASSWORD = "minyi-demo-2026"  # noqa: S105  # Published on purpose: it is the demo's password.
DISTRICT_CODE = "HB"
DISTRICT_NAME = "海滨区"
OFFICE_CODE = "QZLX"  # The campaign office: operators, dispatchers, auditors and admins sit here.
FISHERY_TOWN_CODE = "T03"  # 渔港镇: the floating branches at sea belong to it.
BATCH = 5000  # Rows per bulk_create batch (Django lowers it further where SQLite needs that).
#: Households of the demo district: the campaign's report reads "走访100个村(社区)10.9万农户", so the
#: default district has 10.9万 of them (shared out among the villages by their weights).
DEMO_HOUSEHOLDS = 109_200

#: 区直部门: (code, name). The campaign office comes first.
DEPARTMENTS: list[tuple[str, str]] = [
    (OFFICE_CODE, "区群众路线教育实践活动办公室"),
    ("FG", "区发展和改革局"),
    ("JX", "区经济和信息化局"),
    ("JY", "区教育局"),
    ("GA", "区公安分局"),
    ("MZ", "区民政局"),
    ("SF", "区司法局"),
    ("CZ", "区财政局"),
    ("RS", "区人力资源和社会保障局"),
    ("ZRZY", "区自然资源和规划分局"),
    ("STHJ", "区生态环境分局"),
    ("ZJ", "区住房和城乡建设局"),
    ("JT", "区交通运输局"),
    ("NLS", "区农林水利局"),
    ("HYYY", "区海洋与渔业局"),
    ("SW", "区商务局"),
    ("WGLT", "区文化和广电旅游体育局"),
    ("WJ", "区卫生健康局"),
    ("TYJR", "区退役军人事务局"),
    ("YJ", "区应急管理局"),
    ("SJ", "区审计局"),
    ("SCJG", "区市场监督管理局"),
    ("TJ", "区统计局"),
    ("YB", "区医疗保障局"),
    ("CG", "区城市管理局"),
    ("XF", "区信访局"),
    ("ZWFW", "区政务服务中心"),
    ("SWJ", "区税务局"),
    ("CL", "区残疾人联合会"),
    ("GD", "区供电分公司"),
]

#: 镇/街道: (code, name, communities, villages). Streets are mostly communities, towns mostly villages.
TOWNSHIPS: list[tuple[str, str, int, int]] = [
    ("T01", "海城街道", 10, 2),
    ("T02", "东港街道", 9, 3),
    ("T03", "渔港镇", 1, 15),
    ("T04", "沙门镇", 1, 14),
    ("T05", "青屿镇", 0, 14),
    ("T06", "白岩镇", 1, 14),
    ("T07", "金滩镇", 1, 15),
]

#: Enterprises: (township code, name).
ENTERPRISES: list[tuple[str, str]] = [
    ("T01", "海城纺织服饰有限公司"),
    ("T02", "东港水产冷链物流有限公司"),
    ("T02", "东港电子元件有限公司"),
    ("T03", "海滨远洋渔业有限公司"),
    ("T03", "渔港海洋生物科技有限公司"),
    ("T04", "沙门港务有限公司"),
    ("T05", "青屿海藻食品有限公司"),
    ("T06", "白岩石材有限公司"),
    ("T07", "金滩船舶修造有限公司"),
    ("T07", "金滩滨海旅游开发有限公司"),
]

#: 海上流动党支部 of the fishing town: fishermen who study at sea and are counted all the same.
FLOATING_BRANCHES: list[str] = [
    "北礁渔场海上流动党支部",
    "东礁渔场海上流动党支部",
    "青屿渔场海上流动党支部",
    "外海拖网船队海上流动党支部",
]
FLOATING_BRANCH_CODES = [f"{FISHERY_TOWN_CODE}FP{i:02d}" for i in range(1, len(FLOATING_BRANCHES) + 1)]

#: 县处级领导 at the district root, (title, how many): 50 in all.
LEADER_TITLES: list[tuple[str, int]] = [
    ("区委书记", 1),
    ("区委副书记、区长", 1),
    ("区委副书记", 1),
    ("区委常委、常务副区长", 1),
    ("区委常委、纪委书记、监委主任", 1),
    ("区委常委、组织部部长", 1),
    ("区委常委、宣传部部长", 1),
    ("区委常委、政法委书记", 1),
    ("区委常委、统战部部长", 1),
    ("区委常委、区委办主任", 1),
    ("区委常委、人武部政委", 1),
    ("区委常委、副区长", 1),
    ("副区长", 6),
    ("区人大常委会主任", 1),
    ("区人大常委会副主任", 5),
    ("区政协主席", 1),
    ("区政协副主席", 5),
    ("区法院院长", 1),
    ("区检察院检察长", 1),
    ("区委群众路线教育实践活动督导组组长", 4),
    ("区政府党组成员", 3),
    ("区人大常委会党组成员", 3),
    ("区政协党组成员", 3),
    ("区政府二级巡视员", 5),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕"
    "丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊孟秦邱侯江尹薛段雷黎史陶贺毛郝顾龚邵万钱戴严莫孔"
)
GIVEN = (
    "建国明华海波涛峰军伟芳丽敏静霞秀英兰红玉桂春燕雪梅志强勇刚平林东祥福荣德文辉鹏斌浩宇晨阳杰磊"
    "鑫琳婷慧佳丹洁娟新利生金成永洪亮俊凯清美云飞龙凤娇振和安宁瑞祖银水根发仁义忠信晓彩琴月珍"
)
PLACE_FIRST = "东西南北沙渔海石青白金大小上下前后新龙湖潮银桃柳杨竹梅松樟蟹螺鹤"
PLACE_SECOND = "岙头港湾塘屿岭浦山礁门滩桥埠坑洋澳田岩"
PHONE_PREFIXES = [f"13{d}" for d in range(10)] + [f"15{d}" for d in "0123589"] + [f"18{d}" for d in range(10)]
#: Household sizes 1–6 weighted like a coastal district (percent): a list of 100 to index into.
SIZE_TABLE = [1] * 12 + [2] * 24 + [3] * 28 + [4] * 20 + [5] * 11 + [6] * 5

#: The demo logins: (username, role, unit code, title or "" for any). Each goes to the first person
#: who matches; T03V01 is the first village of 渔港镇, and the leader is the executive deputy head.
DEMO_LOGINS: list[tuple[str, str, str, str]] = [
    ("operator", Role.OPERATOR, OFFICE_CODE, ""),
    ("dispatcher", Role.DISPATCHER, OFFICE_CODE, ""),
    ("handler", Role.HANDLER, "JY", ""),
    ("unithead", Role.UNIT_HEAD, "JY", ""),
    ("leader", Role.LEADER, DISTRICT_CODE, "区委常委、常务副区长"),
    ("cadre", Role.CADRE, FISHERY_TOWN_CODE, ""),
    ("member", Role.MEMBER, f"{FISHERY_TOWN_CODE}V01", ""),
    ("auditor", Role.AUDITOR, OFFICE_CODE, ""),
    ("admin", Role.ADMIN, OFFICE_CODE, ""),
]
LOGIN_ROLES = {username: role for username, role, _unit, _title in DEMO_LOGINS}
SUPERUSER = "superadmin"  # A Django superuser for the Django admin; no staff record.


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


class SeedResult(TypedDict):
    created: bool  # False: the district was already there and nothing changed
    units: dict[str, int]  # by kind
    people: dict[str, int]  # by role
    households: int
    logins: int
    seconds: float


class SeedConflict(Exception):
    """Some of the demo's units or logins already exist without the demo district: refuse to mix."""


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    sort: int


@dataclass(frozen=True)
class PersonSpec:
    name: str
    unit: str
    role: str
    title: str
    phone: str
    username: str | None = None


# --- pure data --------------------------------------------------------------------------------------


def person_name(rng: random.Random) -> str:
    """A synthetic Chinese name: one surname and one or (mostly) two given-name characters."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.75 else "")
    return rng.choice(SURNAMES) + given


def phone_number(rng: random.Random) -> str:
    """A synthetic 11-digit mobile number starting 13, 15 or 18."""
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def build_units(rng: random.Random) -> list[UnitSpec]:
    """Every unit of the demo district, parents before children."""
    units = [UnitSpec(DISTRICT_CODE, DISTRICT_NAME, UnitKind.DISTRICT, None, 0)]
    units += [
        UnitSpec(code, name, UnitKind.DEPARTMENT, DISTRICT_CODE, i)
        for i, (code, name) in enumerate(DEPARTMENTS, 1)
    ]
    units += [
        UnitSpec(code, name, UnitKind.TOWNSHIP, DISTRICT_CODE, 100 + i)
        for i, (code, name, _c, _v) in enumerate(TOWNSHIPS, 1)
    ]
    pool = sorted({a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b})
    places = iter(rng.sample(pool, sum(c + v for _code, _name, c, v in TOWNSHIPS)))
    for town, _name, communities, villages in TOWNSHIPS:
        # Towns list their villages first (the town-seat community last), streets their communities.
        kinds = [UnitKind.COMMUNITY] * communities + [UnitKind.VILLAGE] * villages
        if villages > communities:
            kinds.reverse()
        for i, kind in enumerate(kinds, 1):
            code = f"{town}V{i:02d}"
            name = next(places) + ("社区" if kind == UnitKind.COMMUNITY else "村")
            units.append(UnitSpec(code, name, kind, town, i))
            units.append(UnitSpec(f"{code}P", f"{name}党支部", UnitKind.PARTY_BRANCH, code, 0))
    for i, (town, name) in enumerate(ENTERPRISES, 1):
        number = sum(1 for t, _n in ENTERPRISES[:i] if t == town)
        units.append(UnitSpec(f"{town}E{number:02d}", name, UnitKind.ENTERPRISE, town, 500 + i))
    for i, (code, name) in enumerate(zip(FLOATING_BRANCH_CODES, FLOATING_BRANCHES, strict=True), 1):
        units.append(UnitSpec(code, name, UnitKind.PARTY_BRANCH, FISHERY_TOWN_CODE, 900 + i))
    return units


def _head_title(name: str) -> str:
    for suffix, title in [
        ("分公司", "总经理"),
        ("联合会", "理事长"),
        ("办公室", "主任"),
        ("中心", "主任"),
        ("街道", "街道办事处主任"),
        ("镇", "镇长"),
    ]:
        if name.endswith(suffix):
            return title
    return "局长"


def build_people(rng: random.Random, units: list[UnitSpec]) -> list[PersonSpec]:
    """Leaders, the campaign office, heads and handlers of every unit, cadres and party members."""
    people: list[PersonSpec] = []

    def add(unit: str, role: str, title: str) -> None:
        people.append(PersonSpec(person_name(rng), unit, role, title, phone_number(rng)))

    for title, count in LEADER_TITLES:
        for _ in range(count):
            add(DISTRICT_CODE, Role.LEADER, title)
    for role, title, count in [
        (Role.OPERATOR, "受理员", 4),
        (Role.DISPATCHER, "交办员", 3),
        (Role.AUDITOR, "督导组成员", 3),
        (Role.ADMIN, "信息化管理员", 2),
    ]:
        for _ in range(count):
            add(OFFICE_CODE, role, title)
    for unit in units:
        if unit.kind in (UnitKind.DEPARTMENT, UnitKind.TOWNSHIP):
            add(unit.code, Role.UNIT_HEAD, _head_title(unit.name))
            for _ in range(rng.randint(1, 2)):
                add(unit.code, Role.HANDLER, rng.choice(["办公室主任", "业务科科长", "综合科科员", "科员"]))
        if unit.kind == UnitKind.TOWNSHIP:
            deputy = "副镇长" if unit.name.endswith("镇") else "办事处副主任"
            for _ in range(rng.randint(3, 5)):
                add(unit.code, Role.CADRE, rng.choice(["党委委员", deputy, "驻村指导员", "组织委员"]))
        elif unit.kind in RESIDENTIAL_KINDS:
            add(unit.code, Role.MEMBER, "党支部书记")
            for _ in range(rng.randint(2, 5)):
                add(unit.code, Role.MEMBER, "党员")
        elif unit.code in FLOATING_BRANCH_CODES:
            for _ in range(rng.randint(4, 6)):
                add(unit.code, Role.MEMBER, rng.choice(["船长", "轮机长", "渔民"]))
    for username, login_role, login_unit, login_title in DEMO_LOGINS:
        i = next(
            i
            for i, p in enumerate(people)
            if p.unit == login_unit and p.role == login_role and login_title in ("", p.title)
        )
        p = people[i]
        people[i] = PersonSpec(p.name, p.unit, p.role, p.title, p.phone, username)
    # Every handler, unit head and leader can log in too (e.g. "zj-handler-1"), so each unit's part of
    # the loop and each leader's items can be worked in the demo; only the logins above are printed.
    seen: dict[tuple[str, str], int] = {}
    for i, p in enumerate(people):
        if p.username is None and p.role in (Role.HANDLER, Role.UNIT_HEAD, Role.LEADER):
            n = seen[(p.unit, p.role)] = seen.get((p.unit, p.role), 0) + 1
            people[i] = PersonSpec(p.name, p.unit, p.role, p.title, p.phone, f"{p.unit.lower()}-{p.role}-{n}")
    return people


def household_counts(weights: list[int], total: int | None) -> list[int]:
    """Households per village: the weights themselves, or ``total`` shared out in their proportion."""
    if total is None:
        return list(weights)
    whole = sum(weights)
    counts = [total * w // whole for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def household_rows(
    code: str, name: str, kind: str, count: int, *, width: int = 4
) -> Iterator[tuple[str, str, str, str, int]]:
    """(code, head name, phone, address, size) of one village's households, fast and deterministic.

    Each village has its own random stream, so its first households stay the same whatever the
    total; one 64-bit draw per household gives every field (this runs a million times with --scale).
    ``width`` is the number of digits of the household number in the code.
    """
    rng = random.Random(f"{SEED}:{code}")
    draw, community = rng.getrandbits, kind == UnitKind.COMMUNITY
    surnames, given, prefixes, sizes = SURNAMES, GIVEN, PHONE_PREFIXES, SIZE_TABLE
    n_s, n_g, n_p = len(surnames), len(given), len(prefixes)
    for i in range(count):
        r = draw(64)  # Shifted windows of one draw pick each field; plenty random for synthetic data.
        head = surnames[r % n_s] + given[(r >> 8) % n_g] + (given[(r >> 16) % n_g] if r & 0x3000_0000 else "")
        phone = f"{prefixes[(r >> 24) % n_p]}{(r >> 30) % 100_000_000:08d}"
        group, house = divmod(i, 24 if community else 36)
        if community:  # building (幢), floor and door: 24 flats a building
            address = f"{name}{group + 1}幢{house // 4 + 1}0{house % 4 + 1}室"
        else:  # village group (组) and house number: 36 houses a group
            address = f"{name}{group + 1}组{house + 1:02d}号"
        yield f"{code}-{i + 1:0{width}d}", head, phone, address, sizes[(r >> 40) % 100]


# --- writing ----------------------------------------------------------------------------------------


def seed(
    *, households: int | None = None, password: str = DEMO_PASSWORD, stdout: Writer | None = None
) -> SeedResult:
    """Load the demo district in one transaction, or do nothing when district "HB" already exists.

    ``households`` is the total number of households (None: DEMO_HOUSEHOLDS, 10.9万).
    Raises SeedConflict when demo codes or user names are taken by other data.
    """
    started = time.perf_counter()

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    if Unit.objects.filter(code=DISTRICT_CODE).exists():
        return _result(created=False, started=started)
    rng = random.Random(SEED)
    specs = build_units(rng)
    people = build_people(rng, specs)
    weights = [rng.randint(100, 120) for s in specs if s.kind in RESIDENTIAL_KINDS]
    _check_free(specs)
    with transaction.atomic():
        units = _create_units(specs)
        say(f"units: {len(units)}")
        logins = _create_people(people, units, make_password(password))
        say(f"people: {len(people)} ({logins} logins)")
        villages = [units[s.code] for s in specs if s.kind in RESIDENTIAL_KINDS]
        lap = time.perf_counter()
        counts = household_counts(weights, households if households is not None else DEMO_HOUSEHOLDS)
        total, method = _create_households(villages, counts)
        say(f"households: {total:,} in {time.perf_counter() - lap:.1f} s ({method})")
        record(
            "org.demo.seed",
            actor=None,
            obj=units[DISTRICT_CODE],
            detail={"units": len(units), "people": len(people), "households": total, "logins": logins},
        )
    return _result(created=True, started=started)


def _check_free(specs: list[UnitSpec]) -> None:
    taken = list(Unit.objects.filter(code__in=[s.code for s in specs]).values_list("code", flat=True)[:5])
    if taken:
        raise SeedConflict(f"Unit codes of the demo are already used by other units: {', '.join(taken)}")
    usernames = [*LOGIN_ROLES, SUPERUSER]
    users = list(get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True))
    if users:
        raise SeedConflict(f"Demo user names are already taken: {', '.join(sorted(users))}")


def _create_units(specs: list[UnitSpec]) -> dict[str, Unit]:
    """bulk_create the tree one level at a time, with path and depth computed here."""
    units: dict[str, Unit] = {}
    level = [s for s in specs if s.parent is None]
    while level:
        rows = []
        for s in level:
            parent = units[s.parent] if s.parent else None
            check_parent(s.kind, parent.kind if parent else None)
            rows.append(
                Unit(
                    code=s.code,
                    name=s.name,
                    kind=s.kind,
                    parent=parent,
                    path=path_for(s.code, parent),
                    depth=parent.depth + 1 if parent else 0,
                    sort=s.sort,
                )
            )
        created = Unit.objects.bulk_create(rows, batch_size=BATCH)
        if any(u.pk is None for u in created):  # Backends that cannot return ids from a bulk insert.
            created = list(Unit.objects.filter(code__in=[u.code for u in rows]))
        units.update((u.code, u) for u in created)
        codes = {s.code for s in level}
        level = [s for s in specs if s.parent in codes]
    return units


def _create_people(people: list[PersonSpec], units: dict[str, Unit], password_hash: str) -> int:
    """bulk_create logins, staff records and role-group memberships; return the number of logins."""
    user_model = get_user_model()
    logins = {p.username: p for p in people if p.username}
    # IT administrators use the Django admin with their role's permissions, so they are staff.
    users = [
        user_model(username=name, first_name=p.name, password=password_hash, is_staff=p.role == Role.ADMIN)
        for name, p in logins.items()
    ]
    users.append(user_model(username=SUPERUSER, password=password_hash, is_staff=True, is_superuser=True))
    created = user_model.objects.bulk_create(users)
    if any(u.pk is None for u in created):
        created = list(user_model.objects.filter(username__in=[u.username for u in users]))
    by_name = {u.get_username(): u for u in created}
    Person.objects.bulk_create(
        [
            Person(
                name=p.name,
                unit=units[p.unit],
                role=p.role,
                title=p.title,
                phone=p.phone,
                user=by_name[p.username] if p.username else None,
            )
            for p in people
        ],
        batch_size=BATCH,
    )
    # The role groups come with migrate (minyi/roles.py); create any that is missing, without perms.
    groups = {g.name: g for g in Group.objects.filter(name__in=[group_name(r) for r in Role.values])}
    for name in {group_name(r) for r in Role.values} - groups.keys():
        groups[name] = Group.objects.get_or_create(name=name)[0]
    through = user_model.groups.through
    through.objects.bulk_create(
        [
            through(user_id=by_name[name].pk, group_id=groups[group_name(p.role)].pk)
            for name, p in logins.items()
        ]
    )
    return len(users)


HouseholdRow = tuple[str, int, str, str, str, int]  # code, village id, head, phone, address, size
HOUSEHOLD_COLUMNS = ["code", "village", "head_name", "phone", "address", "size"]  # fields, in that order


def _create_households(villages: list[Unit], counts: list[int]) -> tuple[int, str]:
    """Insert the households: COPY on PostgreSQL, batched executemany elsewhere."""
    width = max(4, len(str(max(counts, default=0))))  # the same for all, so the codes sort in order

    def rows() -> Iterator[HouseholdRow]:
        for village, count in zip(villages, counts, strict=True):
            vid = village.pk
            for code, head, phone, address, size in household_rows(
                village.code, village.name, village.kind, count, width=width
            ):
                yield code, vid, head, phone, address, size

    quote = connection.ops.quote_name
    column = {field.name: field.column for field in Household._meta.concrete_fields}
    table = quote(Household._meta.db_table)
    columns = ", ".join(quote(column[name]) for name in HOUSEHOLD_COLUMNS)
    if connection.vendor == "postgresql":
        _copy_households(table, columns, rows())
        return sum(counts), "COPY"
    _insert_households(table, columns, rows())
    return sum(counts), "executemany"


def _insert_households(table: str, columns: str, rows: Iterable[HouseholdRow]) -> None:
    """Insert by executemany in batches: the driver loops in C over plain tuples, no model objects.

    Five times faster than bulk_create on SQLite (whose 999-parameter limit cuts it into batches of
    166 rows); the batches bound the memory.
    """
    placeholders = ", ".join(["%s"] * len(HOUSEHOLD_COLUMNS))
    # Only the model's own quoted names go into the text; the values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, 50_000)):
            cursor.executemany(sql, batch)


def _copy_households(table: str, columns: str, rows: Iterable[HouseholdRow]) -> None:
    """Stream the rows through PostgreSQL COPY in the text format, in chunks of lines.

    The values are generated here and never hold a tab, newline or backslash, so need no escaping.
    """
    lines = (
        f"{code}\t{vid}\t{head}\t{phone}\t{address}\t{size}\n"
        for code, vid, head, phone, address, size in rows
    )
    with (
        connection.cursor() as cursor,
        _keys_set_aside(cursor, table),
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,  # the psycopg cursor
    ):
        while chunk := "".join(islice(lines, 20_000)):
            copy.write(chunk)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")  # a million new rows: give the planner their statistics


@contextmanager
def _keys_set_aside(cursor: Any, table: str) -> Iterator[None]:
    """Drop the table's foreign keys, unique constraints and indexes for a bulk load, then rebuild them.

    PostgreSQL's "Populating a Database" advice: building an index or checking a key once over all
    rows is several times faster than keeping it up to date row by row. All of it is inside the
    caller's transaction, so a failure leaves the schema as it was. When the keys cannot be dropped
    (no right to alter the table, or another table depends on them) the load just runs with them.
    """
    # Deferred checks still pending (of the units and people just inserted) forbid ALTER TABLE; run
    # them now, and check immediately for the rest of this short transaction.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    constraints: list[tuple[str, str]] = []
    indexes: list[tuple[str, str]] = []
    try:
        with transaction.atomic():  # A savepoint, so that a refusal leaves everything in place.
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT indisprimary AND indexrelid NOT IN "
                "(SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")  # regclass text comes quoted where needed
    except DatabaseError:
        constraints, indexes = [], []
    yield
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:  # unique ('u') before foreign keys ('f')
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


# --- reading ----------------------------------------------------------------------------------------


def _result(*, created: bool, started: float) -> SeedResult:
    units = {r["kind"]: r["n"] for r in Unit.objects.order_by().values("kind").annotate(n=Count("id"))}
    people = {r["role"]: r["n"] for r in Person.objects.order_by().values("role").annotate(n=Count("id"))}
    return SeedResult(
        created=created,
        units={kind: units[kind] for kind in UnitKind.values if kind in units},
        people={role: people[role] for role in Role.values if role in people},
        households=Household.objects.count(),
        logins=get_user_model().objects.filter(username__in=[*LOGIN_ROLES, SUPERUSER]).count(),
        seconds=time.perf_counter() - started,
    )


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, unit name) of every demo login present, the Django superuser last."""
    found = {
        p.user.get_username(): p
        for p in Person.objects.select_related("unit", "user").filter(user__username__in=LOGIN_ROLES)
        if p.user is not None
    }
    rows = [
        (role, username, found[username].unit.name)
        for username, role in LOGIN_ROLES.items()
        if username in found
    ]
    if get_user_model().objects.filter(username=SUPERUSER, is_superuser=True).exists():
        rows.append(("superuser", SUPERUSER, "(Django admin)"))
    return rows
