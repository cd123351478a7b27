"""Offline capture through HTTP (issue 7): the sync counts a batch sent twice once, keeps the valid
records of a bad batch and reports the others one by one, reports conflicts; the data the phone keeps;
the installable shell (manifest, service worker)."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from minyi.audit.models import AuditEvent
from minyi.org.choices import Role
from minyi.org.rules import create_person
from minyi.study import rules
from minyi.study.models import Attendance, Session
from minyi.study.tests.conftest import Study, build_study
from minyi.study.views_offline import MAX_BATCH
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db

SYNC = "/study/offline/sync/"


@pytest.fixture
def bare(actors: Actors) -> Study:
    """The study fixture with no attendance yet."""
    return build_study(actors, attendances=False)


def fisher(study: Study) -> User:
    user = study.fisher1.person.user
    assert user is not None
    return user


def client_for(user: User, language: str = "en", **kwargs: Any) -> Client:
    client = Client(headers={"accept-language": language}, **kwargs)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def record(session: Session, member_id: int, uid: str | None = None) -> dict[str, Any]:
    return {"uid": uid or str(uuid.uuid4()), "session": session.pk, "member": member_id}


def config_of(html: str) -> dict[str, Any]:
    """The page's settings for offline.js (the json_script block)."""
    found = re.search(r'id="offline-config"[^>]*>(.*?)</script>', html, re.S)
    assert found is not None
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def post(client: Client, body: object) -> Any:
    return client.post(SYNC, data=json.dumps(body), content_type="application/json")


# --- the sync -------------------------------------------------------------------------------------


def test_a_valid_batch_is_recorded_and_audited(bare: Study) -> None:
    records = [record(bare.s2, bare.fisher1.person_id), record(bare.s2, bare.fisher2.person_id)]
    answer = post(client_for(fisher(bare)), {"records": records})
    assert answer.status_code == 200
    body = answer.json()
    assert body["recorded"] == [r["uid"] for r in records]
    assert body["already"] == [] and body["errors"] == [] and body["conflicts"] == []
    assert body["message"] == "2 recorded, 0 already there, 0 not accepted, 0 in conflict."
    rows = Attendance.objects.filter(session=bare.s2)
    assert {str(a.uid) for a in rows} == {r["uid"] for r in records}
    assert {a.mode for a in rows} == {"recorded"}
    assert {a.recorded_by for a in rows} == {fisher(bare)}
    assert AuditEvent.objects.filter(action="study.attendance").count() == 2


def test_the_same_batch_sent_twice_counts_once(bare: Study) -> None:
    client = client_for(fisher(bare))
    records = [record(bare.s2, bare.fisher1.person_id), record(bare.s2, bare.fisher2.person_id)]
    assert post(client, {"records": records}).json()["recorded"] == [r["uid"] for r in records]
    again = post(client, {"records": records})
    assert again.status_code == 200
    body = again.json()
    assert body["recorded"] == [] and body["already"] == [r["uid"] for r in records]
    assert body["message"] == "0 recorded, 2 already there, 0 not accepted, 0 in conflict."
    assert Attendance.objects.filter(session=bare.s2).count() == 2
    assert AuditEvent.objects.filter(action="study.attendance").count() == 2


def test_malformed_records_are_reported_one_by_one_and_the_valid_ones_kept(bare: Study) -> None:
    good1 = record(bare.s2, bare.fisher1.person_id)
    good2 = record(bare.s2, bare.fisher2.person_id)
    unknown_session = record(bare.s2, bare.fisher2.person_id)
    unknown_session["session"] = 999_999
    records: list[object] = [
        good1,
        "not a record",
        {"uid": "not-a-uuid", "session": bare.s2.pk, "member": bare.fisher1.person_id},
        {"uid": str(uuid.uuid4()), "session": "two", "member": bare.fisher1.person_id},
        good2,
        unknown_session,
        {"uid": str(uuid.uuid4()), "session": bare.s2.pk},
    ]
    answer = post(client_for(fisher(bare)), {"records": records})
    assert answer.status_code == 200
    body = answer.json()
    assert body["recorded"] == [good1["uid"], good2["uid"]]
    problems = {p["index"]: p["message"] for p in body["errors"]}
    assert problems == {
        1: "The record is not a set of fields.",
        2: "The record has no valid id (uid).",
        3: "The record lacks a valid session number.",
        5: "No such session.",
        6: "The record lacks a valid member number.",
    }
    assert [p["uid"] for p in body["errors"] if p["index"] == 5] == [unknown_session["uid"]]
    assert Attendance.objects.count() == 2


def test_a_conflicting_record_is_reported_not_merged(bare: Study) -> None:
    client = client_for(fisher(bare))
    uid = str(uuid.uuid4())
    post(client, {"records": [record(bare.s2, bare.fisher1.person_id, uid)]})
    answer = post(client, {"records": [record(bare.s2, bare.fisher2.person_id, uid)]}).json()
    assert answer["recorded"] == [] and answer["already"] == []
    assert answer["conflicts"] == [
        {"index": 0, "uid": uid, "message": "Another record with this id was stored with other content."}
    ]
    assert "1 in conflict" in answer["message"]
    assert list(Attendance.objects.values_list("person_id", flat=True)) == [bare.fisher1.person_id]


def test_a_responsible_member_records_only_for_their_branch(bare: Study) -> None:
    # 海员甲 is responsible for the floating branch B; 林党员 is only in branch A.
    not_mine = record(bare.s1, bare.lin.person_id)
    mine = record(bare.s2, bare.fisher2.person_id)
    body = post(client_for(fisher(bare)), {"records": [not_mine, mine]}).json()
    assert body["recorded"] == [mine["uid"]]
    assert body["errors"] == [
        {
            "index": 0,
            "uid": not_mine["uid"],
            "message": "You may record attendance only for members of your branch.",
        }
    ]
    assert not Attendance.objects.filter(person=bare.lin.person).exists()
    # 陈党员, responsible for branch A, may.
    chen = client_for(bare.actors.member)
    assert post(chen, {"records": [not_mine]}).json()["recorded"] == [not_mine["uid"]]


@pytest.mark.parametrize(
    "payload",
    [
        b"not json at all",
        b"\xff\xfe\x00",
        json.dumps([{"uid": "c414d545-b44e-459f-9391-deb2183485b3", "session": 1, "member": 1}]).encode(),
        json.dumps({"records": "none"}).encode(),
        json.dumps({"items": []}).encode(),
    ],
)
def test_a_body_without_a_list_of_records_is_refused(bare: Study, payload: bytes) -> None:
    answer = client_for(fisher(bare)).post(SYNC, data=payload, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"] in ("Send the records as JSON.", "The batch must have a list of records.")
    assert not Attendance.objects.exists()


def test_a_batch_over_the_cap_is_refused_whole(bare: Study) -> None:
    records = [record(bare.s2, bare.fisher2.person_id) for _i in range(MAX_BATCH + 1)]
    answer = post(client_for(fisher(bare)), {"records": records})
    assert answer.status_code == 400
    assert answer.json()["error"] == f"Send at most {MAX_BATCH} records at a time."
    assert not Attendance.objects.exists()


def test_the_refusal_speaks_chinese_by_default(bare: Study) -> None:
    answer = client_for(fisher(bare), language="zh-hans").post(
        SYNC, data=b"{", content_type="application/json"
    )
    assert answer.status_code == 400 and answer.json()["error"]


def test_anonymous_is_sent_to_log_in_and_nothing_is_saved(bare: Study) -> None:
    answer = post(Client(), {"records": [record(bare.s2, bare.fisher1.person_id)]})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
    assert not Attendance.objects.exists()


def test_the_sync_takes_only_post(bare: Study) -> None:
    assert client_for(fisher(bare)).get(SYNC).status_code == 405


def test_the_sync_needs_the_csrf_token_the_page_carries(bare: Study) -> None:
    client = client_for(fisher(bare), enforce_csrf_checks=True)
    body = json.dumps({"records": [record(bare.s2, bare.fisher1.person_id)]})
    refused = client.post(SYNC, data=body, content_type="application/json")
    assert refused.status_code == 403 and not Attendance.objects.exists()
    config = config_of(client.get(reverse("study:offline")).content.decode())
    taken = client.post(
        SYNC, data=body, content_type="application/json", headers={"x-csrftoken": config["csrf"]}
    )
    assert taken.status_code == 200 and Attendance.objects.count() == 1


# --- the data the phone keeps ---------------------------------------------------------------------


def data_of(user: User) -> dict[str, Any]:
    answer = client_for(user).get(reverse("study:offline_data"))
    assert answer.status_code == 200
    assert "no-cache" in answer["Cache-Control"]
    result: dict[str, Any] = answer.json()
    return result


#: Topics of the ``recent`` sessions: the fixture's own sessions have fixed dates and fall in or out of
#: the window with the calendar, so tests look only at these.
RECENT = {"近期海上", "近期东村", "下周公开", "很久以前"}


def topics_of(data: dict[str, Any]) -> set[str]:
    return {s["topic"] for s in data["sessions"]} & RECENT


def roll(data: dict[str, Any]) -> dict[str, list[str]]:
    return {b["name"]: [m["name"] for m in b["members"]] for b in data["branches"]}


@pytest.fixture
def recent(bare: Study) -> dict[str, Session]:
    """Sessions around today: recent for branch B, recent for A, upcoming open to all, long past for B."""
    now = timezone.now()

    def add(days: float, topic: str, branches: list[Any]) -> Session:
        return rules.add_session(
            bare.tour, starts_at=now + dt.timedelta(days=days), topic=topic, place="船上", branches=branches,
            actor=None,
        )  # fmt: skip

    return {
        "b": add(-2, "近期海上", [bare.branch_b]),
        "a": add(-1, "近期东村", [bare.branch_a]),
        "open": add(10, "下周公开", []),
        "old": add(-90, "很久以前", [bare.branch_b]),
    }


def test_a_responsible_member_gets_their_branch_and_its_sessions(
    bare: Study, recent: dict[str, Session]
) -> None:
    rules.record_attendance(recent["b"], bare.fisher2, actor=bare.actors.cadre)
    data = data_of(fisher(bare))
    assert roll(data) == {"海上流动党支部": ["海员乙", "海员甲"]}
    members = {m["name"]: m for b in data["branches"] for m in b["members"]}
    assert members["海员甲"]["mobile"] is True and members["海员甲"]["whereabouts"] == "闽渔8号"
    # Its members' home branch is A: A's sessions are offered too; the one 90 days back is not.
    assert topics_of(data) == {"近期海上", "近期东村", "下周公开"}
    topics = {s["topic"]: s for s in data["sessions"]}
    assert topics["近期海上"]["attended"] == [bare.fisher2.person_id]
    assert topics["近期海上"]["place"] == "船上"
    assert data["csrf"]


def test_the_branch_a_secretary_gets_home_members_away_at_sea_too(
    bare: Study, recent: dict[str, Session]
) -> None:
    data = data_of(bare.actors.member)
    assert roll(data) == {"东村党支部": ["林党员", "陈党员"], "海上流动党支部": ["海员乙", "海员甲"]}
    assert topics_of(data) == {"近期海上", "近期东村", "下周公开"}


def test_a_plain_member_gets_only_themself(bare: Study, recent: dict[str, Session]) -> None:
    person = create_person(
        name="普通党员", unit=bare.actors.village, role=Role.MEMBER, username="plain",
        password_hash=make_password(PASSWORD), actor=None,
    )  # fmt: skip
    rules.enrol_member(person, home_branch=bare.branch_a, actor=None)
    assert person.user is not None
    data = data_of(person.user)
    assert roll(data) == {"东村党支部": ["普通党员"]}
    assert topics_of(data) == {"近期东村", "下周公开"}


def test_an_organiser_gets_every_member_and_session_in_scope(bare: Study, recent: dict[str, Session]) -> None:
    data = data_of(bare.actors.cadre)
    assert sorted(n for names in roll(data).values() for n in names) == sorted(
        ["陈党员", "林党员", "海员甲", "海员乙"]
    )
    assert topics_of(data) == {"近期海上", "近期东村", "下周公开"}


def test_the_data_needs_a_login(bare: Study) -> None:
    answer = Client().get(reverse("study:offline_data"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_staff_with_no_roll_get_nothing(bare: Study, recent: dict[str, Session]) -> None:
    data = data_of(bare.actors.outsider)
    assert data["branches"] == [] and data["sessions"] == []


# --- the installable shell ------------------------------------------------------------------------


def test_the_page_needs_a_login_and_carries_what_the_phone_needs(bare: Study) -> None:
    page_url = reverse("study:offline")
    assert Client().get(page_url).status_code == 302
    page = client_for(fisher(bare), language="zh-hans").get(page_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'rel="manifest" href="/study/offline/manifest.webmanifest"' in html
    assert "/static/minyi/offline/offline.js" in html
    assert "离线登记出勤" in html
    config = config_of(html)
    assert config["syncUrl"] == SYNC and config["swUrl"] == "/study/offline/sw.js"
    assert config["scope"] == page_url and config["csrf"]


def test_the_manifest_installs_the_page_as_an_app() -> None:
    answer = Client(headers={"accept-language": "en"}).get("/study/offline/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = json.loads(answer.content)
    assert manifest["name"] == "Minyi · study check-in" and manifest["lang"] == "en"
    chinese = json.loads(
        Client(headers={"accept-language": "zh-hans"}).get("/study/offline/manifest.webmanifest").content
    )
    with translation.override("zh-hans"):  # 民意·学习签到 once the catalogue has it
        assert chinese["name"] == gettext("Minyi · study check-in")
    assert manifest["start_url"] == "/study/offline/" and manifest["scope"] == "/study/offline/"
    assert manifest["display"] == "standalone"
    assert manifest["icons"][0]["src"].endswith("minyi/offline/icon.svg")
    assert finders.find("minyi/offline/icon.svg") is not None


def test_the_service_worker_is_scoped_uncached_and_caches_the_shell_only() -> None:
    answer = Client().get("/study/offline/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/javascript")
    assert answer["Service-Worker-Allowed"] == "/study/offline/"
    assert "no-cache" in answer["Cache-Control"]
    script = answer.content.decode()
    found = re.search(r"const URLS = (\[.*?\]);", script)
    assert found is not None
    urls = json.loads(found.group(1))
    assert "/study/offline/" in urls and "/static/minyi/offline/offline.js" in urls
    assert SYNC not in urls and "/study/offline/data/" not in urls
    assert "&quot;" not in script  # URLs written as JavaScript, not escaped as HTML


def test_home_offers_offline_recording_to_members_and_organisers(bare: Study) -> None:
    for user in (bare.actors.member, fisher(bare), bare.actors.cadre):
        assert 'href="/study/offline/"' in client_for(user).get("/").content.decode()
    assert 'href="/study/offline/"' not in client_for(bare.actors.handler_edu).get("/").content.decode()


def test_the_data_costs_the_same_queries_for_a_bigger_roll(bare: Study, recent: dict[str, Session]) -> None:
    client = client_for(bare.actors.cadre)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("study:offline_data")).status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        person = create_person(name=f"新党员{n}", unit=bare.actors.village, role=Role.MEMBER, actor=None)
        rules.enrol_member(person, home_branch=bare.branch_a, mobile=bool(n % 2), actor=None)
        rules.record_attendance(recent["a"], person.membership, actor=bare.actors.cadre)
    assert len(data_of(bare.actors.cadre)["branches"][0]["members"]) == 7
    assert queries() == before
