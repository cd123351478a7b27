"""Keeping branches and rolls through HTTP (create and edit a branch, enrol a member found by name, move a
member), and the QR check-in: the session page and the poster show a QR of the check-in address, and the
check-in page fills in the code from the address without recording anything until the member presses
"check in". Uses the hand-counted study fixture (conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from minyi.audit.models import AuditEvent
from minyi.browser import PHONE, staff_browser
from minyi.org.choices import Role
from minyi.org.models import Person
from minyi.org.rules import create_person
from minyi.study import qr, rules
from minyi.study.choices import BranchKind
from minyi.study.models import Attendance, Branch, Membership
from minyi.study.tests.conftest import Study, build_study
from minyi.testing import PASSWORD, make_actors

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _branch_data(study: Study, **changes: Any) -> dict[str, Any]:
    data = {
        "code": "BC",
        "name": "临时党支部（海堤工程）",
        "kind": BranchKind.TEMPORARY,
        "unit": study.actors.town.pk,
        "liaison": study.actors.cadre.person.pk,
        "responsible": study.lin.person.pk,
    }
    data.update(changes)
    return data


# --- branches --------------------------------------------------------------------------------------


def test_the_admin_creates_a_temporary_branch(study: Study) -> None:
    client = client_for(study.actors.admin)
    listing = client.get(reverse("study:branches")).content.decode()
    assert reverse("study:branch_new") in listing
    assert client.get(reverse("study:branch_new")).status_code == 200
    page = client.post(reverse("study:branch_new"), _branch_data(study))
    branch = Branch.objects.get(code="BC")
    assert page.status_code == 302 and page["Location"] == reverse("study:branch", args=[branch.pk])
    assert (branch.kind, branch.unit, branch.liaison, branch.responsible) == (
        BranchKind.TEMPORARY, study.actors.town, study.actors.cadre.person, study.lin.person,
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="study.branch.create", object_id=str(branch.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "BA"}, "Party branch with this Code already exists."),
        ({"liaison": "member"}, "Choose a cadre or a leader of your area of work."),
        ({"responsible": "cadre"}, "Choose a party member of your area of work."),
        ({"kind": "ship"}, "Select a valid choice."),
        ({"code": "b c!"}, "A code may hold only letters, digits"),
    ],
)
def test_a_bad_branch_is_refused_with_a_clear_message(
    study: Study, changes: dict[str, Any], message: str
) -> None:
    people = {"member": study.member.person.pk, "cadre": study.actors.cadre.person.pk}
    changes = {k: people.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    page = client_for(study.actors.admin).post(reverse("study:branch_new"), _branch_data(study, **changes))
    assert page.status_code == 400
    html = page.content.decode()
    assert 'role="alert"' in html and message in html
    assert Branch.objects.count() == 2


def test_only_the_branch_keepers_create_or_edit_branches(study: Study) -> None:
    edit = reverse("study:branch_edit", args=[study.branch_a.pk])
    for user in (study.actors.cadre, study.actors.dispatcher, study.actors.member):
        assert client_for(user).get(reverse("study:branch_new")).status_code == 403
        assert client_for(user).post(edit, _branch_data(study)).status_code == 403
    cadre_page = client_for(study.actors.cadre).get(reverse("study:branch", args=[study.branch_a.pk]))
    assert 'id="branch-keeping"' not in cadre_page.content.decode()
    assert Branch.objects.get(pk=study.branch_a.pk).name == "东村党支部"
    with pytest.raises(PermissionDenied):
        rules.create_branch(
            code="BX", name="x", kind=BranchKind.REGULAR, unit=study.actors.town,
            liaison=study.actors.cadre.person, responsible=study.lin.person, actor=study.actors.cadre,
        )  # fmt: skip


def test_the_admin_edits_a_branch(study: Study) -> None:
    client = client_for(study.actors.admin)
    detail = client.get(reverse("study:branch", args=[study.branch_b.pk])).content.decode()
    assert reverse("study:branch_edit", args=[study.branch_b.pk]) in detail
    url = reverse("study:branch_edit", args=[study.branch_b.pk])
    form = client.get(url).content.decode()
    assert "海上流动党支部" in form and 'name="code"' not in form  # a branch keeps its code
    page = client.post(
        url,
        _branch_data(study, name="海上流动党支部（闽渔）", kind=BranchKind.FLOATING,
                     liaison=study.actors.leader.person.pk, responsible=study.fisher1.person.pk),
    )  # fmt: skip
    assert page.status_code == 302
    branch = Branch.objects.get(pk=study.branch_b.pk)
    assert (branch.code, branch.name, branch.liaison) == (
        "BB",
        "海上流动党支部（闽渔）",
        study.actors.leader.person,
    )
    assert AuditEvent.objects.filter(action="study.branch.update").count() == 1
    bad = client.post(url, _branch_data(study, responsible=study.actors.cadre.person.pk))
    assert bad.status_code == 400 and "Choose a party member of your area of work." in bad.content.decode()


# --- rolls -----------------------------------------------------------------------------------------


def _newcomer(study: Study, name: str = "黄新党员", role: str = Role.MEMBER) -> Person:
    return create_person(name=name, unit=study.actors.village, role=role, phone="", actor=None)


def test_the_admin_finds_a_member_by_name_and_enrols_them(study: Study) -> None:
    newcomer = _newcomer(study)
    client = client_for(study.actors.admin)
    url = reverse("study:member_roll", args=[study.branch_a.pk])
    found = client.get(url, {"find": "党员"}).content.decode()
    assert f'id="found-{newcomer.pk}"' in found
    chen = found.split(f'id="found-{study.member.person.pk}"')[1].split("</li>")[0]
    assert "on the roll of 东村党支部" in chen and 'name="enrol"' not in chen
    page = client.post(
        url,
        {"what": "enrol", "person": newcomer.pk, "current_branch": study.branch_b.pk, "mobile": "on",
         "whereabouts": "闽渔9号"},
    )  # fmt: skip
    assert page.status_code == 302
    membership = Membership.objects.get(person=newcomer)
    assert (membership.home_branch, membership.current_branch, membership.mobile, membership.whereabouts) == (
        study.branch_a, study.branch_b, True, "闽渔9号",
    )  # fmt: skip
    roll = client.get(url).content.decode()
    assert f'id="member-{membership.pk}"' in roll


def test_enrolling_someone_twice_or_a_non_member_is_refused(study: Study) -> None:
    client = client_for(study.actors.admin)
    url = reverse("study:member_roll", args=[study.branch_a.pk])
    twice = client.post(url, {"what": "enrol", "person": study.lin.person.pk})
    assert twice.status_code == 400 and "林党员 is already on a branch roll." in twice.content.decode()
    cadre = client.post(url, {"what": "enrol", "person": study.actors.cadre.person.pk})
    assert "Only a person with the role party member can be on a branch roll." in cadre.content.decode()
    outside = client.post(url, {"what": "enrol", "person": 999999})
    assert "This person lies outside your area of work." in outside.content.decode()
    assert Membership.objects.count() == 4


def test_the_admin_moves_a_member_to_the_floating_branch(study: Study) -> None:
    client = client_for(study.actors.admin)
    url = reverse("study:member_roll", args=[study.branch_a.pk])
    page = client.post(
        url,
        {"what": "move", "membership": study.lin.pk, "current_branch": study.branch_b.pk, "mobile": "on",
         "whereabouts": "舟山渔场"},
    )  # fmt: skip
    assert page.status_code == 302
    lin = Membership.objects.get(pk=study.lin.pk)
    assert (lin.home_branch, lin.current_branch, lin.mobile, lin.whereabouts) == (
        study.branch_a, study.branch_b, True, "舟山渔场",
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="study.member.move").count() == 1
    # Back home: no longer mobile.
    client.post(url, {"what": "move", "membership": study.lin.pk, "current_branch": study.branch_a.pk})
    lin.refresh_from_db()
    assert (lin.current_branch, lin.mobile, lin.whereabouts) == (study.branch_a, False, "")


def test_moving_needs_a_member_of_this_roll_and_an_active_branch(study: Study) -> None:
    client = client_for(study.actors.admin)
    other = rules.create_branch(
        code="BZ", name="别的支部", kind=BranchKind.REGULAR, unit=study.actors.other_town,
        liaison=study.actors.cadre.person, responsible=study.lin.person, actor=None,
    )  # fmt: skip
    url = reverse("study:member_roll", args=[other.pk])
    stranger = client.post(url, {"what": "move", "membership": study.lin.pk, "current_branch": other.pk})
    assert "This member is not on this branch&#x27;s roll." in stranger.content.decode()
    Branch.objects.filter(pk=other.pk).update(is_active=False)
    with pytest.raises(ValidationError) as refused:
        rules.move_member(study.lin, current_branch=Branch.objects.get(pk=other.pk), mobile=False, actor=None)
    assert "别的支部 is no longer active." in refused.value.messages
    assert Membership.objects.get(pk=study.lin.pk).current_branch == study.branch_a


def test_only_the_roll_keepers_enrol_or_move(study: Study) -> None:
    newcomer = _newcomer(study)
    url = reverse("study:member_roll", args=[study.branch_a.pk])
    for user in (study.actors.cadre, study.actors.member, study.actors.outsider):
        client = client_for(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"what": "enrol", "person": newcomer.pk}).status_code == 403
        assert (
            client.post(
                url, {"what": "move", "membership": study.lin.pk, "current_branch": study.branch_b.pk}
            ).status_code
            == 403
        )
    assert not Membership.objects.filter(person=newcomer).exists()
    assert Membership.objects.get(pk=study.lin.pk).current_branch == study.branch_a
    with pytest.raises(PermissionDenied):
        rules.enrol_member(newcomer, home_branch=study.branch_a, actor=study.actors.cadre)
    with pytest.raises(PermissionDenied):
        rules.move_member(study.lin, current_branch=study.branch_b, mobile=True, actor=study.actors.cadre)


# --- QR check-in -----------------------------------------------------------------------------------


def test_the_session_page_shows_a_qr_of_the_check_in_address(study: Study) -> None:
    page = client_for(study.actors.cadre).get(reverse("study:session", args=[study.s1.pk]))
    html = page.content.decode()
    address = f"http://testserver/study/check-in/?code={study.s1.code}"
    qr_svg = re.search(r'<svg[^>]*id="check-in-qr"[^>]*>(.*?)</svg>', html, re.S)
    assert qr_svg is not None and f"<title>{address}</title>" in qr_svg.group(1)
    assert "<path" in qr_svg.group(1)
    assert f'id="check-in-url">{address}<' in html
    assert reverse("study:session_poster", args=[study.s1.pk]) in html


def test_the_qr_code_encodes_the_address_it_is_given() -> None:
    one, other = qr.svg("http://a.example/study/check-in/?code=AAAAAA"), qr.svg("http://a.example/x")
    assert one.startswith("<svg") and "<title>http://a.example/study/check-in/?code=AAAAAA</title>" in one
    assert one != other


def test_the_printable_poster_shows_the_code_and_a_big_qr(study: Study) -> None:
    url = reverse("study:session_poster", args=[study.s2.pk])
    html = client_for(study.actors.cadre).get(url).content.decode()
    assert f'id="poster-code">{study.s2.code}<' in html and 'id="poster-qr"' in html
    assert f"<title>http://testserver/study/check-in/?code={study.s2.code}</title>" in html
    assert "@media print" in html and "海上宣讲" in html
    assert client_for(study.actors.member).get(url).status_code == 403
    assert client_for(study.actors.outsider).get(url).status_code == 403
    missing = client_for(study.actors.cadre).get(reverse("study:session_poster", args=[999999]))
    assert missing.status_code == 404


def test_the_check_in_page_fills_in_the_code_and_records_only_on_check_in(actors: Any) -> None:
    study = build_study(actors, attendances=False)
    session = rules.add_session(study.tour, starts_at=timezone.now(), topic="今天", place="东村", actor=None)
    client = client_for(study.actors.member)
    page = client.get(reverse("study:check_in"), {"code": session.code})
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(rf'<input[^>]*name="code"[^>]*value="{session.code}"', html)
    assert 'id="code-prefilled"' in html
    assert not Attendance.objects.exists()  # opening the QR's address records nothing
    done = client.post(reverse("study:check_in"), {"code": session.code})
    assert done.status_code == 302
    assert Attendance.objects.filter(session=session, person=study.member.person).count() == 1
    plain = client.get(reverse("study:check_in")).content.decode()
    assert 'id="code-prefilled"' not in plain


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_opens_the_qr_address_on_a_phone_and_checks_in(browser: Any, live_server: Any) -> None:
    actors = make_actors()
    study = build_study(actors, attendances=False)
    session = rules.add_session(
        study.tour, starts_at=timezone.now(), topic="扫码签到", place="东村", actor=None
    )
    organiser, page = staff_browser(browser, live_server.url, "cadre")
    try:
        page.goto(f"{live_server.url}/study/sessions/{session.pk}/")
        expect(page.locator("svg#check-in-qr")).to_be_visible()
        address = page.locator("svg#check-in-qr title").text_content()
        assert address == page.locator("#check-in-url").inner_text()
    finally:
        organiser.close()
    assert address is not None and address.endswith(f"/study/check-in/?code={session.code}")
    context, phone = staff_browser(browser, live_server.url, "member")
    try:
        phone.set_viewport_size(PHONE)
        phone.goto(address)
        expect(phone.locator("#id_code")).to_have_value(session.code)
        assert not Attendance.objects.exists()  # opening the address records nothing
        with phone.expect_navigation():
            phone.locator("#check-in-form button[type=submit]").click()
        expect(phone.locator(".messages")).to_contain_text("扫码签到")
    finally:
        context.close()
    assert Attendance.objects.filter(session=session, person=study.member.person).count() == 1
