"""回避 through merges, links and the paths around them (issue 16, item 2): an appeal about 区教育局's
officials never reaches 区教育局 — not by being merged into an appeal it handles, not through a
rectification item it leads or co-handles, not as a co-unit, a duplicate hint, a hotspot, an export row,
a list row, a page or an API answer — and the reply 区教育局 drafts never reaches that whistleblower.
Each path is asked through HTTP as the named actors of minyi.testing."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any
from zipfile import ZipFile

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from minyi.appeals import rules
from minyi.appeals.choices import EventKind, RejectReason, State
from minyi.appeals.models import Appeal, AppealEvent
from minyi.appeals.tests.factories import in_progress, new_appeal
from minyi.insight import duplicates
from minyi.insight.models import HotspotCluster, HotspotRun
from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign, Issue
from minyi.ledger.rules import create_issue
from minyi.testing import Actors
from minyi.worker.models import Job

pytestmark = pytest.mark.django_db

WHISTLE_PHONE = "13700007777"
WHISTLE_TITLE = "举报教育局干部收受礼金"


def whistle(actors: Actors, **fields: Any) -> Appeal:
    """A report about 区教育局's own officials, from a citizen who left a phone."""
    values: dict[str, Any] = {
        "title": WHISTLE_TITLE,
        "body": "区教育局某科长在学校工程验收中收受礼金，请纪检部门调查。",
        "citizen_name": "林举报",
        "citizen_phone": WHISTLE_PHONE,
        "concerns_unit": actors.edu,
    }
    return new_appeal(actors, **{**values, **fields})


def legacy_merge(appeal: Appeal, master: Appeal) -> None:
    """A merge made before the merge rule refused it: the rows such a merge left behind."""
    Appeal.objects.filter(pk=appeal.pk).update(
        state=State.MERGED, master=master, reject_reason=RejectReason.DUPLICATE
    )
    AppealEvent.objects.create(appeal=master, kind=EventKind.MERGED, data={"merged": appeal.number})


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def sms_to(phone: str) -> list[str]:
    return [
        job.payload["text"] for job in Job.objects.filter(kind="notify.sms") if job.payload["phone"] == phone
    ]


def unzipped(xlsx: bytes) -> bytes:
    with ZipFile(io.BytesIO(xlsx)) as book:
        return b"".join(book.read(name) for name in book.namelist() if name.endswith(".xml"))


@pytest.fixture
def campaign() -> Campaign:
    return Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                                   ends_on=date(2026, 12, 31))  # fmt: skip


# --- merge -------------------------------------------------------------------------------------------


def test_merging_a_report_about_a_unit_into_an_appeal_it_handles_is_refused_on_the_page_and_the_api(
    client: Client, actors: Actors
) -> None:
    master = in_progress(actors)  # 区教育局 handles it
    report = whistle(actors)
    client.force_login(actors.dispatcher)
    page = client.post(f"/appeals/{report.number}/merge/", {"version": report.version, "into": master.number})
    assert page.status_code == 400
    assert "回避" in page.content.decode() and "区教育局" in page.content.decode()
    answer = api(actors.dispatcher).post(
        f"/api/v1/appeals/{report.number}/merge/",
        {"version": report.version, "into": master.number},
        format="json",
        headers={"accept-language": "zh-hans"},
    )
    assert answer.status_code == 400 and "回避" in str(answer.json()), answer.json()
    report.refresh_from_db()
    assert (report.state, report.master_id, report.version) == (State.RECEIVED, None, 1)  # nothing changed
    assert not master.events.filter(kind=EventKind.MERGED).exists()

    # Into an appeal 住建局 handles, the same merge goes through.
    other = rules.dispatch(new_appeal(actors), lead=actors.housing, actor=actors.dispatcher)
    merged = client.post(
        f"/appeals/{report.number}/merge/", {"version": report.version, "into": other.number}
    )
    assert merged.status_code == 302
    report.refresh_from_db()
    assert report.state == State.MERGED


def test_merging_into_an_appeal_with_the_unit_as_co_unit_or_through_a_linked_item_is_refused(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    co_handled = rules.dispatch(
        new_appeal(actors), lead=actors.housing, co_units=[actors.edu], actor=actors.dispatcher
    )
    linked = new_appeal(actors)
    create_issue(campaign=campaign, title="校园周边整治", track=Track.FIX_NOW, lead_unit=actors.edu,
                 leader=actors.leader, deadline=timezone.localdate() + timedelta(days=30),
                 actor=actors.dispatcher, appeals=[linked])  # fmt: skip
    report = whistle(actors)
    client.force_login(actors.dispatcher)
    for master in (co_handled, linked):
        page = client.post(f"/appeals/{report.number}/merge/", {"version": 1, "into": master.number})
        assert page.status_code == 400 and "回避" in page.content.decode(), master.number
    report.refresh_from_db()
    assert report.state == State.RECEIVED


def test_a_call_recorded_and_merged_at_intake_into_an_appeal_the_unit_handles_stores_nothing(
    client: Client, actors: Actors
) -> None:
    master = in_progress(actors)
    client.force_login(actors.dispatcher)
    before = Appeal.objects.count()
    response = client.post(
        "/appeals/intake/new/",
        {"channel": "hotline", "kind": "complaint", "title": WHISTLE_TITLE, "body": "教育局干部收礼。",
         "phone": WHISTLE_PHONE, "concerns_unit": actors.edu.pk, "merge_into": master.number},
    )  # fmt: skip
    assert response.status_code == 400
    assert Appeal.objects.count() == before


# --- a merge that slipped through (made before the rule) ---------------------------------------------


def test_a_merged_report_never_shows_on_the_units_pages_exports_or_api(
    client: Client, actors: Actors
) -> None:
    master = in_progress(actors)
    report = whistle(actors)
    legacy_merge(report, master)
    for insider in (actors.handler_edu, actors.head_edu):
        client.force_login(insider)
        detail = client.get(f"/appeals/{master.number}/")
        assert detail.status_code == 200
        assert str(report.number) not in detail.content.decode() and "收受礼金" not in detail.content.decode()
        listed = client.get("/appeals/", {"state": ""}).content.decode()
        assert str(master.number) in listed and str(report.number) not in listed
        assert client.get(f"/appeals/{report.number}/").status_code == 404
        exported = client.get("/appeals/export.xlsx", {"state": ""}, follow=True).content
        assert str(master.number).encode() in unzipped(exported)
        assert str(report.number).encode() not in unzipped(exported)
        rest = api(insider)
        numbers = {a["number"] for a in rest.get("/api/v1/appeals/").json()["results"]}
        assert str(master.number) in numbers and str(report.number) not in numbers
        assert rest.get(f"/api/v1/appeals/{report.number}/").status_code == 404
        assert str(report.number) not in rest.get(f"/api/v1/appeals/{master.number}/").content.decode()
    client.force_login(actors.dispatcher)  # the district office sees both, and the merge on the timeline
    assert str(report.number) in client.get(f"/appeals/{master.number}/").content.decode()


def test_the_units_reply_to_a_merged_group_never_reaches_the_whistleblower(
    client: Client, actors: Actors
) -> None:
    master = in_progress(actors)
    report = whistle(actors)
    legacy_merge(report, master)
    client.force_login(actors.handler_edu)
    drafted = client.post(
        f"/appeals/{master.number}/draft-reply/",
        {"body": "已更换路灯三盏，现已恢复照明。", "version": master.version},
    )
    assert drafted.status_code == 302
    reply = master.replies.get()
    client.force_login(actors.head_edu)
    approved = client.post(
        f"/appeals/{master.number}/approve-reply/",
        {"reply": reply.pk, "body": reply.body, "version": master.version},
    )
    assert approved.status_code == 302
    master.refresh_from_db()
    assert master.state == State.REPLIED
    assert any("已更换路灯" in text for text in sms_to("13900001111"))  # the master's citizen is answered
    assert not any("已更换路灯" in text for text in sms_to(WHISTLE_PHONE))
    report.refresh_from_db()  # back in the inbox, to be handled on its own
    assert (report.state, report.master_id) == (State.RECEIVED, None)
    client.force_login(actors.dispatcher)
    assert str(report.number) in client.get("/appeals/").content.decode()


def test_unmerge_is_the_dispatchers_and_the_unit_still_never_sees_the_report(
    client: Client, actors: Actors
) -> None:
    master = in_progress(actors)
    report = whistle(actors)
    legacy_merge(report, master)
    report.refresh_from_db()
    client.force_login(actors.handler_edu)
    assert client.post(f"/appeals/{report.number}/unmerge/", {"version": report.version}).status_code == 404
    assert (
        api(actors.handler_edu)
        .post(f"/api/v1/appeals/{report.number}/unmerge/", {}, format="json")
        .status_code
        == 404
    )
    client.force_login(actors.dispatcher)
    assert client.post(f"/appeals/{report.number}/unmerge/", {"version": report.version}).status_code == 302
    report.refresh_from_db()
    assert report.state == State.RECEIVED
    client.force_login(actors.handler_edu)
    assert client.get(f"/appeals/{report.number}/").status_code == 404
    assert str(report.number) not in client.get("/appeals/", {"state": ""}).content.decode()


# --- dispatch and co-units ---------------------------------------------------------------------------


def test_an_appeal_with_a_report_merged_into_it_is_never_handed_to_that_unit_as_lead_or_co_unit(
    client: Client, actors: Actors
) -> None:
    master = new_appeal(actors)
    report = whistle(actors)
    rules.merge(report, into=master, actor=actors.dispatcher)  # while nobody holds it: allowed
    master.refresh_from_db()
    client.force_login(actors.dispatcher)
    page = client.get(f"/appeals/{master.number}/", headers={"accept-language": "en"}).content.decode()
    form = page[page.index('id="act-dispatch"') :]
    form = form[: form.index("</details>")]
    assert f'value="{actors.housing.pk}"' in form and f'value="{actors.edu.pk}"' not in form
    for lead, co in ((actors.edu, []), (actors.housing, [actors.edu])):
        response = api(actors.dispatcher).post(
            f"/api/v1/appeals/{master.number}/dispatch/",
            {"version": master.version, "lead": lead.code, "co_units": [u.code for u in co]},
            format="json",
            headers={"accept-language": "zh-hans"},
        )
        assert response.status_code == 400, response.json()
        assert str(report.number) in str(response.json()) and "回避" in str(response.json())
        posted = client.post(
            f"/appeals/{master.number}/dispatch/",
            {"version": master.version, "lead": lead.pk, "co_units": [u.pk for u in co]},
        )
        assert posted.status_code == 400
    master.refresh_from_db()
    assert master.state == State.RECEIVED and not master.assignments.exists()
    done = client.post(
        f"/appeals/{master.number}/dispatch/", {"version": master.version, "lead": actors.housing.pk}
    )
    assert done.status_code == 302


# --- ledger links ------------------------------------------------------------------------------------


def test_a_report_is_never_linked_to_an_item_the_unit_leads_or_co_handles(
    client: Client, actors: Actors, campaign: Campaign
) -> None:
    report = whistle(actors)
    client.force_login(actors.dispatcher)
    form = {
        "appeal": [report.number],
        "campaign": campaign.pk,
        "title": "教育系统作风整治",
        "track": Track.FIX_NOW,
        "lead_unit": actors.edu.pk,
        "leader": actors.leader.pk,
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
    }
    page = client.post("/ledger/new/", form)
    assert page.status_code == 400 and "回避" in page.content.decode()
    page = client.post("/ledger/new/", {**form, "lead_unit": actors.housing.pk, "co_units": [actors.edu.pk]})
    assert page.status_code == 400 and "回避" in page.content.decode()
    body = {"campaign": "QZLX", "title": "教育系统作风整治", "track": Track.FIX_NOW, "lead_unit": "EDU",
            "leader": actors.leader.pk, "deadline": form["deadline"], "appeals": [report.number]}  # fmt: skip
    answer = api(actors.dispatcher).post(
        "/api/v1/issues/", body, format="json", headers={"accept-language": "zh-hans"}
    )
    assert answer.status_code == 400 and "回避" in str(answer.json()), answer.json()
    assert not Issue.objects.exists()

    # Linked to 住建局's item, it cannot get 区教育局 as a co-unit or lead unit afterwards.
    made = api(actors.dispatcher).post("/api/v1/issues/", {**body, "lead_unit": "HOUSING"}, format="json")
    assert made.status_code == 201, made.json()
    issue = Issue.objects.get()
    for change in ({"co_units": ["EDU"]}, {"lead_unit": "EDU"}):
        edited = api(actors.dispatcher).post(
            f"/api/v1/issues/{issue.pk}/edit/", {"version": issue.version, **change}, format="json"
        )
        assert edited.status_code == 400 and "回避" in str(edited.json()), edited.json()
    issue.refresh_from_db()
    assert issue.lead_unit == actors.housing and not issue.co_units.exists() and issue.version == 1


# --- hints and hotspots ------------------------------------------------------------------------------


def test_a_report_is_never_a_duplicate_hint_for_the_unit_nor_offered_to_merge_into_its_appeal(
    client: Client, actors: Actors
) -> None:
    report = whistle(actors)  # earlier
    later = whistle(actors, concerns_unit=None, citizen_phone="13600006666", citizen_name="别人")
    rules.dispatch(later, lead=actors.edu, actor=actors.dispatcher)
    assert {h.earlier_id for h in duplicates.record_hints(later)} == {report.pk}  # the finder pairs them
    client.force_login(actors.handler_edu)
    listed = client.get("/appeals/", {"state": ""}).content.decode()
    assert str(later.number) in listed and str(report.number) not in listed
    assert str(report.number) not in client.get(f"/appeals/{later.number}/").content.decode()

    # The dispatcher, on the report, is not offered the appeal 区教育局 holds as a merge target.
    third = whistle(actors, concerns_unit=None, citizen_phone=WHISTLE_PHONE)
    duplicates.record_hints(third)
    client.force_login(actors.dispatcher)
    page = client.get(f"/appeals/{third.number}/").content.decode()
    assert str(report.number) in page  # a hint it may be merged into (nobody holds it)
    duplicates.record_hints(report)
    rules.dispatch(third, lead=actors.edu, actor=actors.dispatcher)
    assert str(third.number) not in client.get(f"/appeals/{report.number}/").content.decode()
    # Nor does the merge's confirmation offer it, asked directly.
    confirm = client.get(f"/appeals/{report.number}/duplicates/merge/", {"into": str(third.number)})
    assert confirm.status_code == 409 and "回避" in confirm.content.decode()
    assert 'class="merge-confirm"' not in confirm.content.decode()


def test_the_hotspot_board_withholds_a_cluster_of_reports_about_the_viewers_unit(
    client: Client, actors: Actors
) -> None:
    about_office = [
        whistle(actors, concerns_unit=actors.office, citizen_phone=f"1370000000{i}") for i in range(3)
    ]
    plain = new_appeal(actors)
    run = HotspotRun.objects.create(
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), state=HotspotRun.State.DONE
    )
    now = timezone.now()
    hidden = HotspotCluster.objects.create(run=run, rank=1, heat=9, title="教育局干部收受礼金", place="东村",
                                           first_at=now, last_at=now, size=3, people=3, likes=0)  # fmt: skip
    hidden.appeals.set(about_office)
    shown = HotspotCluster.objects.create(run=run, rank=2, heat=1, title="东村路灯坏了", place="东村",
                                          first_at=now, last_at=now, size=1, people=1, likes=0)  # fmt: skip
    shown.appeals.set([plain])
    client.force_login(actors.dispatcher)  # of 区群众路线办, which the three reports concern
    board = client.get(f"/insight/hotspots/{run.pk}/").content.decode()
    assert "收受礼金" not in board and "东村路灯坏了" in board
    cluster = client.get(f"/insight/hotspots/cluster/{hidden.pk}/").content.decode()
    assert "收受礼金" not in cluster and not any(str(a.number) in cluster for a in about_office)
    exported = client.get("/reports/export/hotspots/", {"run": run.pk}, follow=True).content
    assert "收受礼金".encode() not in unzipped(exported) and "东村路灯坏了".encode() in unzipped(exported)
    client.force_login(actors.leader)  # of the district: not recused, sees the cluster as it is
    assert "收受礼金" in client.get(f"/insight/hotspots/{run.pk}/").content.decode()
