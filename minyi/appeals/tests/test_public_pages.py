"""The citizens' pages through HTTP: submitting, the once-shown query code, tracking, rating and
adding information, with bad input, rate limits and masking."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minyi.appeals import rules
from minyi.appeals.choices import Channel, EventKind, FollowupBy, Kind, Satisfaction, State, WaitingFor
from minyi.appeals.models import Appeal, Attachment, Followup
from minyi.appeals.tests.factories import lead_assignment
from minyi.appeals.uploads import MAX_FILE_BYTES
from minyi.testing import Actors, make_actors

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REPLY = "已更换路灯三盏，现已恢复照明。"
INTERNAL_NOTE = "内部：电工钱师傅说配件要等一周"
STAFF_NAMES = ("钱承办", "周局长", "赵交办")


@pytest.fixture(autouse=True)
def _limits_and_media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MINYI_RATE_LIMITS = {
        "appeal_submit": (10, 600),
        "appeal_query": (30, 600),
        "appeal_query_wrong": (5, 900),
    }
    settings.MEDIA_ROOT = tmp_path  # uploaded photos land in the test's own folder
    cache.clear()
    yield
    cache.clear()


def form_data(actors: Actors, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": Kind.COMPLAINT,
        "title": "东村路灯坏了三个月",
        "body": "东村三组村口的路灯坏了三个月，晚上出行很不方便。",
        "township": actors.town.pk,
        "village": actors.village.pk,
        "address": "三组村口",
        "name": "王大海",
        "phone": "139 0000 1111",
        "email": "dahai@example.com",
        "concerns_unit": "",
    }
    data.update(changes)
    return data


def submitted(actors: Actors) -> tuple[Appeal, str]:
    """An appeal stored by the rules, with its query code (as the citizen wrote it down)."""
    submission = rules.submit(
        channel=Channel.MAILBOX,
        kind=Kind.COMPLAINT,
        title="东村路灯坏了三个月",
        body="东村三组村口的路灯坏了三个月，请尽快修好。我的电话13900001111。",
        village=actors.village,
        address="东村三组18号",
        citizen_name="王大海",
        citizen_phone="13900001111",
    )
    return submission.appeal, submission.query_code


def make_replied(actors: Actors, appeal: Appeal) -> Appeal:
    """Dispatch to 教育局, accept, note internal progress, draft and approve a reply."""
    rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    rules.report_progress(appeal, actor=actors.handler_edu, note=INTERNAL_NOTE)
    reply = rules.draft_reply(appeal, actor=actors.handler_edu, body=REPLY)
    rules.approve_reply(reply, actor=actors.head_edu)
    appeal.refresh_from_db()
    return appeal


def track(client: Client, appeal: Appeal, code: str) -> Any:
    return client.post("/appeal/track/", {"number": appeal.number, "code": code}, headers=EN)


def status_page(client: Client, appeal: Appeal) -> str:
    response = client.get(f"/appeal/track/{appeal.number}/", headers=EN)
    assert response.status_code == 200
    return response.content.decode()


# --- submitting ------------------------------------------------------------------------------


def test_form_offers_the_six_kinds_and_villages_grouped_by_township(client: Client, actors: Actors) -> None:
    response = client.get("/appeal/new/", headers=EN)
    page = response.content.decode()
    assert response.status_code == 200
    for kind in Kind.values:
        assert f'value="{kind}"' in page
    assert '<optgroup label="海城镇"' in page and '<optgroup label="青山镇"' in page
    for field in ("title", "body", "township", "village", "address", "uploads", "name", "phone", "email"):
        assert f'for="id_{field}"' in page
    assert "This concerns officials of a unit" in page
    assert 'maxlength="4000"' in page


def test_submission_with_a_photo_is_stored_and_its_code_is_shown_once(client: Client, actors: Actors) -> None:
    photo = SimpleUploadedFile("lamp.jpg", PNG, content_type="image/jpeg")
    response = client.post(
        "/appeal/new/", form_data(actors, concerns_unit=actors.town.pk, uploads=[photo]), headers=EN
    )
    assert response.status_code == 302 and response["Location"] == "/appeal/done/"
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.kind, appeal.title) == (
        Channel.MAILBOX,
        Kind.COMPLAINT,
        "东村路灯坏了三个月",
    )
    assert (appeal.township, appeal.village, appeal.address) == (actors.town, actors.village, "三组村口")
    assert (appeal.citizen_name, appeal.citizen_phone, appeal.citizen_email) == (
        "王大海",
        "13900001111",
        "dahai@example.com",
    )
    assert appeal.concerns_unit == actors.town
    attachment = Attachment.objects.get(appeal=appeal)
    assert (attachment.original_name, attachment.content_type) == ("lamp.jpg", "image/png")

    done = client.get("/appeal/done/", headers=EN)
    page = done.content.decode()
    assert "no-store" in done["Cache-Control"]
    assert appeal.number and appeal.number in page
    code = re.search(r'id="code"[^>]*>([A-Z0-9]{8})<', page)
    assert code is not None
    assert rules.find_for_citizen(appeal.number, code.group(1)) == appeal
    assert "shown only this once" in page

    again = client.get("/appeal/done/", headers=EN).content.decode()
    assert code.group(1) not in again
    assert "Nothing to show here" in again
    # the browser that sent it may follow it straight away
    assert "Where it stands" in status_page(client, appeal)


def test_anonymous_submission_works(client: Client, actors: Actors) -> None:
    data = {"kind": Kind.SUGGESTION, "title": "建议增设公交站", "body": "建议在海城镇中学门口增设公交站。"}
    response = client.post("/appeal/new/", data, headers=EN)
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.citizen_name, appeal.citizen_phone, appeal.citizen_email) == ("", "", "")
    assert appeal.township is None and appeal.village is None
    assert "Anonymous" in status_page(client, appeal)


def test_village_alone_names_its_township_without_javascript(client: Client, actors: Actors) -> None:
    response = client.post("/appeal/new/", form_data(actors, township="", village=actors.village2.pk))
    assert response.status_code == 302
    assert Appeal.objects.get().township == actors.town


def not_a_photo() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "photo.jpg", b"this is only text pretending to be a photo", content_type="image/jpeg"
    )


def too_big() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff" + b"\x00" * MAX_FILE_BYTES, content_type="image/jpeg"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Write a short title."),
        ({"body": "长" * 4001}, "The text may have at most 4000 characters."),
        ({"village": "other_village"}, "This village or community is not in the chosen township."),
        ({"village": "edu"}, "Select a valid choice."),
        ({"uploads": "not_a_photo"}, "photo.jpg is not a photo (JPEG, PNG, GIF, WebP) or a PDF."),
        ({"uploads": "too_big"}, "big.jpg is larger than 10 MB."),
        ({"uploads": "six"}, "Send at most 5 files."),
        ({"phone": "12345"}, "Enter a mobile number"),
        ({"kind": ""}, "Choose what kind of message it is."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    client: Client, actors: Actors, changes: dict[str, Any], message: str
) -> None:
    values = dict(changes)
    if values.get("village") == "other_village":
        values["village"] = actors.other_village.pk
    if values.get("village") == "edu":
        values["village"] = actors.edu.pk  # a department is no village
    if values.get("uploads") == "not_a_photo":
        values["uploads"] = [not_a_photo()]
    if values.get("uploads") == "too_big":
        values["uploads"] = [too_big()]
    if values.get("uploads") == "six":
        values["uploads"] = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(6)]
    response = client.post("/appeal/new/", form_data(actors, **values), headers=EN)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'role="alert"' in page
    assert Appeal.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert 'value="三组村口"' in page  # what was typed is kept


def test_landline_with_area_code_is_accepted(client: Client, actors: Actors) -> None:
    response = client.post("/appeal/new/", form_data(actors, phone="0571 87654321"))
    assert response.status_code == 302
    assert Appeal.objects.get().citizen_phone == "0571-87654321"


def test_the_eleventh_submission_in_the_window_is_refused(client: Client, actors: Actors) -> None:
    for _ in range(10):
        assert client.post("/appeal/new/", form_data(actors), headers=EN).status_code == 302
    response = client.post("/appeal/new/", form_data(actors), headers=EN)
    assert response.status_code == 429
    assert "Too many messages" in response.content.decode()
    assert "东村路灯坏了三个月" in response.content.decode()
    assert Appeal.objects.count() == 10


# --- tracking --------------------------------------------------------------------------------


def test_right_code_opens_the_status_page_with_personal_data_masked(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    response = track(client, appeal, code.lower())
    assert response.status_code == 302 and response["Location"] == f"/appeal/track/{appeal.number}/"
    page = status_page(client, appeal)
    assert "东村路灯坏了三个月" in page
    assert "Online mailbox" in page and "Complaint" in page
    assert "Your message was received (Online mailbox)." in page
    assert "王**" in page and "王大海" not in page
    assert "139****1111" in page and "13900001111" not in page
    assert "18号" not in page


def test_status_page_shows_the_lead_unit_and_deadline_once_dispatched(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    appeal = rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    track(client, appeal, code)
    page = status_page(client, appeal)
    assert appeal.deadline is not None
    deadline = f"{timezone.localdate(appeal.deadline):%Y-%m-%d}"
    assert f"Handed to 区教育局, to be handled by {deadline}." in page
    assert "Handled by" in page
    assert re.search(rf"To be handled by</dt><dd><time[^>]*>{deadline}<", page)


def test_wrong_code_is_refused_and_counts_toward_the_limit(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    for _ in range(5):
        response = track(client, appeal, "WRONG234")
        assert response.status_code == 400
        assert "do not match" in response.content.decode()
    response = track(client, appeal, code)
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert client.get(f"/appeal/track/{appeal.number}/").status_code == 302


def test_every_query_counts_toward_its_own_limit(client: Client, actors: Actors, settings: Any) -> None:
    settings.MINYI_RATE_LIMITS = {**settings.MINYI_RATE_LIMITS, "appeal_query": (2, 600)}
    appeal, code = submitted(actors)
    assert track(client, appeal, code).status_code == 302
    assert track(client, appeal, code).status_code == 302
    assert track(client, appeal, code).status_code == 429


def test_status_page_of_an_appeal_not_in_the_session_redirects_to_the_track_form(
    client: Client, actors: Actors
) -> None:
    appeal, _code = submitted(actors)
    response = client.get(f"/appeal/track/{appeal.number}/")
    assert response.status_code == 302
    assert response["Location"] == f"/appeal/track/?number={appeal.number}"
    assert client.get("/appeal/track/nonexistent/").status_code == 302
    form = client.get(response["Location"]).content.decode()
    assert f'value="{appeal.number}"' in form


def test_status_page_shows_the_sent_reply_but_no_internal_notes_or_staff_names(
    client: Client, actors: Actors
) -> None:
    appeal, code = submitted(actors)
    make_replied(actors, appeal)
    track(client, appeal, code)
    page = status_page(client, appeal)
    assert REPLY in page
    assert "区教育局" in page
    assert INTERNAL_NOTE not in page
    for name in STAFF_NAMES:
        assert name not in page
    assert "Rate the reply" in page


def test_unsent_draft_is_not_shown(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    rules.draft_reply(appeal, actor=actors.handler_edu, body="草稿：还没有批准的答复")
    track(client, appeal, code)
    page = status_page(client, appeal)
    assert "草稿" not in page
    assert "No reply yet" in page
    assert "Rate the reply" not in page


def test_rating_unsatisfied_reopens_the_appeal(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    make_replied(actors, appeal)
    track(client, appeal, code)
    response = client.post(
        f"/appeal/track/{appeal.number}/rate/",
        {"result": Satisfaction.UNSATISFIED, "comment": "路灯又坏了"},
        headers=EN,
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.REOPENED
    followup = Followup.objects.get(appeal=appeal)
    assert (followup.result, followup.by, followup.comment) == (
        Satisfaction.UNSATISFIED,
        FollowupBy.CITIZEN,
        "路灯又坏了",
    )
    page = status_page(client, appeal)
    assert "Your message will be handled again." in page
    assert "Rate the reply" not in page


def test_rating_satisfied_closes_and_a_second_rating_is_refused(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    make_replied(actors, appeal)
    track(client, appeal, code)
    url = f"/appeal/track/{appeal.number}/rate/"
    assert client.post(url, {"result": Satisfaction.SATISFIED}, headers=EN).status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED
    again = client.post(url, {"result": Satisfaction.UNSATISFIED}, headers=EN)
    assert again.status_code == 400
    assert "This cannot be done while the appeal is" in again.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED
    assert Followup.objects.count() == 1


def test_rating_without_a_choice_is_refused(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    make_replied(actors, appeal)
    track(client, appeal, code)
    response = client.post(f"/appeal/track/{appeal.number}/rate/", {"result": ""}, headers=EN)
    assert response.status_code == 400
    assert "Choose satisfied, basically satisfied or unsatisfied." in response.content.decode()
    assert Followup.objects.count() == 0


def test_adding_information_resumes_a_paused_clock(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    rules.pause_clock(
        appeal, actor=actors.handler_edu, waiting_for=WaitingFor.CITIZEN, reason="请告诉我们是哪一根电线杆"
    )
    track(client, appeal, code)
    page = status_page(client, appeal)
    assert "We need more information from you: 请告诉我们是哪一根电线杆" in page
    assert 'action="/appeal/track/' in page and "/inform/" in page

    empty = client.post(f"/appeal/track/{appeal.number}/inform/", {"text": "  "}, headers=EN)
    assert empty.status_code == 400
    appeal.refresh_from_db()
    assert appeal.paused_at is not None

    response = client.post(f"/appeal/track/{appeal.number}/inform/", {"text": "村口第三根电线杆"}, headers=EN)
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.paused_at is None
    assert appeal.events.filter(kind=EventKind.RESUMED).exists()
    page = status_page(client, appeal)
    assert "The deadline clock runs again." in page
    assert "/inform/" not in page


def test_clock_paused_for_a_third_party_keeps_its_reason_internal(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    rules.dispatch(appeal, lead=actors.edu, actor=actors.dispatcher)
    rules.accept(lead_assignment(appeal), actor=actors.handler_edu)
    rules.pause_clock(
        appeal, actor=actors.handler_edu, waiting_for=WaitingFor.THIRD_PARTY, reason="等供电公司回函"
    )
    track(client, appeal, code)
    page = status_page(client, appeal)
    assert "等供电公司回函" not in page
    assert "Waiting for information from another party" in page
    assert "/inform/" not in page


def test_merged_appeal_shows_the_masters_reply(client: Client, actors: Actors) -> None:
    master, _master_code = submitted(actors)
    duplicate, code = submitted(actors)
    rules.merge(duplicate, into=master, actor=actors.dispatcher)
    make_replied(actors, master)
    track(client, duplicate, code)
    page = status_page(client, duplicate)
    assert REPLY in page
    assert master.number and master.number in page
    assert "Merged into another" in page
    assert "Joined to another message about the same matter." in page
    assert "Answered." in page
    assert "Rate the reply" not in page


def test_rejected_appeal_shows_the_reason_written_for_the_citizen(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    rules.reject(
        appeal, actor=actors.dispatcher, reason="out_of_scope", note="此事属于市级部门管辖，请拨打12345。"
    )
    track(client, appeal, code)
    assert "Your message cannot be accepted: 此事属于市级部门管辖，请拨打12345。" in status_page(
        client, appeal
    )


def test_rating_and_information_need_the_code_first(client: Client, actors: Actors) -> None:
    appeal, _code = submitted(actors)
    make_replied(actors, appeal)
    response = client.post(f"/appeal/track/{appeal.number}/rate/", {"result": Satisfaction.UNSATISFIED})
    assert response.status_code == 302 and response["Location"].startswith("/appeal/track/?number=")
    response = client.post(f"/appeal/track/{appeal.number}/inform/", {"text": "补充"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.REPLIED
    assert Followup.objects.count() == 0


def test_status_page_queries_do_not_grow_with_the_timeline(client: Client, actors: Actors) -> None:
    appeal, code = submitted(actors)
    track(client, appeal, code)
    with CaptureQueriesContext(connection) as few:
        status_page(client, appeal)
    make_replied(actors, appeal)
    with CaptureQueriesContext(connection) as many:
        status_page(client, appeal)
    assert len(many) <= len(few) + 1  # the rating form's check of earlier follow-ups


# --- in a phone-sized browser ----------------------------------------------------------------

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_citizen_sends_a_photo_and_follows_it_on_a_phone(page: Any, live_server: Any) -> None:
    actors = make_actors()
    page.goto(f"{live_server.url}/appeal/new/")
    assert page.evaluate(FITS)
    page.locator("input[name=kind][value=complaint]").check()
    page.locator("#id_title").fill("东村路灯坏了三个月")
    body = "东村三组村口的路灯坏了三个月，晚上出行很不方便。"
    page.locator("#id_body").fill(body)
    assert page.locator("#body-used").inner_text() == str(len(body))  # the visible character count
    page.locator("#id_township").select_option(str(actors.other_town.pk))
    assert page.evaluate("document.querySelector('optgroup[label=\"海城镇\"]').hidden")
    page.locator("#id_township").select_option(str(actors.town.pk))
    page.locator("#id_village").select_option(str(actors.village.pk))
    page.locator("#id_uploads").set_input_files(
        [{"name": "lamp.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.locator("#id_phone").fill("13900001111")
    page.locator("form.public-form button[type=submit]").click()

    page.wait_for_url("**/appeal/done/")
    assert page.evaluate(FITS)
    number = page.locator("#number").inner_text()
    code = page.locator("#code").inner_text()
    appeal = Appeal.objects.get(number=number)
    assert rules.find_for_citizen(number, code) == appeal
    assert appeal.attachments.count() == 1

    page.locator("a.button-big").click()
    page.wait_for_url(f"**/appeal/track/{number}/")
    assert page.evaluate(FITS)
    assert "139****1111" in page.content()
    page.goto(f"{live_server.url}/appeal/track/")
    assert page.evaluate(FITS)
