"""The staff pages of the loop, through HTTP: the inbox and lists, one appeal, every action, the export."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from minyi.appeals import rules
from minyi.appeals.choices import AssignmentState, ExtensionState, ReplyState, State
from minyi.appeals.models import Appeal, Category, Extension, Reply
from minyi.appeals.tests.factories import dispatched, in_progress, lead_assignment, new_appeal, replied
from minyi.audit.models import AuditEvent
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def no(appeal: Appeal) -> str:
    """The tracking number (every stored appeal has one)."""
    assert appeal.number
    return appeal.number


def page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params, headers=EN)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def post(client: Client, appeal: Appeal, action: str, **data: Any) -> Any:
    """POST an action with the version the page would have carried (unless the test gives one)."""
    appeal.refresh_from_db()
    data.setdefault("version", appeal.version)
    return client.post(reverse(f"appeals:{action}", args=[appeal.number]), data, headers=EN)


def panel_ids(html: str) -> set[str]:
    return set(re.findall(r'<details class="card action" id="act-([a-z_]+)', html))


def panel_html(html: str, action: str) -> str:
    start = html.index(f'id="act-{action}')
    return html[start : html.index("</details>", start)]


def street_lights(actors: Actors) -> Category:
    """公共设施 (usually handled by 住建局) › 路灯 (no unit of its own: inherits the parent's)."""
    parent = Category.objects.create(code="facilities", name="公共设施", default_unit=actors.housing)
    return Category.objects.create(code="lights", name="路灯", parent=parent)


def overdue(appeal: Appeal) -> Appeal:
    """Pretend the deadline passed (time moves on; no rule sets a deadline in the past)."""
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - timedelta(days=2))
    appeal.refresh_from_db()
    return appeal


# --- the list ----------------------------------------------------------------------------------


def test_dispatcher_inbox_shows_new_appeals_with_their_suggested_unit(client: Client, actors: Actors) -> None:
    waiting = new_appeal(actors, category=street_lights(actors))
    handed_on = dispatched(actors, title="学校门口积水")
    client.force_login(actors.dispatcher)
    html = page(client, reverse("appeals:list"))
    assert no(waiting) in html
    assert "Suggested: 区住建局" in html  # inherited from the parent category
    assert no(handed_on) not in html  # the inbox holds what waits for dispatch
    assert no(handed_on) in page(client, reverse("appeals:list"), state="")


def test_overdue_filter_shows_only_overdue_appeals_with_the_word(client: Client, actors: Actors) -> None:
    late = overdue(dispatched(actors, title="迟了的诉求"))
    on_time = dispatched(actors, title="按时的诉求")
    client.force_login(actors.dispatcher)
    html = client.get(reverse("appeals:list"), {"due": "overdue"}).content.decode()  # Chinese, the default
    assert no(late) in html
    assert no(on_time) not in html
    assert "已超期" in html
    assert 'class="due due-overdue"' in html
    english = page(client, reverse("appeals:list"), state="")
    assert "Overdue" in english and "On track" in english  # the word beside the colour, on every row


def test_text_search_finds_a_chinese_substring_in_title_or_text(client: Client, actors: Actors) -> None:
    lights = new_appeal(actors, title="路灯不亮", body="村口路灯坏了")
    water = new_appeal(actors, title="自来水浑浊", body="三组的自来水发黄，还有异味")
    client.force_login(actors.dispatcher)
    html = page(client, reverse("appeals:list"), q="发黄")
    assert no(water) in html and no(lights) not in html
    html = page(client, reverse("appeals:list"), q="路灯")
    assert no(lights) in html and no(water) not in html


def test_township_filter_and_filters_combine(client: Client, actors: Actors) -> None:
    here = new_appeal(actors, title="海城镇的诉求")
    there = new_appeal(actors, title="青山镇的诉求", village=actors.other_village)
    client.force_login(actors.dispatcher)
    html = page(client, reverse("appeals:list"), township=actors.other_town.pk, state="")
    assert no(there) in html and no(here) not in html
    html = page(client, reverse("appeals:list"), township=actors.other_town.pk, q="海城镇", state="")
    assert no(there) not in html and no(here) not in html


def test_a_bad_filter_is_explained_and_the_page_still_answers(client: Client, actors: Actors) -> None:
    client.force_login(actors.dispatcher)
    html = page(client, reverse("appeals:list"), received_from="2025-05-02", received_to="2025-05-01")
    assert 'role="alert"' in html and "The end date is before the start date." in html


def test_list_query_count_does_not_grow_with_rows(client: Client, actors: Actors) -> None:
    category = street_lights(actors)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page(client, reverse("appeals:list"), state="")
        return len(queries)

    new_appeal(actors, category=category)
    dispatched(actors, category=category)
    client.force_login(actors.dispatcher)
    few = count()
    for _ in range(4):
        new_appeal(actors, category=category, township=actors.town)
        overdue(in_progress(actors))
        replied(actors)
    assert count() == few


def test_the_detail_page_asks_each_action_without_a_query_per_action(
    client: Client, actors: Actors, django_assert_max_num_queries: Any
) -> None:
    """Every action's guard is asked which panels to show; the appeal's assignments and its visibility
    are read once for all of them (33 queries before they were shared, 23 after)."""
    appeal = in_progress(actors)
    for user in (actors.handler_edu, actors.head_edu, actors.dispatcher):
        client.force_login(user)
        client.get(reverse("appeals:detail", args=[appeal.number]))  # the session and caches settle
        with django_assert_max_num_queries(25):
            assert client.get(reverse("appeals:detail", args=[appeal.number])).status_code == 200


def test_handler_sees_only_the_appeals_of_his_unit(client: Client, actors: Actors) -> None:
    mine = dispatched(actors, title="教育局的诉求")
    theirs = rules.dispatch(
        new_appeal(actors, title="住建局的诉求"), lead=actors.housing, actor=actors.dispatcher
    )
    waiting = new_appeal(actors, title="还没交办")
    client.force_login(actors.handler_edu)
    for html in (page(client, reverse("appeals:list")), page(client, reverse("appeals:list"), state="")):
        assert no(mine) in html
        assert no(theirs) not in html and no(waiting) not in html
    assert client.get(reverse("appeals:detail", args=[theirs.number])).status_code == 404


def test_people_without_the_role_cannot_open_the_list(client: Client, actors: Actors) -> None:
    client.force_login(actors.member)
    assert client.get(reverse("appeals:list")).status_code == 403
    client.logout()
    assert client.get(reverse("appeals:list")).status_code == 302  # to the login page


# --- one appeal --------------------------------------------------------------------------------


def test_detail_offers_the_actions_of_each_role_in_each_state(client: Client, actors: Actors) -> None:
    appeal = new_appeal(actors, category=street_lights(actors))
    client.force_login(actors.dispatcher)
    html = page(client, reverse("appeals:detail", args=[appeal.number]))
    assert {"dispatch", "correct", "merge", "reject"} <= panel_ids(html)
    assert "accept" not in panel_ids(html)
    assert f'<option value="{actors.housing.pk}" selected>' in panel_html(html, "dispatch")  # the suggestion
    assert f'name="version" value="{appeal.version}"' in panel_html(html, "dispatch")
    client.force_login(actors.handler_edu)
    assert client.get(reverse("appeals:detail", args=[appeal.number])).status_code == 404  # not his yet

    rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    html = page(client, reverse("appeals:detail", args=[appeal.number]))
    assert "accept" in panel_ids(html) and "dispatch" not in panel_ids(html)
    client.force_login(actors.dispatcher)
    assert "accept" not in panel_ids(page(client, reverse("appeals:detail", args=[appeal.number])))

    rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    rules.draft_reply(appeal, actor=actors.handler_edu, body="已修好。")
    client.force_login(actors.head_edu)
    html = page(client, reverse("appeals:detail", args=[appeal.number]))
    assert {"approve_reply", "send_back_reply"} <= panel_ids(html)
    client.force_login(actors.handler_edu)
    html = page(client, reverse("appeals:detail", args=[appeal.number]))
    assert "approve_reply" not in panel_ids(html) and "draft_reply" not in panel_ids(html)
    assert "已修好。" in html  # the draft is visible to its unit


def test_the_whole_loop_through_the_pages(client: Client, actors: Actors) -> None:
    appeal = new_appeal(actors)
    client.force_login(actors.dispatcher)
    response = post(
        client, appeal, "dispatch", lead=actors.edu.pk, co_units=[actors.town.pk], instructions="请核实"
    )
    assert response.status_code == 302
    assert "The appeal was dispatched to 区教育局." in page(client, response.url)
    appeal.refresh_from_db()
    assert appeal.state == State.DISPATCHED and appeal.assignments.count() == 2

    client.force_login(actors.handler_edu)
    assignment = lead_assignment(appeal)
    assert post(client, appeal, "accept", assignment=assignment.pk).status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.IN_PROGRESS
    assert (
        post(
            client, appeal, "request_extension", assignment=assignment.pk, days=3, reason="需协调"
        ).status_code
        == 302
    )
    extension = Extension.objects.get(assignment=assignment)

    client.force_login(actors.dispatcher)
    deadline = appeal.deadline
    html = page(client, reverse("appeals:detail", args=[appeal.number]))
    assert "decide_extension" in panel_ids(html)
    assert (
        post(client, appeal, "decide_extension", extension=extension.pk, decision="approve").status_code
        == 302
    )
    appeal.refresh_from_db()
    extension.refresh_from_db()
    assert extension.state == ExtensionState.APPROVED and appeal.deadline > deadline  # type: ignore[operator]

    client.force_login(actors.handler_edu)
    assert post(client, appeal, "progress", note="已到现场查看").status_code == 302
    assert post(client, appeal, "draft_reply", body="初稿", publish="on").status_code == 302
    first = Reply.objects.get(appeal=appeal)

    client.force_login(actors.head_edu)
    assert post(client, appeal, "send_back_reply", reply=first.pk, note="请写明完成时间").status_code == 302
    first.refresh_from_db()
    assert first.state == ReplyState.SENT_BACK

    client.force_login(actors.handler_edu)
    assert post(client, appeal, "draft_reply", body="路灯已于本周更换。").status_code == 302
    second = Reply.objects.get(appeal=appeal, state=ReplyState.SUBMITTED)

    client.force_login(actors.head_edu)
    response = post(client, appeal, "approve_reply", reply=second.pk, body="路灯已于本周三更换，恢复照明。")
    assert response.status_code == 302
    appeal.refresh_from_db()
    second.refresh_from_db()
    assert appeal.state == State.REPLIED and second.body == "路灯已于本周三更换，恢复照明。"

    client.force_login(actors.operator)
    assert "follow_up" in panel_ids(page(client, reverse("appeals:detail", args=[appeal.number])))
    response = post(client, appeal, "follow_up", result="unsatisfied", comment="晚上还是很暗")
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.REOPENED

    client.force_login(actors.dispatcher)
    assert no(appeal) in page(client, reverse("appeals:list"))  # back in the inbox
    assert "dispatch" in panel_ids(page(client, reverse("appeals:detail", args=[appeal.number])))
    assert post(client, appeal, "dispatch", lead=actors.housing.pk).status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.DISPATCHED and appeal.lead_unit == actors.housing
    html = page(client, reverse("appeals:detail", args=[appeal.number]))
    for step in ("Dispatched", "Accepted", "Extension approved", "Reply sent back", "Replied", "Reopened"):
        assert step in html  # the timeline
    assert "赵交办" in html and "已到现场查看" in html  # staff names and notes


def test_accepting_twice_is_refused_with_a_clear_message(client: Client, actors: Actors) -> None:
    appeal = dispatched(actors)
    assignment = lead_assignment(appeal)
    client.force_login(actors.handler_edu)
    assert post(client, appeal, "accept", assignment=assignment.pk).status_code == 302
    response = post(client, appeal, "accept", assignment=assignment.pk)
    assert response.status_code == 409  # an illegal transition, as through the API
    html = response.content.decode()
    assert 'role="alert"' in html and "This assignment has already been accepted or closed." in html


def test_an_action_the_role_may_not_take_is_refused_with_403(client: Client, actors: Actors) -> None:
    appeal = dispatched(actors)
    client.force_login(actors.handler_edu)
    response = post(client, appeal, "reject", reason="abusive", note="无理")
    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.state == State.DISPATCHED


def test_a_form_with_missing_text_is_refused_and_nothing_changes(client: Client, actors: Actors) -> None:
    appeal = new_appeal(actors)
    client.force_login(actors.dispatcher)
    response = post(client, appeal, "reject", reason="out_of_scope", note="")
    assert response.status_code == 400
    assert 'id="reject-x-note_error"' in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == State.RECEIVED


def test_a_stale_page_gets_a_conflict_and_changes_nothing(client: Client, actors: Actors) -> None:
    appeal = new_appeal(actors)
    seen = appeal.version
    rules.correct(appeal, actor=actors.dispatcher, expected_version=seen, urgency="urgent")  # a colleague
    client.force_login(actors.dispatcher)
    response = post(client, appeal, "dispatch", lead=actors.edu.pk, version=seen)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this appeal" in html and 'role="alert"' in html
    appeal.refresh_from_db()
    assert appeal.state == State.RECEIVED and not appeal.assignments.exists()
    assert f'name="version" value="{appeal.version}"' in panel_html(html, "dispatch")  # ready to resend

    working = dispatched(actors)
    seen = working.version
    rules.pause_clock(working, actor=actors.handler_edu, waiting_for="citizen", reason="需要门牌号")
    client.force_login(actors.handler_edu)
    response = post(client, working, "accept", assignment=lead_assignment(working).pk, version=seen)
    assert response.status_code == 409
    assert lead_assignment(working).state == AssignmentState.PENDING


def test_citizen_phone_is_shown_to_the_dispatcher_and_audited_but_masked_to_a_handler(
    client: Client, actors: Actors
) -> None:
    appeal = dispatched(actors, body="请回电 13900001111，王大海")
    client.force_login(actors.dispatcher)
    html = page(client, reverse("appeals:detail", args=[appeal.number]))
    assert "13900001111" in html and "王大海" in html
    audit = AuditEvent.objects.get(action="personal_data.view", actor=actors.dispatcher)
    assert audit.object_id == str(appeal.pk) and "phone" in audit.detail["fields"]

    client.force_login(actors.handler_edu)
    html = page(client, reverse("appeals:detail", args=[appeal.number]))
    assert "13900001111" not in html and "139****1111" in html and "王**" in html
    assert not AuditEvent.objects.filter(action="personal_data.view", actor=actors.handler_edu).exists()


def test_list_shows_no_personal_data(client: Client, actors: Actors) -> None:
    new_appeal(actors)
    client.force_login(actors.dispatcher)
    html = page(client, reverse("appeals:list"))
    assert "王大海" not in html and "13900001111" not in html


def test_attachments_are_served_to_permitted_staff_only(
    client: Client, actors: Actors, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    appeal = dispatched(actors, files=[photo])
    url = reverse("appeals:attachment", args=[appeal.number, appeal.attachments.get().pk])
    for allowed in (actors.dispatcher, actors.handler_edu):
        client.force_login(allowed)
        assert url in page(client, reverse("appeals:detail", args=[appeal.number]))
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
        assert response["Content-Type"] == "image/png"
    for refused in (actors.handler_housing, actors.outsider):
        client.force_login(refused)
        assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="appeals.attachment_view").count() == 2


def test_export_is_the_filtered_list_masked_and_audited(client: Client, actors: Actors) -> None:
    appeal = dispatched(actors, body="请联系 13900001111")
    other = new_appeal(actors, title="另一件")
    client.force_login(actors.dispatcher)
    response = client.get(reverse("appeals:export"), {"state": "dispatched"}, follow=True)
    assert response.redirect_chain == [("/reports/export/appeals/?state=dispatched", 302)]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[str(c) if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert "受理编号" in rows[0]  # the offices' Chinese headers
    text = "\n".join("\t".join(r) for r in rows)
    assert no(appeal) in text and no(other) not in text
    assert "13900001111" not in text and "139****1111" in text and "王**" in text
    audit = AuditEvent.objects.get(action="reports.export")
    assert audit.actor == actors.dispatcher and audit.detail["rows"] == 1
    assert audit.detail["params"] == {"state": "dispatched"}
    html = page(client, reverse("appeals:list"))
    assert 'href="/reports/export/appeals/?' in html  # exported through minyi.reports (large: the worker)


def test_export_keeps_citizen_text_as_text_never_a_formula(client: Client, actors: Actors) -> None:
    new_appeal(actors, title='=HYPERLINK("http://example.com","点我")')
    client.force_login(actors.dispatcher)
    exported = client.get(reverse("appeals:export"), {"state": ""}, follow=True)
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    titles = [row[8] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in titles] == [('=HYPERLINK("http://example.com","点我")', "s")]


def test_tracking_number_urls_leave_the_other_appeal_pages_alone(client: Client, actors: Actors) -> None:
    assert resolve("/appeals/intake/new/").url_name == "intake"
    assert resolve("/appeals/2025010100000001/").url_name == "detail"
    client.force_login(actors.dispatcher)
    assert client.get("/appeals/2025010100000001/").status_code == 404  # unknown number: plain 404


def test_dispatcher_merges_a_duplicate_undoes_it_rejects_and_closes(client: Client, actors: Actors) -> None:
    earlier = new_appeal(actors, title="路灯坏了")
    duplicate = new_appeal(actors, title="路灯又坏了")
    client.force_login(actors.dispatcher)
    assert post(client, duplicate, "merge", into="no-such-number").status_code == 400
    assert post(client, duplicate, "merge", into=no(earlier)).status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.state == State.MERGED and duplicate.master == earlier
    html = page(client, reverse("appeals:detail", args=[no(earlier)]))
    assert no(duplicate) in html  # the master lists what was merged into it
    assert panel_ids(page(client, reverse("appeals:detail", args=[no(duplicate)]))) == {"unmerge"}
    assert post(client, duplicate, "unmerge").status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.state == State.RECEIVED and duplicate.master is None

    assert (
        post(client, duplicate, "reject", reason="out_of_scope", note="不属于本区受理范围").status_code == 302
    )
    duplicate.refresh_from_db()
    assert duplicate.state == State.REJECTED

    answered = replied(actors)
    assert {"close", "follow_up"} <= panel_ids(page(client, reverse("appeals:detail", args=[no(answered)])))
    assert post(client, answered, "close", note="多次联系不上").status_code == 302
    answered.refresh_from_db()
    assert answered.state == State.CLOSED


def test_dispatcher_corrects_the_category_and_the_suggestion_follows(client: Client, actors: Actors) -> None:
    appeal = new_appeal(actors)
    client.force_login(actors.dispatcher)
    assert (
        post(client, appeal, "correct", urgency=appeal.urgency, kind=appeal.kind).status_code == 400
    )  # nothing
    lights = street_lights(actors)
    response = post(client, appeal, "correct", category=lights.pk, urgency="urgent", kind=appeal.kind)
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.category == lights and appeal.urgency == "urgent"
    html = page(client, reverse("appeals:detail", args=[no(appeal)]))
    assert f'<option value="{actors.housing.pk}" selected>' in panel_html(html, "dispatch")


def test_operator_starts_with_the_replies_to_follow_up(client: Client, actors: Actors) -> None:
    answered = replied(actors)
    waiting = new_appeal(actors)
    client.force_login(actors.operator)
    html = page(client, reverse("appeals:list"))
    assert no(answered) in html and no(waiting) not in html
