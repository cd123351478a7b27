"""The demo study (学习教育) of 海滨区's campaign, shaped like the real one: 13 research topics, lecture
tours with 50+ sessions (offices, villages, communities, schools, enterprises, and on the ships at
sea), 268 special reports and lectures, 200+ discussions; a branch for every village party branch
and every department, the 4 floating branches at sea and 12 temporary branches; about 4,800 members,
exactly 1,590 of them mobile; 396 members at sea reached in 8 sessions on the ships; 86 discs and 680
books handed out (and brochures).

Everything goes through the study rules: branches (``create_branch``), activities, sessions and
results, materials (``hand_out``), the rolls and the sign-in sheets through ``imports`` (bulk entry of
paper sheets), and the sessions at sea through ``record_attendance_batch`` (the offline-sync path),
each batch sent by its floating branch's responsible member (the captains, logins
"t03fp01-member-1" … "t03fp04-member-1"). The demo "member" login is the party secretary of 渔港镇's
first village and the responsible member of its branch (T03V01P).

None of these figures depends on the number of households (``seed_demo --scale``); the members beyond
those of the demo district are made here with the same bulk method as the district's people.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from itertools import cycle

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from minyi.audit.rules import record
from minyi.demo import ledger as ledger_demo
from minyi.demo import org as org_demo
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, Role, UnitKind
from minyi.org.models import Person, Unit
from minyi.org.rules import create_person
from minyi.study import rules
from minyi.study.choices import ActivityKind, AttendanceMode, BranchKind, MaterialKind, VenueKind
from minyi.study.imports import RollRow, import_attendance, import_roll
from minyi.study.models import Activity, Branch, Membership, Session

SEED = 20140712
#: Members on each floating branch's roll, and how many of them the sessions at sea reach.
AT_SEA_PER_BRANCH = 105
REACHED_PER_BRANCH = 99  # 4 × 99 = 396
SEA_FIRST_SESSION = 50  # two sessions a branch: 50 members on the first ship, the other 49 on the second
#: 12 temporary branches: (township, name, where the members work).
TEMPORARY: list[tuple[str, str, str]] = [
    ("T01", "海城街道驻上海流动党员临时党支部", "上海"),
    ("T01", "海城街道驻杭州流动党员临时党支部", "杭州"),
    ("T02", "东港街道驻宁波流动党员临时党支部", "宁波"),
    ("T02", "东港物流园区项目临时党支部", "东港物流园区"),
    ("T03", "渔港镇驻舟山渔业基地临时党支部", "舟山渔业基地"),
    ("T03", "渔港镇远洋渔业公司驻外临时党支部", "远洋渔业基地"),
    ("T04", "沙门港扩建工程临时党支部", "沙门港扩建工程"),
    ("T04", "沙门镇驻温州流动党员临时党支部", "温州"),
    ("T05", "青屿镇驻福州流动党员临时党支部", "福州"),
    ("T05", "青屿海岛旅游项目临时党支部", "青屿海岛旅游项目"),
    ("T06", "白岩镇驻深圳流动党员临时党支部", "深圳"),
    ("T07", "金滩船舶修造园区临时党支部", "金滩船舶修造园区"),
]
TEMPORARY_MEMBERS = 60
#: Mobile members away without a temporary branch (they stay on their home branch).
ELSEWHERE = 450
ELSEWHERE_PLACES = ["宁波", "杭州", "上海", "苏州", "广州", "深圳", "义乌", "温州"]
MOBILE = 4 * AT_SEA_PER_BRANCH + len(TEMPORARY) * TEMPORARY_MEMBERS + ELSEWHERE  # 1,590
#: Regular members of a village branch (the district's own members included) and of a department.
VILLAGE_MEMBERS = (38, 46)
DEPARTMENT_MEMBERS = (12, 20)
LEFT_BEHIND = 120  # land members who attended nothing (不掉队 has names to follow up)
FISHING_TOWNS = ("T03", "T04", "T05")
FISHING_GROUNDS = ["北礁渔场", "东礁渔场", "青屿渔场", "外海拖网作业区"]
SHIPS = [
    "海滨渔03018号",
    "海滨渔03126号",
    "海滨渔03207号",
    "海滨渔03311号",
    "海滨渔03415号",
    "海滨渔03502号",
    "海滨渔03619号",
    "海滨渔03733号",
]
BOOKS_FLOATING, BOOKS_TEMPORARY = 50, 40  # 4 × 50 + 12 × 40 = 680
DISCS_FLOATING, DISCS_TEMPORARY, DISC_BRANCHES = 14, 5, 6  # 4 × 14 + 6 × 5 = 86
BROCHURES = 20  # to each village branch
RESEARCH: list[tuple[str, str]] = [
    ("基层干部作风建设长效机制研究", "形成《关于建立基层干部作风建设长效机制的意见》，提出12项制度。"),
    ("渔区群众诉求快速响应机制研究", "建立渔区诉求“海上受理、岸上办理”工作流程。"),
    ("村级集体经济发展路径研究", "提出村级集体经济“一村一策”发展思路，确定试点村10个。"),
    ("流动党员教育管理办法研究", "制定流动党员“双向管理”办法，明确临时党支部设立程序。"),
    ("机关服务基层效能提升研究", "梳理下放审批事项23项，推出便民服务清单。"),
    ("海岛群众就医难问题研究", "提出海岛巡回医疗和远程会诊方案。"),
    ("农村人居环境长效管护研究", "形成村庄保洁、河道管护考核办法。"),
    ("征地拆迁矛盾源头化解研究", "建立重大项目社会稳定风险评估前置程序。"),
    ("困难群众精准帮扶机制研究", "建立困难家庭动态台账和结对帮扶制度。"),
    ("海洋渔业转型升级研究", "提出减船转产和渔民转产就业扶持政策建议。"),
    ("社区治理网格化研究", "划分社区网格186个，明确网格员职责。"),
    ("“四风”问题专项整治制度研究", "形成会议、文件、公务接待等8项制度规范。"),
    ("联系服务群众制度化研究", "形成领导干部联百村、机关干部结对联户制度。"),
]
TOURS: list[tuple[str, str, int]] = [
    (VenueKind.OFFICES, "党的群众路线教育实践活动宣讲进机关", 10),
    (VenueKind.VILLAGES, "党的群众路线教育实践活动宣讲进农村", 14),
    (VenueKind.COMMUNITIES, "党的群众路线教育实践活动宣讲进社区", 10),
    (VenueKind.SCHOOLS, "党的群众路线教育实践活动宣讲进学校", 8),
    (VenueKind.ENTERPRISES, "党的群众路线教育实践活动宣讲进企业", 8),
]
SCHOOLS = [
    "海滨区第一中学",
    "海滨区实验小学",
    "渔港镇中学",
    "沙门镇中心小学",
    "青屿镇中学",
    "白岩镇中心小学",
    "金滩镇中学",
    "海滨区职业技术学校",
]
SEA_TOUR = "“送学上船”海上流动党员宣讲"
REPORTS = 268
REPORT_TOPICS = [
    "深入学习贯彻党的群众路线专题报告",
    "为民务实清廉专题辅导讲座",
    "反对“四风”专题辅导",
    "党的优良传统和作风专题报告",
    "群众工作方法辅导讲座",
    "党章党规专题辅导",
    "廉政警示教育专题报告",
    "新时期群众工作专题讲座",
]
DISCUSSIONS_PER_VILLAGE = 2
DEPARTMENT_DISCUSSIONS = 12  # 100 villages × 2 + 12 = 212
DISCUSSION_TOPICS = [
    "对照检查“四风”问题专题讨论",
    "如何更好联系服务群众专题讨论",
    "学习焦裕禄精神专题讨论",
    "为民务实清廉专题讨论",
]


def seed() -> dict[str, int]:
    """Load the demo study of the demo campaign once; return what was made ({} when the campaign or
    the district is missing, or the floating branches already exist)."""
    campaign = ledger_demo.demo_campaign()
    district = Unit.objects.filter(code=org_demo.DISTRICT_CODE).first()
    if campaign is None or district is None:
        return {}
    if Branch.objects.filter(code=org_demo.FLOATING_BRANCH_CODES[0]).exists():
        return {}
    with transaction.atomic():
        return _Study(campaign, district).run()


class _Study:
    def __init__(self, campaign: Campaign, district: Unit) -> None:
        self.rng = random.Random(SEED)
        self.campaign = campaign
        self.district = district
        self.organiser = User.objects.get(username="dispatcher")
        self.roll_keeper = User.objects.get(username="admin")
        within = Unit.objects.filter(path__startswith=district.path).select_related("parent")
        units = list(within.order_by("path"))
        self.by_code = {u.code: u for u in units}
        self.parent_of = {u.pk: u.parent_id for u in units}
        self.townships = [u for u in units if u.kind == UnitKind.TOWNSHIP]
        self.departments = [u for u in units if u.kind == UnitKind.DEPARTMENT]
        self.villages = [u for u in units if u.kind in RESIDENTIAL_KINDS and u.is_active]
        self.enterprises = [u for u in units if u.kind == UnitKind.ENTERPRISE]
        party = {u.parent_id: u for u in units if u.kind == UnitKind.PARTY_BRANCH and u.parent_id}
        self.party_units = {v.pk: party.get(v.pk) for v in self.villages}
        self.floating_units = [self.by_code[c] for c in org_demo.FLOATING_BRANCH_CODES if c in self.by_code]
        self.leaders = list(Person.objects.filter(role=Role.LEADER, is_active=True).order_by("pk"))
        self.cadres: dict[int, list[Person]] = defaultdict(list)
        for cadre in Person.objects.filter(role=Role.CADRE, is_active=True).order_by("pk"):
            self.cadres[cadre.unit_id].append(cadre)
        self.members: dict[int, list[Person]] = defaultdict(list)
        for member in Person.objects.filter(role=Role.MEMBER, is_active=True, unit__in=units).order_by("pk"):
            self.members[member.unit_id].append(member)
        self.demo_member = Person.objects.filter(user__username="member").first()
        self.demo_cadre = Person.objects.filter(user__username="cadre").first()
        self.hashed = User.objects.filter(username="member").values_list("password", flat=True).first()

    # --- people -------------------------------------------------------------------------------------

    def add_members(self) -> int:
        """More party members for every village and department (names, phones as the district's)."""
        rng, new = self.rng, []
        for unit, (low, high) in [
            *((v, VILLAGE_MEMBERS) for v in self.villages),
            *((d, DEPARTMENT_MEMBERS) for d in self.departments),
        ]:
            for _i in range(max(rng.randint(low, high) - len(self.members[unit.pk]), 0)):
                new.append(
                    Person(
                        name=org_demo.person_name(rng),
                        unit=unit,
                        role=Role.MEMBER,
                        title="党员",
                        phone=org_demo.phone_number(rng),
                    )
                )
        Person.objects.bulk_create(new, batch_size=org_demo.BATCH)
        if any(p.pk is None for p in new):  # backends that cannot return ids from a bulk insert
            new = list(Person.objects.filter(role=Role.MEMBER).exclude(pk__in=self._known()).order_by("pk"))
        for person in new:
            self.members[person.unit_id].append(person)
        record("study.demo.members", actor=None, obj=self.district, detail={"members": len(new)})
        return len(new)

    def _known(self) -> list[int]:
        return [p.pk for people in self.members.values() for p in people]

    def captains(self) -> list[Person]:
        """The responsible member of each floating branch: a captain with a login."""
        found = []
        for i, unit in enumerate(self.floating_units, 1):
            captain = create_person(
                name=org_demo.person_name(self.rng),
                unit=unit,
                role=Role.MEMBER,
                title="船长",
                phone=org_demo.phone_number(self.rng),
                username=f"{unit.code.lower()}-member-1",
                password_hash=self.hashed,
                actor=None,
            )
            self.members[unit.pk].insert(0, captain)
            found.append(captain)
            assert i <= len(FISHING_GROUNDS)
        return found

    # --- branches and rolls ------------------------------------------------------------------------

    def branch(self, **fields: object) -> Branch:
        return rules.create_branch(actor=self.roll_keeper, **fields)  # type: ignore[arg-type]

    def run(self) -> dict[str, int]:
        rng = self.rng
        added = self.add_members()
        captains = self.captains()
        leaders = cycle(self.leaders)
        home: dict[int, Branch] = {}  # person id → home branch
        regular: dict[int, Branch] = {}  # unit id → its regular branch
        responsible_ids: set[int] = set()
        for village in self.villages:
            town = village.parent
            assert town is not None
            people = self.members[village.pk]
            cadres = self.cadres.get(town.pk) or self.leaders
            party = self.party_units[village.pk]
            branch = self.branch(
                code=party.code if party else f"{village.code}P",
                name=party.name if party else f"{village.name}党支部",
                kind=BranchKind.REGULAR,
                unit=village,
                party_unit=party,
                liaison=cadres[village.sort % len(cadres)],
                responsible=people[0],
            )
            regular[village.pk] = branch
            responsible_ids.add(people[0].pk)
            for person in people:
                home[person.pk] = branch
        for department in self.departments:
            people = self.members[department.pk]
            branch = self.branch(
                code=f"{department.code}-P",
                name=f"{department.name}机关党支部",
                kind=BranchKind.REGULAR,
                unit=department,
                liaison=next(leaders),
                responsible=people[0],
            )
            regular[department.pk] = branch
            responsible_ids.add(people[0].pk)
            for person in people:
                home[person.pk] = branch
        fishery = self.by_code[org_demo.FISHERY_TOWN_CODE]
        liaison = self.demo_cadre or (self.cadres.get(fishery.pk) or self.leaders)[0]
        floating: list[Branch] = []
        for unit, captain in zip(self.floating_units, captains, strict=True):
            branch = self.branch(
                code=unit.code,
                name=unit.name,
                kind=BranchKind.FLOATING,
                unit=fishery,
                party_unit=unit,
                liaison=liaison,
                responsible=captain,
            )
            floating.append(branch)
            for person in self.members[unit.pk]:
                home[person.pk] = branch
        # Who is away: the pools are the village members other than the branch secretaries.
        pools: dict[str, list[Person]] = {}
        for town in self.townships:
            pool = [
                p
                for v in self.villages
                if v.parent_id == town.pk
                for p in self.members[v.pk]
                if p.pk not in responsible_ids and (self.demo_member is None or p.pk != self.demo_member.pk)
            ]
            rng.shuffle(pool)
            pools[town.code] = pool
        rows: dict[int, RollRow] = {}
        at_sea: dict[int, list[Person]] = {}
        fishers = [p for code in FISHING_TOWNS for p in pools.get(code, [])]
        rng.shuffle(fishers)
        for i, branch in enumerate(floating):
            crew = list(self.members[branch.party_unit_id or 0])  # the captain first
            while len(crew) < AT_SEA_PER_BRANCH:
                crew.append(fishers.pop())
            at_sea[branch.pk] = crew
            for person in crew:
                rows[person.pk] = RollRow(
                    person, home[person.pk], branch, mobile=True, whereabouts=FISHING_GROUNDS[i % 4]
                )
        taken = set(rows)
        for code in pools:
            pools[code] = [p for p in pools[code] if p.pk not in taken]
        temporary: list[Branch] = []
        for n, (town_code, name, where) in enumerate(TEMPORARY, 1):
            town = self.by_code[town_code]
            crew = [pools[town_code].pop() for _i in range(TEMPORARY_MEMBERS)]
            branch = self.branch(
                code=f"{town_code}-TP{n:02d}",
                name=name,
                kind=BranchKind.TEMPORARY,
                unit=town,
                liaison=(self.cadres.get(town.pk) or self.leaders)[0],
                responsible=crew[0],
            )
            temporary.append(branch)
            for person in crew:
                rows[person.pk] = RollRow(person, home[person.pk], branch, mobile=True, whereabouts=where)
        away = cycle([code for code in pools])
        elsewhere = 0
        while elsewhere < ELSEWHERE:
            code = next(away)
            if pools[code]:
                person = pools[code].pop()
                place = rng.choice(ELSEWHERE_PLACES)
                rows[person.pk] = RollRow(person, home[person.pk], mobile=True, whereabouts=f"在{place}务工")
                elsewhere += 1
        by_id = {p.pk: p for group in self.members.values() for p in group}
        for person_id, branch in home.items():
            if person_id not in rows:
                rows[person_id] = RollRow(by_id[person_id], branch)
        enrolled = import_roll(rows.values(), actor=self.roll_keeper, source="海滨区党员花名册")
        memberships = {
            m.person_id: m
            for m in Membership.objects.filter(person_id__in=list(rows)).select_related(
                "person", "current_branch", "home_branch"
            )
        }
        sessions = self.activities(regular, floating)
        sea = self.sea(sessions.pop("sea"), floating, at_sea, memberships, captains)
        attendances = self.sign_in(sessions, memberships, {p.pk for crew in at_sea.values() for p in crew})
        materials = self.materials(floating, temporary, [regular[v.pk] for v in self.villages])
        return {
            "members_added": added,
            "members": enrolled,
            "mobile": sum(1 for row in rows.values() if row.mobile),
            "branches": len(regular) + len(floating) + len(temporary),
            "floating": len(floating),
            "temporary": len(temporary),
            "activities": Activity.objects.filter(campaign=self.campaign).count(),
            "sessions": Session.objects.filter(activity__campaign=self.campaign).count(),
            "attendances": attendances + sea,
            "at_sea": REACHED_PER_BRANCH * len(floating),
            **materials,
        }

    # --- activities and sessions -------------------------------------------------------------------

    def days(self) -> Iterator[dt.datetime]:
        """Session starts spread over the campaign: a random day, 09:00 or 14:30 local time."""
        first, last = self.campaign.starts_on, self.campaign.ends_on
        span = (last - first).days + 1
        while True:
            day = first + dt.timedelta(days=self.rng.randrange(span))
            hour = dt.time(9) if self.rng.random() < 0.5 else dt.time(14, 30)
            yield timezone.make_aware(dt.datetime.combine(day, hour), timezone.get_default_timezone())

    def activities(self, regular: dict[int, Branch], floating: list[Branch]) -> dict[str, list[Session]]:
        """Every activity of the campaign with its sessions; returns the sessions by pool: "sea", the
        district's ("district"), and by unit id (str) for the units' own."""
        org, rng, when = self.organiser, self.rng, self.days()
        pools: dict[str, list[Session]] = defaultdict(list)

        def activity(kind: str, title: str, unit: Unit, **extra: object) -> Activity:
            return rules.create_activity(
                kind=kind,
                title=title,
                unit=unit,
                campaign=self.campaign,
                actor=org,
                **extra,  # type: ignore[arg-type]
            )

        def session(act: Activity, pool: str, branches: list[Branch], **fields: str) -> Session:
            made = rules.add_session(act, starts_at=next(when), branches=branches, actor=org, **fields)
            pools[pool].append(made)
            return made

        for i, (title, result) in enumerate(RESEARCH):
            unit = self.departments[i % len(self.departments)] if self.departments else self.district
            owners = [self.leaders[(2 * i + k) % len(self.leaders)] for k in range(2)] if self.leaders else []
            topic = activity(ActivityKind.RESEARCH, title, unit, owners=owners)
            rules.record_result(topic, result=result, actor=org)
        places: dict[str, list[tuple[Unit | None, str]]] = {
            VenueKind.OFFICES: [(d, d.name) for d in self.departments],
            VenueKind.VILLAGES: [(v, v.name) for v in self.villages if v.kind == UnitKind.VILLAGE],
            VenueKind.COMMUNITIES: [(v, v.name) for v in self.villages if v.kind == UnitKind.COMMUNITY],
            VenueKind.SCHOOLS: [(self.by_code.get("JY"), s) for s in SCHOOLS],
            VenueKind.ENTERPRISES: [(e.parent, e.name) for e in self.enterprises],
        }
        speakers = cycle(p.name for p in self.leaders) if self.leaders else cycle(["区委宣讲团"])
        for venue, title, count in TOURS:
            tour = activity(ActivityKind.LECTURE_TOUR, title, self.district, venue_kind=venue)
            choices = places[venue] or [(None, self.district.name)]
            for host, place in (
                rng.sample(choices, min(count, len(choices))) + choices[: max(count - len(choices), 0)]
            ):
                branch = regular.get(host.pk) if host is not None else None
                session(
                    tour,
                    str(host.pk) if host is not None else "district",
                    [branch] if branch else [],
                    place=place,
                    speaker=next(speakers),
                    topic="深入开展党的群众路线教育实践活动",
                )
        fishery = self.by_code[org_demo.FISHERY_TOWN_CODE]
        sea_tour = activity(ActivityKind.LECTURE_TOUR, SEA_TOUR, fishery)
        for i, ship in enumerate(SHIPS):
            branch = floating[i // 2 % len(floating)] if floating else None
            session(
                sea_tour,
                "sea",
                [branch] if branch else [],
                ship=ship,
                speaker=next(speakers),
                topic="送学上船：党的群众路线教育实践活动学习",
            )
        organisers = [self.district, *self.departments, *self.townships]
        for i in range(REPORTS):
            unit = organisers[i % len(organisers)]
            title = REPORT_TOPICS[i % len(REPORT_TOPICS)]
            report = activity(ActivityKind.REPORT, f"{unit.name}{title}", unit)
            invited = [regular[unit.pk]] if unit.pk in regular else []
            pool = "district" if unit == self.district else str(unit.pk)
            session(report, pool, invited, place=f"{unit.name}会议室", speaker=next(speakers), topic=title)
        discussing = [v for v in self.villages for _k in range(DISCUSSIONS_PER_VILLAGE)]
        discussing += [self.departments[i % len(self.departments)] for i in range(DEPARTMENT_DISCUSSIONS)]
        for i, unit in enumerate(discussing):
            title = DISCUSSION_TOPICS[i % len(DISCUSSION_TOPICS)]
            talk = activity(ActivityKind.DISCUSSION, f"{unit.name}{title}", unit)
            session(talk, str(unit.pk), [regular[unit.pk]], place=f"{unit.name}党员活动室", topic=title)
        return pools

    # --- attendance --------------------------------------------------------------------------------

    def sea(
        self,
        sessions: list[Session],
        floating: list[Branch],
        at_sea: dict[int, list[Person]],
        memberships: dict[int, Membership],
        captains: list[Person],
    ) -> int:
        """Each floating branch's two sessions on the ships, sent as an offline batch by its captain."""
        recorded = 0
        for i, (branch, captain) in enumerate(zip(floating, captains, strict=True)):
            reached = at_sea[branch.pk][:REACHED_PER_BRANCH]
            parts = [reached[:SEA_FIRST_SESSION], reached[SEA_FIRST_SESSION:]]
            batch = [
                {
                    "uid": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                    "session": s.pk,
                    "member": p.pk,
                }
                for s, people in zip(sessions[2 * i : 2 * i + 2], parts, strict=True)
                for p in people
            ]
            assert captain.user is not None
            result = rules.record_attendance_batch(batch, actor=captain.user)
            if result.errors or result.conflicts:
                raise RuntimeError(f"sea batch of {branch.code} refused: {result.as_dict()}")
            recorded += len(result.recorded)
        return recorded

    def sign_in(
        self, pools: dict[str, list[Session]], memberships: dict[int, Membership], sea: set[int]
    ) -> int:
        """Sign-in sheets of the sessions on land: each member at a few sessions of their branch, their
        unit and township and the district (mobile members online, fewer); some attend nothing."""
        rng = self.rng
        land = [m for pid, m in memberships.items() if pid not in sea]
        keep = {self.demo_member.pk} if self.demo_member is not None else set()
        left = set(
            rng.sample([m.person_id for m in land if m.person_id not in keep], min(LEFT_BEHIND, len(land)))
        )
        sheets: dict[tuple[int, str], list[Membership]] = defaultdict(list)
        by_pk: dict[int, Session] = {}
        for membership in land:
            if membership.person_id in left:
                continue
            unit = membership.home_branch.unit_id
            own = pools.get(str(unit), []) + pools.get(str(self.parent_of.get(unit)), [])
            if membership.mobile:
                choices, mode, k = pools.get("district", []), AttendanceMode.ONLINE, rng.randint(1, 2)
            else:
                choices, mode, k = own + pools.get("district", []), AttendanceMode.RECORDED, rng.randint(2, 5)
            if not choices:
                continue
            for chosen in rng.sample(choices, min(k, len(choices))):
                by_pk[chosen.pk] = chosen
                sheets[(chosen.pk, mode)].append(membership)
        total = 0
        for (session_pk, how), members in sorted(sheets.items()):
            total += import_attendance(by_pk[session_pk], members, actor=self.organiser, mode=how)
        return total

    # --- materials ---------------------------------------------------------------------------------

    def materials(
        self, floating: list[Branch], temporary: list[Branch], villages: list[Branch]
    ) -> dict[str, int]:
        org, first = self.organiser, self.campaign.starts_on
        counts = {"books": 0, "discs": 0, "brochures": 0}

        def give(kind: str, title: str, count: int, branch: Branch, day: int) -> None:
            rules.hand_out(
                kind=kind,
                title=title,
                count=count,
                branch=branch,
                handed_on=min(first + dt.timedelta(days=day), self.campaign.ends_on),
                actor=org,
            )

        for branch in floating:
            give(MaterialKind.BOOK, "党的群众路线教育实践活动学习读本", BOOKS_FLOATING, branch, 20)
            give(MaterialKind.DISC, "党的群众路线教育实践活动专题教育片（光盘）", DISCS_FLOATING, branch, 20)
            counts["books"] += BOOKS_FLOATING
            counts["discs"] += DISCS_FLOATING
        for i, branch in enumerate(temporary):
            give(MaterialKind.BOOK, "党的群众路线教育实践活动学习读本", BOOKS_TEMPORARY, branch, 30)
            counts["books"] += BOOKS_TEMPORARY
            if i < DISC_BRANCHES:
                give(
                    MaterialKind.DISC,
                    "党的群众路线教育实践活动专题教育片（光盘）",
                    DISCS_TEMPORARY,
                    branch,
                    30,
                )
                counts["discs"] += DISCS_TEMPORARY
        for branch in villages:
            give(MaterialKind.BROCHURE, "党的群众路线教育实践活动应知应会手册", BROCHURES, branch, 10)
            counts["brochures"] += BROCHURES
        return counts
