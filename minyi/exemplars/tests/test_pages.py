"""Role-model pages through HTTP: who sees and who keeps the library, the forms with their errors, and
the role models on a study activity's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minyi.exemplars.models import ActivityExemplar, Exemplar, ExemplarMaterial, Showing
from minyi.exemplars.tests.conftest import Library
from minyi.testing import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_everyone_who_sees_study_sees_the_library_by_level(library: Library) -> None:
    a = library.actors
    for user in (a.cadre, a.leader, a.dispatcher, a.auditor):
        page = client_for(user).get(reverse("exemplars:list"))
        html = page.content.decode()
        assert page.status_code == 200
        assert html.index("National role model") < html.index("焦裕禄") < html.index("Provincial role model")
        assert (
            html.index("Provincial role model")
            < html.index("谷文昌")
            < html.index("Role model close to home")
        )
        assert "Local role model" not in html  # no local role model yet: no empty group
    for user in (a.member, a.outsider, a.handler_edu):
        assert client_for(user).get(reverse("exemplars:list")).status_code == 403
    keeper = client_for(a.dispatcher).get(reverse("exemplars:list")).content.decode()
    assert reverse("exemplars:new") in keeper
    assert reverse("exemplars:new") not in client_for(a.cadre).get(reverse("exemplars:list")).content.decode()


def test_library_counts_each_models_materials_showings_and_audience(library: Library) -> None:
    page = client_for(library.actors.cadre).get(reverse("exemplars:list")).content.decode()
    row = page[page.index("焦裕禄") :].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[1:]]
    # known for, place, materials, showings, audience, activities
    assert cells[2:6] == ["2", "3", "500", "1"]


def test_detail_shows_materials_showings_and_linked_activities(library: Library) -> None:
    page = client_for(library.actors.auditor).get(reverse("exemplars:detail", args=[library.jiao.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "焦裕禄同志事迹图片展" in html and "2026-10-12" in html and "青山镇" in html and "300" in html
    assert "巡回宣讲进村" in html and "material-form" not in html  # the auditor changes nothing
    assert (
        client_for(library.actors.member).get(reverse("exemplars:detail", args=[library.jiao.pk])).status_code
        == 403
    )


def test_dispatcher_adds_a_role_model_and_a_material(library: Library) -> None:
    client = client_for(library.actors.dispatcher)
    bad = client.post(reverse("exemplars:new"), {"name": "王海滨", "level": "local", "known_for": ""})
    assert bad.status_code == 400 and not Exemplar.objects.filter(name="王海滨").exists()
    again = client.post(
        reverse("exemplars:new"),
        {"name": "焦裕禄", "level": "national", "known_for": "x", "place": "河南省兰考县"},
    )
    assert again.status_code == 400 and "already has 焦裕禄" in again.content.decode()
    made = client.post(
        reverse("exemplars:new"),
        {"name": "王海滨", "level": "local", "known_for": "海带养殖致富", "place": "东村"},
    )
    assert made.status_code == 302
    exemplar = Exemplar.objects.get(name="王海滨")
    assert made["Location"] == reverse("exemplars:detail", args=[exemplar.pk])
    bad_material = client.post(
        made["Location"], {"what": "material", "kind": "compilation", "title": "事迹汇编", "copies": "0"}
    )
    assert bad_material.status_code == 400 and not exemplar.materials.exists()
    good = client.post(
        made["Location"], {"what": "material", "kind": "compilation", "title": "事迹汇编", "copies": "150"}
    )
    assert good.status_code == 302 and exemplar.materials.get().copies == 150
    edit = client.post(
        reverse("exemplars:edit", args=[exemplar.pk]),
        {"name": "王海滨", "level": "close_to_home", "known_for": "海带养殖致富", "place": "东村"},
    )
    assert edit.status_code == 302
    exemplar.refresh_from_db()
    assert exemplar.level == "close_to_home"


def test_those_who_do_not_keep_the_library_cannot_post(library: Library) -> None:
    cadre = client_for(library.actors.cadre)
    assert cadre.get(reverse("exemplars:new")).status_code == 403
    assert cadre.get(reverse("exemplars:edit", args=[library.gu.pk])).status_code == 403
    refused = cadre.post(
        reverse("exemplars:detail", args=[library.gu.pk]),
        {"what": "material", "kind": "film", "title": "x", "copies": "1"},
    )
    assert refused.status_code == 403 and not library.gu.materials.exists()


def test_showing_form_refuses_a_future_day_and_a_negative_audience(library: Library) -> None:
    client = client_for(library.actors.leader)
    url = reverse("exemplars:detail", args=[library.yang.pk])
    before = Showing.objects.count()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = {"what": "showing", "material": library.film.pk, "place": "礼堂", "audience": "30"}
    future = client.post(url, {**data, "shown_on": tomorrow.isoformat()})
    assert (
        future.status_code == 400 and "cannot be recorded for a day in the future" in future.content.decode()
    )
    negative = client.post(url, {**data, "shown_on": "2026-10-01", "audience": "-5"})
    assert negative.status_code == 400 and "0 or more" in negative.content.decode()
    other = ExemplarMaterial.objects.get(title="焦裕禄同志事迹图片展")  # not this role model's material
    wrong = client.post(url, {**data, "material": other.pk, "shown_on": "2026-10-01"})
    assert wrong.status_code == 400
    assert Showing.objects.count() == before
    good = client.post(url, {**data, "unit": library.actors.village2.pk, "shown_on": "2026-10-01"})
    assert good.status_code == 302
    showing = Showing.objects.get(unit=library.actors.village2)
    assert (showing.place, showing.audience, showing.shown_on) == ("礼堂", 30, dt.date(2026, 10, 1))


def test_activity_page_shows_and_links_role_models(library: Library) -> None:
    a, study = library.actors, library.study
    cadre = client_for(a.cadre)
    page = cadre.get(reverse("study:activity", args=[study.tour.pk])).content.decode()
    assert "焦裕禄" in page and "林秀英" in page and "link-exemplar" in page
    url = reverse("exemplars:activity_links", args=[study.research.pk])
    linked = cadre.post(url, {"what": "link", "exemplar": library.yang.pk}, follow=True)
    assert "杨善洲 was linked to the activity." in linked.content.decode()
    assert ActivityExemplar.objects.filter(activity=study.research, exemplar=library.yang).exists()
    twice = cadre.post(url, {"what": "link", "exemplar": library.yang.pk}, follow=True)
    assert "already linked" in twice.content.decode()
    assert ActivityExemplar.objects.filter(activity=study.research).count() == 1
    unlinked = cadre.post(url, {"what": "unlink", "exemplar": library.yang.pk}, follow=True)
    assert "杨善洲 is no longer linked." in unlinked.content.decode()
    assert not ActivityExemplar.objects.filter(activity=study.research).exists()


def test_who_may_not_organise_the_activity_cannot_link(library: Library) -> None:
    a, study = library.actors, library.study
    url = reverse("exemplars:activity_links", args=[study.research.pk])
    auditor = client_for(a.auditor)
    page = auditor.get(reverse("study:activity", args=[study.tour.pk])).content.decode()
    assert "焦裕禄" in page and "link-exemplar" not in page
    assert auditor.post(url, {"what": "link", "exemplar": library.yang.pk}).status_code == 403
    assert client_for(a.outsider).post(url, {"what": "link", "exemplar": library.yang.pk}).status_code == 403
    assert not ActivityExemplar.objects.filter(activity=study.research).exists()


def test_summary_page_and_home_link(library: Library) -> None:
    client = client_for(library.actors.auditor)
    page = client.get(reverse("exemplars:summary"), {"campaign": "STUDY26"}).content.decode()
    assert '<dd id="f-showings">4</dd>' in page and '<dd id="f-audience">580</dd>' in page
    assert '<dd id="f-activities">2</dd>' in page
    everything = client.get(reverse("exemplars:summary")).content.decode()
    assert '<dd id="f-showings">5</dd>' in everything  # the district-wide auditor sees 礼堂's showing too
    town = client_for(library.actors.cadre).get(reverse("exemplars:summary")).content.decode()
    assert '<dd id="f-showings">3</dd>' in town  # 海城镇's cadre: the township's own showings
    home = client.get("/").content.decode()
    assert reverse("exemplars:list") in home
