"""The ledger over the REST API (issue 6): the whole sign-off by API, scope (another unit gets 404),
Idempotency-Key on create, cursor pagination, checked filters, and the campaign summary."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from minyi.appeals.choices import State
from minyi.appeals.models import Appeal
from minyi.appeals.tests.factories import dispatched
from minyi.ledger import rules
from minyi.ledger.choices import IssueState, Track
from minyi.ledger.models import Campaign, Issue
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(actors: Actors) -> Campaign:
    return Campaign.objects.create(code="QZLX", name="群众路线教育实践活动", starts_on=date(2026, 1, 1),
                                   ends_on=date(2026, 12, 31))  # fmt: skip


def client_of(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def in_a_month() -> date:
    return timezone.localdate() + timedelta(days=30)


def new_issue(actors: Actors, campaign: Campaign, **fields: Any) -> Issue:
    values: dict[str, Any] = {
        "campaign": campaign,
        "title": "东村路灯长期不亮",
        "track": Track.FIX_NOW,
        "lead_unit": actors.edu,
        "leader": actors.leader,
        "deadline": in_a_month(),
        "actor": actors.dispatcher,
    }
    values.update(fields)
    return rules.create_issue(**values)


def create_body(actors: Actors, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "campaign": "QZLX",
        "title": "学校周边交通拥堵",
        "track": Track.FIX_NOW,
        "lead_unit": actors.edu.code,
        "leader": actors.leader.pk,
        "deadline": in_a_month().isoformat(),
    }
    body.update(fields)
    return body


def test_the_whole_sign_off_runs_through_the_api(actors: Actors, campaign: Campaign) -> None:
    appeal = dispatched(actors)
    made = client_of(actors.dispatcher).post(
        "/api/v1/issues/", create_body(actors, appeals=[appeal.number]), format="json"
    )
    assert made.status_code == 201, made.json()
    item = made.json()
    assert (item["state"], item["source"], item["appeals"]) == ("open", "appeals", [appeal.number])
    url = f"/api/v1/issues/{item['id']}"

    handler = client_of(actors.handler_edu)
    reported = handler.post(f"{url}/progress/", {"text": "已协调交警增设护学岗"}, format="json")
    assert reported.status_code == 200, reported.json()
    assert [r["text"] for r in reported.json()["reports"]] == ["已协调交警增设护学岗"]
    version = reported.json()["version"]
    submitted = handler.post(f"{url}/submit/", {"evidence": "护学岗照片", "version": version}, format="json")
    assert submitted.json()["state"] == IssueState.SUBMITTED
    agreed = client_of(actors.head_edu).post(f"{url}/agree/", {}, format="json")
    assert agreed.json()["state"] == IssueState.UNIT_AGREED
    decided = client_of(actors.leader).post(f"{url}/decide/", {"decision": "approve"}, format="json")
    assert decided.status_code == 200, decided.json()

    final = client_of(actors.leader).get(f"{url}/").json()
    assert final["state"] == IssueState.SIGNED_OFF and final["signed_off_at"]
    [signoff] = final["signoffs"]
    assert (signoff["approved"], signoff["agreed_by"], signoff["decided_by"]) == (True, "周局长", "郑领导")
    assert Appeal.objects.get(pk=appeal.pk).state == State.REPLIED  # the linked appeal got its answer


def test_someone_of_another_unit_gets_404_for_an_item_and_its_steps(
    actors: Actors, campaign: Campaign
) -> None:
    issue = new_issue(actors, campaign)
    outsider = client_of(actors.outsider)
    for response in (
        outsider.get(f"/api/v1/issues/{issue.pk}/"),
        outsider.post(f"/api/v1/issues/{issue.pk}/progress/", {"text": "越权"}, format="json"),
        outsider.post(f"/api/v1/issues/{issue.pk}/submit/", {"evidence": "越权"}, format="json"),
        outsider.get("/api/v1/issues/999999/"),  # unknown looks the same as hidden
        outsider.get("/api/v1/issues/abc/"),
        outsider.post(f"/api/v1/issues/{10**18 - 1}/progress/", {"text": "x"}, format="json"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found" and response.json()["message"]
    assert outsider.get("/api/v1/issues/").json()["results"] == []
    assert not issue.reports.exists()
    # The lead unit sees it; so does the district office.
    assert client_of(actors.handler_edu).get(f"/api/v1/issues/{issue.pk}/").status_code == 200
    assert [i["id"] for i in client_of(actors.dispatcher).get("/api/v1/issues/").json()["results"]] == [
        issue.pk
    ]


def test_a_co_handling_unit_reads_the_item_and_reports_on_it(actors: Actors, campaign: Campaign) -> None:
    issue = new_issue(actors, campaign, co_units=[actors.housing])
    housing = client_of(actors.handler_housing)
    assert housing.get(f"/api/v1/issues/{issue.pk}/").json()["co_units"] == [
        {"code": "HOUSING", "name": "区住建局"}
    ]
    response = housing.post(f"/api/v1/issues/{issue.pk}/progress/", {"text": "住建局已派员"}, format="json")
    assert response.status_code == 200


def test_a_rule_refusal_is_a_json_error_and_changes_nothing(actors: Actors, campaign: Campaign) -> None:
    issue = new_issue(actors, campaign)
    handler = client_of(actors.handler_edu)
    blank = handler.post(f"/api/v1/issues/{issue.pk}/submit/", {"evidence": "  "}, format="json")
    assert blank.status_code == 400 and "evidence" in blank.json()["fields"]
    early = handler.post(f"/api/v1/issues/{issue.pk}/agree/", {}, format="json")  # nothing submitted yet
    assert early.status_code == 409 and early.json()["code"] == "illegal"  # as for appeals
    handler.post(f"/api/v1/issues/{issue.pk}/submit/", {"evidence": "已整改"}, format="json")
    not_head = handler.post(f"/api/v1/issues/{issue.pk}/agree/", {}, format="json")
    assert not_head.status_code == 403 and not_head.json()["code"] == "permission_denied"
    stale = client_of(actors.head_edu).post(
        f"/api/v1/issues/{issue.pk}/agree/", {"version": 1}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert Issue.objects.get(pk=issue.pk).state == IssueState.SUBMITTED


def test_long_term_work_and_its_plan_by_api(actors: Actors, campaign: Campaign) -> None:
    issue = new_issue(
        actors, campaign, track=Track.FIX_IN_CAMPAIGN, deadline=in_a_month() + timedelta(days=300)
    )
    office = client_of(actors.dispatcher)
    converted = office.post(
        f"/api/v1/issues/{issue.pk}/convert/", {"reason": "需要三年资金投入"}, format="json"
    )
    assert (converted.json()["track"], converted.json()["original_track"]) == ("long_term", "fix_in_campaign")
    due = (timezone.localdate() + timedelta(days=60)).isoformat()
    planned = office.post(f"/api/v1/issues/{issue.pk}/milestones/", {"title": "完成设计", "due_on": due},
                          format="json")  # fmt: skip
    [step] = planned.json()["milestones"]
    assert step["owner"]["code"] == "EDU" and planned.json()["progress"] == 0
    done = client_of(actors.handler_edu).post(
        f"/api/v1/issues/{issue.pk}/milestone-done/",
        {"milestone": step["id"], "evidence": "设计图"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["progress"] == 100
    again = client_of(actors.handler_edu).post(
        f"/api/v1/issues/{issue.pk}/milestone-done/", {"milestone": 2**40, "evidence": "x"}, format="json"
    )
    assert again.status_code == 400 and "milestone" in again.json()["fields"]


def test_create_with_the_same_idempotency_key_replays_and_a_different_body_is_422(
    actors: Actors, campaign: Campaign
) -> None:
    office = client_of(actors.dispatcher)
    first = office.post("/api/v1/issues/", create_body(actors), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = office.post("/api/v1/issues/", create_body(actors), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    changed = office.post(
        "/api/v1/issues/", create_body(actors, title="另一件事"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"
    assert Issue.objects.count() == 1
    other = office.post("/api/v1/issues/", create_body(actors), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.json()["id"] != first.json()["id"]


def test_creating_needs_the_right_and_valid_fields(actors: Actors, campaign: Campaign) -> None:
    refused = client_of(actors.handler_edu).post("/api/v1/issues/", create_body(actors), format="json")
    assert refused.status_code == 403
    office = client_of(actors.dispatcher)
    bad = office.post(
        "/api/v1/issues/",
        create_body(actors, leader=actors.dispatcher.pk, lead_unit="T1V1", deadline="2000-01-01",
                    appeals=["NO-SUCH"]),
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert {"leader", "lead_unit", "deadline"} <= set(bad.json()["fields"])
    unseen = office.post("/api/v1/issues/", create_body(actors, appeals=["NO-SUCH"]), format="json")
    assert unseen.status_code == 400 and "NO-SUCH" in unseen.json()["fields"]["appeals"][0]
    inspection = office.post("/api/v1/issues/", create_body(actors, source="inspection"), format="json")
    assert inspection.status_code == 400 and "finding_ref" in inspection.json()["fields"]
    assert not Issue.objects.exists()


def test_the_list_pages_by_cursor_without_repeating_an_item(actors: Actors, campaign: Campaign) -> None:
    made = {new_issue(actors, campaign, title=f"事项{n}").pk for n in range(7)}
    client = client_of(actors.leader)
    seen: list[int] = []
    url: str | None = "/api/v1/issues/?page_size=3"
    pages = 0
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url, pages = page["next"], pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 7 and set(seen) == made
    assert seen == sorted(seen, reverse=True)  # newest first


def test_the_list_does_not_query_per_item(actors: Actors, campaign: Campaign) -> None:
    client = client_of(actors.dispatcher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/issues/").status_code == 200
        return len(captured)

    new_issue(actors, campaign, co_units=[actors.housing])
    few = queries()
    for _ in range(5):
        new_issue(actors, campaign, co_units=[actors.housing])
    assert queries() == few


def test_filters_select_items_and_a_bad_filter_is_a_400(actors: Actors, campaign: Campaign) -> None:
    late = new_issue(actors, campaign, title="逾期", deadline=timezone.localdate() + timedelta(days=1))
    Issue.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    other = new_issue(actors, campaign, title="住建", lead_unit=actors.housing, track=Track.FIX_IN_CAMPAIGN)
    client = client_of(actors.dispatcher)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/issues/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("overdue=1") == {late.pk}
    assert ids("unit=HOUSING") == {other.pk}
    assert ids(f"campaign=QZLX&track=fix_in_campaign&leader={actors.leader.pk}&state=open") == {other.pk}
    for query, field in (
        ("track=someday", "track"),
        ("campaign=NOPE", "campaign"),
        ("unit=NOPE", "unit"),
        (f"leader={actors.dispatcher.pk}", "leader"),
        ("leader=abc", "leader"),
        ("overdue=perhaps", "overdue"),
    ):
        response = client.get(f"/api/v1/issues/?{query}")
        assert response.status_code == 400, query
        body = response.json()
        assert body["code"] == "invalid" and body["message"] and field in body["fields"], query


def test_errors_speak_the_request_language(actors: Actors, campaign: Campaign) -> None:
    client = client_of(actors.dispatcher)
    english = client.get("/api/v1/issues/?campaign=NOPE", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["fields"]["campaign"] == ["No campaign has the code “NOPE”."]
    hidden = client_of(actors.outsider).get("/api/v1/issues/1/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert hidden["message"] == "Not found, or not yours to see."


def test_campaigns_and_their_summary_in_the_users_scope(actors: Actors, campaign: Campaign) -> None:
    done = new_issue(actors, campaign)
    rules.submit_for_signoff(done, actor=actors.handler_edu, evidence="已整改")
    rules.agree_signoff(done, actor=actors.head_edu)
    rules.decide_signoff(done, actor=actors.leader, approve=True)
    new_issue(actors, campaign, track=Track.FIX_IN_CAMPAIGN, lead_unit=actors.town)
    leader = client_of(actors.leader)
    assert [c["code"] for c in leader.get("/api/v1/campaigns/").json()["results"]] == ["QZLX"]
    summary = leader.get("/api/v1/campaigns/QZLX/summary/").json()
    tracks = {row["track"]: row for row in summary["tracks"]}
    assert (tracks["fix_now"]["total"], tracks["fix_now"]["closed"]) == (1, 1)
    assert (tracks["fix_in_campaign"]["total"], tracks["fix_in_campaign"]["open"]) == (1, 1)
    assert summary["campaign"]["code"] == "QZLX" and summary["sentence"]
    only_town = leader.get("/api/v1/campaigns/QZLX/summary/?unit=T1").json()
    assert sum(row["total"] for row in only_town["tracks"]) == 1
    outsider = client_of(actors.outsider).get("/api/v1/campaigns/QZLX/summary/").json()
    assert sum(row["total"] for row in outsider["tracks"]) == 0  # nothing of theirs in it
    assert leader.get("/api/v1/campaigns/NOPE/summary/").status_code == 404
    assert leader.get("/api/v1/campaigns/QZLX/summary/?track=x").status_code == 400
    assert client_of(actors.member).get("/api/v1/campaigns/").status_code == 403


def test_anonymous_clients_are_refused(campaign: Campaign) -> None:
    response = APIClient().get("/api/v1/issues/")
    assert response.status_code in (401, 403) and response.json()["code"]


def test_an_item_is_edited_through_the_api_by_who_may_plan_it(actors: Actors, campaign: Campaign) -> None:
    issue = new_issue(actors, campaign)
    later = in_a_month() + timedelta(days=10)
    body = {"version": issue.version, "title": "东村路灯全部更换", "deadline": later.isoformat()}
    response = client_of(actors.dispatcher).post(f"/api/v1/issues/{issue.pk}/edit/", body, format="json")
    assert response.status_code == 200, response.json()
    issue.refresh_from_db()
    assert (issue.title, issue.deadline) == ("东村路灯全部更换", later)
    assert response.json()["title"] == "东村路灯全部更换"
    # A stale version, nothing to change, someone who may not plan it, someone who may not see it.
    stale = client_of(actors.dispatcher).post(f"/api/v1/issues/{issue.pk}/edit/", body, format="json")
    assert stale.status_code == 409
    empty = client_of(actors.dispatcher).post(f"/api/v1/issues/{issue.pk}/edit/", {}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "unchanged"
    refused = client_of(actors.auditor).post(
        f"/api/v1/issues/{issue.pk}/edit/", {"title": "x"}, format="json"
    )
    assert refused.status_code == 403
    hidden = client_of(actors.outsider).post(
        f"/api/v1/issues/{issue.pk}/edit/", {"title": "x"}, format="json"
    )
    assert hidden.status_code == 404
    issue.refresh_from_db()
    assert issue.title == "东村路灯全部更换"


def test_a_step_of_a_signed_off_item_is_not_reported_done_through_the_api(
    actors: Actors, campaign: Campaign
) -> None:
    issue = new_issue(actors, campaign, track=Track.LONG_TERM)
    step = rules.add_milestone(issue, actor=actors.dispatcher, title="完成设计", due_on=issue.deadline,
                               owner=actors.edu)  # fmt: skip
    rules.submit_for_signoff(issue, actor=actors.handler_edu, evidence="已整改")
    rules.agree_signoff(issue, actor=actors.head_edu)
    rules.decide_signoff(issue, actor=actors.leader, approve=True)
    url, done = f"/api/v1/issues/{issue.pk}/milestone-done/", {"milestone": step.pk, "evidence": "设计图"}
    response = client_of(actors.handler_edu).post(url, done, format="json")
    assert response.status_code == 409 and response.json()["code"] == "illegal"
    step.refresh_from_db()
    assert step.done_at is None and not step.evidence
