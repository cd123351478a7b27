"""The visit form on a cadre's phone (issue 17, "The cadre's phone"): the campaign running today is
chosen, the village comes first and its household is found by the head's name or door number (names
masked), a wrong field is named beside it with what was typed kept, and the five ones read in the
campaign's words, which the office can rename."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from minyi.audit.models import AuditEvent
from minyi.ledger.models import Campaign
from minyi.org.models import Household
from minyi.outreach import rules
from minyi.outreach.forms import VisitForm
from minyi.outreach.models import CampaignChecklist, Visit
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

NEW = "/outreach/visits/new/"
SEARCH = "/outreach/visits/new/households/"
CHECKLIST = "/outreach/visits/new/checklist/"
CHECKLISTS = "/outreach/checklists/"


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _post(actors: Actors, **changes: str) -> dict[str, str]:
    data = {
        "visited_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "campaign": "",
        "village": str(actors.village.pk),
        "household_search": "",
        "contact_card": "on",
        "urgent_matter": "on",
        "urgent_matter_note": "帮助递交医保材料",
        "difficulty-TOTAL_FORMS": "3",
        "difficulty-INITIAL_FORMS": "0",
        "difficulty-MIN_NUM_FORMS": "0",
        "difficulty-MAX_NUM_FORMS": "10",
        "difficulty-0-text": "屋顶漏雨",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _neighbours(actors: Actors) -> None:
    """Two more households of 东村 (one also a 王) and one of 西村 named like the first."""
    Household.objects.create(
        code="T1V1-002", village=actors.village, head_name="王小明", address="东村三组19号"
    )
    Household.objects.create(
        code="T1V1-003", village=actors.village, head_name="李春花", address="东村四组02号"
    )
    Household.objects.create(
        code="T1V2-001", village=actors.village2, head_name="王大海", address="西村一组01号"
    )


# --- the campaign running today --------------------------------------------------------------------


def test_the_campaign_select_defaults_to_the_campaign_running_today(actors: Actors) -> None:
    ended = Campaign.objects.create(
        code="OLD", name="去年活动", starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30)
    )
    running = Campaign.objects.create(
        code="NOW", name="今年活动", starts_on=date(2026, 3, 1), ends_on=date(2026, 12, 31)
    )
    assert VisitForm(user=actors.cadre, today=date(2026, 12, 7))["campaign"].initial == running
    assert VisitForm(user=actors.cadre, today=date(2025, 3, 1))["campaign"].initial == ended
    assert VisitForm(user=actors.cadre, today=date(2025, 12, 1))["campaign"].initial is None
    assert VisitForm(user=actors.cadre, today=date(2026, 12, 7))["visited_on"].initial == date(2026, 12, 7)


def test_the_page_selects_the_running_campaign_and_saving_it_works_first_try(actors: Actors) -> None:
    today = timezone.localdate()
    Campaign.objects.create(
        code="OLD", name="已结束活动", starts_on=date(2020, 1, 1), ends_on=date(2020, 6, 30)
    )
    running = Campaign.objects.create(
        code="NOW",
        name="正在进行的活动",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    client = _client(actors.cadre)
    page = client.get(NEW).content.decode()
    assert f'<option value="{running.pk}" selected>正在进行的活动</option>' in page
    response = client.post(NEW, _post(actors, campaign=str(running.pk), household="T1V1-001"))
    assert response.status_code == 302
    assert Visit.objects.get().campaign == running


# --- village first, then the household by name or door number ---------------------------------------


def test_household_search_finds_by_head_name_or_door_number_in_the_village_masked(actors: Actors) -> None:
    _neighbours(actors)
    client = _client(actors.cadre)
    by_name = client.get(
        SEARCH, {"village": str(actors.village.pk), "household_search": "王"}
    ).content.decode()
    assert "王** · 三组18号 · T1V1-001" in by_name and "王** · 三组19号 · T1V1-002" in by_name
    assert "王大海" not in by_name and "李" not in by_name
    assert "T1V2-001" not in by_name  # the same name in another village is not offered
    by_door = client.get(
        SEARCH, {"village": str(actors.village.pk), "household_search": "四组02"}
    ).content.decode()
    assert (
        'value="T1V1-003"' in by_door and "李** · 四组02号" in by_door and 'value="T1V1-001"' not in by_door
    )
    nothing = client.get(
        SEARCH, {"village": str(actors.village.pk), "household_search": "赵"}
    ).content.decode()
    assert "本村（社区）没有相符的农户" in nothing


def test_a_nul_byte_in_the_search_or_the_pick_is_refused_and_saves_nothing(actors: Actors) -> None:
    client = _client(actors.cadre)
    typed = {"village": str(actors.village.pk), "household_search": "王\x00", "household": "T1V1\x00-001"}
    assert client.get(SEARCH, typed).status_code == 400  # minyi/inputs.py: no NUL reaches a query
    response = client.post(NEW, _post(actors, household_search="王\x00", household="T1V1-001\x00"))
    assert response.status_code == 400 and not Visit.objects.exists()


def test_household_search_needs_a_village_in_scope_and_a_visitor(actors: Actors) -> None:
    Household.objects.create(
        code="T2V1-001", village=actors.other_village, head_name="王南", address="南村1号"
    )
    client = _client(actors.cadre)
    outside = client.get(
        SEARCH, {"village": str(actors.other_village.pk), "household_search": "王"}
    ).content.decode()
    assert "T2V1-001" not in outside and "请先选择村（社区），再选农户" in outside
    assert client.get(SEARCH, {"household_search": "王"}).content.decode().count('type="radio"') == 0
    assert (
        _client(actors.member)
        .get(SEARCH, {"village": str(actors.village.pk), "household_search": "王"})
        .status_code
        == 403
    )


def test_a_household_picked_from_the_search_needs_no_separate_village(actors: Actors) -> None:
    response = _client(actors.cadre).post(NEW, _post(actors, village="", household="T1V1-001"))
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.household == actors.household and visit.village == actors.village
    assert visit.place_kind == "household"


def test_the_only_household_matching_the_typed_name_is_taken_without_a_pick(actors: Actors) -> None:
    _neighbours(actors)
    response = _client(actors.cadre).post(NEW, _post(actors, household_search="王大海"))
    assert response.status_code == 302
    assert Visit.objects.get().household == actors.household


def test_several_matches_keep_what_was_typed_and_name_the_household_field(actors: Actors) -> None:
    _neighbours(actors)
    response = _client(actors.cadre).post(NEW, _post(actors, household_search="王"))
    assert response.status_code == 200 and not Visit.objects.exists()
    page = response.content.decode()
    # The error sits in the household field's own block, above its input, which keeps "王".
    block = page[page.index('id="field-household_search"') :]
    block = block[: block.index("</div>")]
    assert "有多户相符，请从列表中点选一户" in block and 'value="王"' in block
    assert "尚未保存" in page and "农户：户主姓名或门牌号" in page[page.index('id="form-errors"') :]
    # What else was typed is still there, and the matches are listed to pick from.
    assert "帮助递交医保材料" in page and "屋顶漏雨" in page and 'value="T1V1-002"' in page


def test_a_date_outside_the_campaign_is_named_beside_the_campaign(actors: Actors) -> None:
    ended = Campaign.objects.create(
        code="OLD", name="已结束活动", starts_on=date(2020, 1, 1), ends_on=date(2020, 6, 30)
    )
    response = _client(actors.cadre).post(NEW, _post(actors, campaign=str(ended.pk), household="T1V1-001"))
    assert response.status_code == 200 and not Visit.objects.exists()
    page = response.content.decode()
    block = page[page.index('id="field-campaign"') :]
    assert "走访日期不在活动期间内（2020-01-01 至 2020-06-30）" in block[: block.index("</div>")]
    assert f'<option value="{ended.pk}" selected>' in page and 'value="T1V1-001" checked' in page


def test_the_wording_no_longer_reads_as_if_the_village_stays_empty(actors: Actors) -> None:
    page = _client(actors.cadre).get(NEW).content.decode()
    assert "走访村（社区）时不填" not in page
    assert "走访整个村（社区）时留空" in page
    assert page.index('id="id_village"') < page.index('id="id_household_search"')


# --- the five ones in the campaign's words -----------------------------------------------------------


FIVE = ["留一张便民联系卡", "办一件群众急事", "写一本民情日记", "订一份包村帮扶计划", "上一堂知行点评课"]


def test_the_five_ones_are_the_campaigns_own_words_by_default(actors: Actors) -> None:
    page = _client(actors.cadre).get(NEW).content.decode()
    positions = [page.index(word) for word in FIVE]
    assert positions == sorted(positions)
    assert "办一件实事" not in page and "开一次评议会" not in page


def test_the_office_renames_a_campaigns_checklist_and_old_ticks_read_with_the_new_words(
    actors: Actors,
) -> None:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="NOW",
        name="正在进行的活动",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    visit = rules.record_visit(
        actor=actors.cadre,
        visited_on=today,
        household=actors.household,
        campaign=campaign,
        checklist={"review_session": True, "review_session_note": "村民评议"},
    )
    office = _client(actors.dispatcher)
    assert "上一堂知行点评课" in office.get(CHECKLISTS, {"campaign": campaign.pk}).content.decode()
    words = {"campaign": str(campaign.pk), "review_session": "开一次群众评议会", "diary": ""}
    assert office.post(CHECKLISTS, words).status_code == 302
    assert CampaignChecklist.objects.get(campaign=campaign).review_session == "开一次群众评议会"
    assert AuditEvent.objects.filter(action="outreach.checklist_renamed").count() == 1
    cadre = _client(actors.cadre)
    detail = cadre.get(f"/outreach/visits/{visit.pk}/").content.decode()
    assert "✔ 开一次群众评议会: 村民评议" in detail and "✘ 写一本民情日记" in detail
    assert "开一次群众评议会" in cadre.get(NEW).content.decode()  # the running campaign's words


def test_a_too_long_word_is_refused_and_changes_nothing(actors: Actors) -> None:
    campaign = Campaign.objects.create(
        code="C", name="活动", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    response = _client(actors.dispatcher).post(CHECKLISTS, {"campaign": str(campaign.pk), "diary": "长" * 41})
    assert response.status_code == 200
    block = response.content.decode()
    block = block[block.index('id="field-diary"') :]
    assert "40" in block[: block.index("</div>")]  # the limit, beside the word that broke it
    assert not CampaignChecklist.objects.exists()


def test_only_the_office_renames_the_checklist(actors: Actors) -> None:
    Campaign.objects.create(code="C", name="活动", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    assert _client(actors.cadre).get(CHECKLISTS).status_code == 403
    assert _client(actors.cadre).post(CHECKLISTS, {"diary": "x"}).status_code == 403
    assert not CampaignChecklist.objects.exists()


def test_changing_the_campaign_redraws_the_five_ones_keeping_the_ticks(actors: Actors) -> None:
    campaign = Campaign.objects.create(
        code="C", name="活动", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    CampaignChecklist.objects.create(campaign=campaign, contact_card="发一张连心卡")
    fragment = _client(actors.cadre).get(
        CHECKLIST, {"campaign": str(campaign.pk), "contact_card": "on", "contact_card_note": "已发"}
    )
    html = fragment.content.decode()
    assert "发一张连心卡" in html and "办一件群众急事" in html
    assert 'name="contact_card" id="id_contact_card" checked' in html and 'value="已发"' in html
