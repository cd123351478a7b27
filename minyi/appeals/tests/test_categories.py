"""The category tree: loading it from a CSV or the built-in default, unit mapping, suggestions, admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minyi.appeals import categories
from minyi.appeals.models import Category
from minyi.org.models import code_validator
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

SMALL_CSV = """level1,level2,level3
城乡建设,市政设施,路灯
城乡建设,市政设施,道路
城乡建设,住房与物业,物业收费
环境保护,噪声扰民,工业噪声
"""


def write_csv(tmp_path: Path, text: str = SMALL_CSV, name: str = "tree.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(*args: str) -> None:
    call_command("load_categories", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_loader_builds_three_levels_with_stable_codes_and_is_idempotent(tmp_path: Path) -> None:
    path = write_csv(tmp_path)
    load(str(path))
    assert Category.objects.filter(level=1).count() == 2
    assert Category.objects.filter(level=2).count() == 3
    assert Category.objects.filter(level=3).count() == 4
    lamp = Category.objects.select_related("parent__parent").get(name="路灯")
    assert lamp.parent is not None and lamp.parent.name == "市政设施"
    assert lamp.parent.parent is not None and lamp.parent.parent.name == "城乡建设"
    assert lamp.code == categories.category_code(["城乡建设", "市政设施", "路灯"])
    for category in Category.objects.all():
        code_validator(category.code)
    codes = dict(Category.objects.values_list("pk", "code"))
    load(str(path))  # the same file again
    assert dict(Category.objects.values_list("pk", "code")) == codes
    assert categories.load_tree([("城乡建设", "市政设施", "路灯"), ("环境保护", "", "")]) == 0


def test_reloading_keeps_the_admins_edits_and_adds_only_new_rows(tmp_path: Path) -> None:
    load(str(write_csv(tmp_path)))
    lamp = Category.objects.get(name="路灯")
    lamp.name, lamp.is_active = "路灯照明", False
    lamp.save()
    created = categories.load_tree([("城乡建设", "市政设施", "路灯"), ("城乡建设", "市政设施", "井盖")])
    assert created == 1
    lamp.refresh_from_db()
    assert lamp.name == "路灯照明" and not lamp.is_active
    assert not Category.objects.filter(name="路灯").exists()


def test_a_row_with_a_gap_or_a_long_name_is_refused_and_nothing_is_saved(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="第 2 行"):
        load(str(write_csv(tmp_path, "level1,level2,level3\n城乡建设,市政设施,路灯\n环境保护,,工业噪声\n")))
    with pytest.raises(categories.TreeError):
        categories.load_tree([("长" * 61, "", "")])
    assert not Category.objects.exists()


def test_the_command_explains_bad_arguments_and_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="either"):
        load()
    with pytest.raises(CommandError, match="either"):
        load(str(write_csv(tmp_path)), "--default")
    with pytest.raises(CommandError, match=r"missing\.csv"):
        load(str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="level3"):
        load(str(write_csv(tmp_path, "level1,level2\n城乡建设,市政设施\n")))
    with pytest.raises(CommandError, match="CATEGORY=UNIT_CODE"):
        load("--default", "--unit", "城乡建设")


def test_the_default_tree_has_the_fifteen_level_one_categories(actors: Actors) -> None:
    load("--default", "--unit", "城乡建设=HOUSING", "--unit", "教育文体=EDU")
    tops = Category.objects.filter(level=1)
    assert tops.count() == 15
    assert {"城乡建设", "环境保护", "民政", "纪检监察", "科技与信息产业"} <= set(
        tops.values_list("name", flat=True)
    )
    for top in tops:
        assert 2 <= top.children.count() <= 4
    assert Category.objects.get(level=1, name="城乡建设").default_unit == actors.housing
    load("--default")
    assert Category.objects.count() == 15 + sum(len(c) for c in categories.DEFAULT_TREE.values())


def test_the_real_taxonomy_loads_as_fifteen_level_one_and_517_level_three(shared_data: Path) -> None:
    created = categories.load_tree(categories.read_csv(shared_data / "appeals" / "taxonomy.csv"))
    assert Category.objects.filter(level=1).count() == 15
    assert Category.objects.filter(level=3).count() == 517
    assert created == Category.objects.count()
    assert categories.load_tree(categories.read_csv(shared_data / "appeals" / "taxonomy.csv")) == 0


def test_suggested_unit_is_inherited_from_the_nearest_ancestor(actors: Actors) -> None:
    categories.load_tree([("城乡建设", "市政设施", "路灯"), ("教育文体", "学校教育", "校车")])
    lamp = Category.objects.get(name="路灯")
    assert categories.suggested_unit(lamp) is None
    assert categories.map_default_units({"城乡建设": "HOUSING"}) == 1
    assert categories.suggested_unit(lamp) == actors.housing
    middle = Category.objects.get(name="市政设施")
    middle.default_unit = actors.town
    middle.save()
    assert categories.suggested_unit(lamp) == actors.town  # the nearer ancestor wins
    assert categories.suggested_unit(None) is None
    assert categories.suggested_unit(Category.objects.get(name="校车")) is None


def test_mapping_unknown_categories_or_units_changes_nothing(actors: Actors) -> None:
    categories.load_tree([("城乡建设", "", ""), ("环境保护", "", "")])
    with pytest.raises(categories.TreeError, match="NOPE"):
        categories.map_default_units({"城乡建设": "HOUSING", "环境保护": "NOPE"})
    with pytest.raises(categories.TreeError, match="不存在"):
        categories.map_default_units({"不存在": "HOUSING"})
    assert not Category.objects.filter(default_unit__isnull=False).exists()
    top = Category.objects.get(name="环境保护")
    assert categories.map_default_units({top.code: "HOUSING"}) == 1  # a code works as well as a name


def test_admin_lists_the_tree_in_order_without_a_query_per_row(actors: Actors, client: Client) -> None:
    load("--default")
    client.force_login(actors.admin)
    url = "/admin/appeals/category/"
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"level__exact": "2"})
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)
    html = response.content.decode()
    assert html.index("城乡建设") < html.index("市政设施") < html.index("住房与物业") < html.index("环境保护")
    assert client.get(url, {"q": "噪声"}).status_code == 200
    assert client.get("/admin/appeals/slarule/").status_code == 200


def test_admin_keeps_levels_right_and_refuses_a_fourth_level(actors: Actors, client: Client) -> None:
    categories.load_tree([("城乡建设", "市政设施", "路灯")])
    client.force_login(actors.admin)
    lamp = Category.objects.get(name="路灯")
    data = {"name": "井盖", "code": "manhole", "parent": str(lamp.pk), "sort": "0", "is_active": "on"}
    response = client.post("/admin/appeals/category/add/", data)
    assert response.status_code == 200 and not Category.objects.filter(code="manhole").exists()
    data["parent"] = str(lamp.parent_id)
    assert client.post("/admin/appeals/category/add/", data).status_code == 302
    assert Category.objects.get(code="manhole").level == 3


def test_admin_sets_the_usual_unit_from_the_list(actors: Actors, client: Client) -> None:
    categories.load_tree([("城乡建设", "", "")])
    top = Category.objects.get()
    client.force_login(actors.admin)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(top.pk),
        "form-0-default_unit": str(actors.housing.pk),
        "form-0-is_active": "on",
        "_save": "Save",
    }
    assert client.post("/admin/appeals/category/", data).status_code == 302
    top.refresh_from_db()
    assert top.default_unit == actors.housing and not top.is_public
    assert categories.suggested_unit(top) == actors.housing
