"""Smart dispatch (issue 5): suggestions on the dispatch screen, auto-dispatch above the admin's threshold,
labels from dispatchers' choices, versions and rollback, and the admin's classifier page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import State
from minyi.appeals.models import Appeal, Category
from minyi.appeals.tests.factories import new_appeal
from minyi.insight import registry, routing
from minyi.insight.jobs import triage_new_appeals
from minyi.insight.models import ClassifierVersion, InsightSettings, Label, Suggestion
from minyi.insight.tests.corpus_tiny import TINY
from minyi.org.models import Unit
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db

LIGHTS = {"title": "小区路灯坏了", "body": "我们小区门口的路灯坏了，晚上很黑，请尽快维修路灯。"}
SCHOOL = {"title": "学校乱收补课费", "body": "学校老师组织学生补课并收取补课费，请教育局查处。"}


@pytest.fixture(autouse=True)
def models_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def tree(actors: Actors) -> dict[str, Category]:
    """The three level-1 categories of the tiny corpus; two of them have a usual unit."""
    housing = Category.objects.create(code="L1-house", name="城乡建设", default_unit=actors.housing)
    edu = Category.objects.create(code="L1-edu", name="教育文体", default_unit=actors.edu)
    traffic = Category.objects.create(code="L1-traffic", name="交通运输")
    lights = Category.objects.create(code="L2-lights", name="市政设施", parent=housing)
    return {"housing": housing, "edu": edu, "traffic": traffic, "lights": lights}


@pytest.fixture
def model(tree: dict[str, Category]) -> ClassifierVersion:
    return registry.train(csv_rows=TINY, use_labels=False, taxonomy=[], sources="tiny")


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_dispatch_screen_shows_three_suggestions_with_units_confidence_and_words(
    actors: Actors, model: ClassifierVersion, tree: dict[str, Category]
) -> None:
    appeal = new_appeal(actors, **LIGHTS)
    page = _client(actors.dispatcher).get(f"/appeals/{appeal.number}/").content.decode()
    assert "Suggested categories" in page or "推荐分类" in page
    first = page.index('data-label="城乡建设"')
    assert first < page.index('data-label="教育文体"') and first < page.index('data-label="交通运输"')
    assert "区住建局" in page[first : first + 400]
    assert "路灯" in page  # among the words that weighed most
    suggestion = Suggestion.objects.get(appeal=appeal)
    assert suggestion.top[0][0] == "城乡建设"
    assert 0 < suggestion.confidence <= 1
    # The form is prefilled with the first suggestion's category and unit.
    category = page[page.index('name="category"') :]
    assert f'value="{tree["housing"].pk}" selected' in category[: category.index("</select>")]
    lead = page[page.index('name="lead"') :]
    assert f'value="{actors.housing.pk}" selected' in lead[: lead.index("</select>")]


def test_use_this_prefills_another_suggestion(actors: Actors, model: ClassifierVersion) -> None:
    appeal = new_appeal(actors, **LIGHTS)
    advice = routing.advice(appeal)
    assert advice is not None
    second = next(n for n, choice in enumerate(advice.choices, start=1) if choice.label == "教育文体")
    page = _client(actors.dispatcher).get(f"/appeals/{appeal.number}/?use={second}").content.decode()
    lead = page[page.index('name="lead"') :]
    assert f'value="{actors.edu.pk}" selected' in lead[: lead.index("</select>")]


def test_dispatching_leaves_a_label_confirmed_or_corrected(
    actors: Actors, model: ClassifierVersion, tree: dict[str, Category]
) -> None:
    client = _client(actors.dispatcher)
    confirmed = new_appeal(actors, **LIGHTS)
    corrected = new_appeal(actors, **LIGHTS)
    for appeal, category, unit in (
        (confirmed, tree["lights"], actors.housing),
        (corrected, tree["traffic"], actors.office),
    ):
        client.get(f"/appeals/{appeal.number}/")  # the suggestion is made when the screen opens
        response = client.post(
            f"/appeals/{appeal.number}/dispatch/",
            {"version": appeal.version, "category": category.pk, "lead": unit.pk},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    labels = {label.appeal_id: label for label in Label.objects.all()}
    assert labels[confirmed.pk].source == Label.Source.CONFIRMED
    assert labels[confirmed.pk].label == "城乡建设"  # a level-2 choice teaches its level 1
    assert labels[corrected.pk].source == Label.Source.CORRECTED
    assert (labels[corrected.pk].label, labels[corrected.pk].predicted) == ("交通运输", "城乡建设")
    corrected.refresh_from_db()
    assert corrected.category == tree["traffic"]
    live = routing.live_accuracy(model)
    assert (live.confirmed, live.corrected, live.accuracy) == (1, 1, 0.5)


def test_auto_dispatch_above_the_threshold_only(actors: Actors, model: ClassifierVersion) -> None:
    sure = new_appeal(actors, **LIGHTS)
    confidence = routing.suggest(sure).confidence  # type: ignore[union-attr]
    Suggestion.objects.all().delete()
    settings_row = InsightSettings.load()
    settings_row.auto_dispatch_threshold = confidence + 0.01
    settings_row.save()
    triage_new_appeals({})
    sure.refresh_from_db()
    assert sure.state == State.RECEIVED  # below the threshold: a person decides

    Suggestion.objects.all().delete()
    settings_row.auto_dispatch_threshold = confidence - 0.01
    settings_row.save()
    triage_new_appeals({})
    sure.refresh_from_db()
    assert sure.state == State.DISPATCHED and sure.lead_unit == actors.housing
    assert sure.category is not None and sure.category.name == "城乡建设"
    event = sure.events.get(kind="dispatched")
    assert event.actor is not None and event.actor.username == routing.AUTO_DISPATCHER
    assert Suggestion.objects.get(appeal=sure).auto_dispatched
    assert not Label.objects.filter(appeal=sure).exists()  # the machine's choice teaches nothing


def test_no_auto_dispatch_when_off_or_the_recorded_category_disagrees(
    actors: Actors, model: ClassifierVersion, tree: dict[str, Category]
) -> None:
    off = new_appeal(actors, **LIGHTS)
    triage_new_appeals({})
    off.refresh_from_db()
    assert off.state == State.RECEIVED and Suggestion.objects.filter(appeal=off).exists()
    settings_row = InsightSettings.load()
    settings_row.auto_dispatch_threshold = 0.0
    settings_row.save()
    disagrees = new_appeal(actors, category=tree["edu"], **LIGHTS)
    no_unit = new_appeal(
        actors, title="公交车班次太少", body="12路公交车班次太少，乘客等车要一个小时，请增加班次。"
    )
    triage_new_appeals({})
    for appeal in (disagrees, no_unit):
        appeal.refresh_from_db()
        assert appeal.state == State.RECEIVED, appeal.title


def test_retraining_from_labels_makes_a_new_active_version_and_rollback_works(
    actors: Actors, model: ClassifierVersion, tree: dict[str, Category]
) -> None:
    for title, body, label in TINY:
        appeal = new_appeal(actors, title=title, body=body)
        category = Category.objects.get(level=1, name=label)
        unit = category.default_unit or actors.office
        appeal_rules.dispatch(appeal, lead=unit, actor=actors.dispatcher, category=category)
    assert Label.objects.count() == len(TINY)
    newer = registry.train(sources="labels")
    assert newer.is_active and newer.training_rows == len(TINY)
    model.refresh_from_db()
    assert not model.is_active

    admin = _client(actors.admin)
    page = admin.get("/insight/classifier/").content.decode()
    assert newer.version in page and model.version in page
    response = admin.post("/insight/classifier/", {"action": "activate", "version": model.pk})
    assert response.status_code == 302
    model.refresh_from_db()
    assert model.is_active and ClassifierVersion.objects.filter(is_active=True).count() == 1
    # A new appeal is now suggested by the version rolled back to.
    appeal = new_appeal(actors, **SCHOOL)
    suggestion = routing.suggest(appeal)
    assert suggestion is not None and suggestion.model == model


def test_only_admins_manage_the_classifier(actors: Actors, model: ClassifierVersion) -> None:
    assert _client(actors.dispatcher).get("/insight/classifier/").status_code == 403
    admin = _client(actors.admin)
    bad = admin.post("/insight/classifier/", {"action": "threshold", "threshold": "120"})
    assert bad.status_code == 200 and InsightSettings.load().auto_dispatch_threshold is None
    good = admin.post("/insight/classifier/", {"action": "threshold", "threshold": "90"})
    assert good.status_code == 302 and InsightSettings.load().auto_dispatch_threshold == 0.9
    page = admin.get("/insight/classifier/").content.decode()
    assert model.version in page and 'value="90"' in page


def test_a_missing_model_file_cannot_be_activated(
    actors: Actors, model: ClassifierVersion, tmp_path: Path
) -> None:
    older = registry.train(csv_rows=TINY[:12], use_labels=False, taxonomy=[], activate=False)
    (registry.models_dir() / older.file).unlink()
    response = _client(actors.admin).post(
        "/insight/classifier/", {"action": "activate", "version": older.pk}, follow=True
    )
    assert older.file in response.content.decode()
    model.refresh_from_db()
    assert model.is_active


def test_without_a_model_the_dispatch_screen_works_as_before(
    actors: Actors, tree: dict[str, Category]
) -> None:
    appeal = new_appeal(actors, **LIGHTS)
    page = _client(actors.dispatcher).get(f"/appeals/{appeal.number}/")
    assert page.status_code == 200 and 'data-label="' not in page.content.decode()
    assert routing.advice(appeal) is None
    assert isinstance(Unit.objects.first(), Unit)
    assert Appeal.objects.filter(state=State.RECEIVED).count() == 1


def test_without_a_model_triage_still_moves_on_and_a_later_model_fills_in(
    actors: Actors, tree: dict[str, Category]
) -> None:
    appeal = new_appeal(actors, **LIGHTS)
    triage_new_appeals({})
    assert routing.pending() == []  # marked as triaged: the job does not read it again every minute
    assert routing.advice(appeal) is None
    registry.train(csv_rows=TINY, use_labels=False, taxonomy=[])
    advice = routing.advice(appeal)
    assert advice is not None and advice.choices[0].label == "城乡建设"


def test_deeper_levels_are_suggested_where_the_deployment_has_labels_for_them(
    actors: Actors, tree: dict[str, Category]
) -> None:
    homes = Category.objects.create(code="L2-homes", name="住房与物业", parent=tree["housing"])
    places = ["东村", "西村", "南村", "北村", "海城", "青山", "渔港", "新港", "沙门", "白礁", "桃岭"]
    streets = [(f"{p}路灯不亮", f"{p}村口的路灯和道路照明坏了，晚上很黑，请市政维修路灯。") for p in places]
    homes_texts = [
        (f"{p}小区物业乱收费", f"{p}小区物业公司乱收物业费，楼房漏水也不维修，业主很不满。") for p in places
    ]
    for texts, category in ((streets, tree["lights"]), (homes_texts, homes)):
        for title, body in texts[: registry.DEEPER_MIN_LABELS]:
            appeal = new_appeal(actors, title=title, body=body)
            appeal_rules.dispatch(appeal, lead=actors.housing, actor=actors.dispatcher, category=category)
    version = registry.train(csv_rows=TINY, taxonomy=[])
    assert version.metadata["deeper"]["城乡建设"]["classes"] == ["城乡建设/住房与物业", "城乡建设/市政设施"]

    appeal = new_appeal(
        actors, title="小区物业不管漏水", body="我们小区楼房漏水，物业公司收了物业费却不维修。"
    )
    advice = routing.advice(appeal)
    assert advice is not None
    first = advice.choices[0]
    assert first.label == "城乡建设/住房与物业" and first.category == homes
    assert first.unit == actors.housing  # the level-1 category's usual unit
    assert advice.choices[1].label in {"教育文体", "交通运输"}  # the others stay at level 1
    # Dispatching with the suggested level-2 category confirms it (the label is kept at level 1).
    appeal_rules.dispatch(appeal, lead=actors.housing, actor=actors.dispatcher, category=homes)
    label = Label.objects.get(appeal=appeal)
    assert (label.label, label.source) == ("城乡建设", Label.Source.CONFIRMED)
    page = _client(actors.admin).get("/insight/classifier/").content.decode()
    assert "城乡建设/住房与物业" in page[page.index('id="deeper"') :]


def test_the_classifier_page_explains_its_figures_and_warns_about_a_demo_model(
    actors: Actors, tree: dict[str, Category]
) -> None:
    admin = _client(actors.admin)
    registry.train(csv_rows=TINY, use_labels=False, taxonomy=[], sources=registry.DEMO_SOURCES)
    page = admin.get("/insight/classifier/").content.decode()
    assert 'id="demo-only"' in page and "演示数据" in page
    # Plain words for each figure, and the formulas behind "怎么算的".
    meaning = page[page.index('id="measured-meaning"') : page.index("</details>")]
    assert "每100件诉求中" in meaning and "宏平均F1" in meaning and "最有把握一半" in meaning
    assert "怎么算的" in meaning and "2·P·R ÷ (P + R)" in meaning
    # A model trained from the district's own labels carries no such warning.
    registry.train(csv_rows=TINY, use_labels=False, taxonomy=[], sources="labels")
    assert 'id="demo-only"' not in admin.get("/insight/classifier/").content.decode()
