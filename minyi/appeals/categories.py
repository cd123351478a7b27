"""The category tree (一级/二级/三级分类): loading it, mapping it to usual handling units, suggesting a unit.

The tree is admin-editable; ``load_tree`` only adds what is missing, so loading the same file again
(or a newer version of it) never undoes an admin's edits. Codes are generated from the names of the
path ("城乡建设/市政设施"), so the same category gets the same code in every deployment.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from minyi.appeals.models import Category
from minyi.org.models import Unit

LEVELS = 3
CSV_COLUMNS = ("level1", "level2", "level3")
NAME_MAX = Category._meta.get_field("name").max_length or 60

#: The built-in tree (``load_categories --default``): the 15 generic level-1 categories of Chinese
#: government appeal handling, each with a few level-2 categories of our own.
DEFAULT_TREE: dict[str, tuple[str, ...]] = {
    "城乡建设": ("市政设施", "住房与物业", "规划建设", "农村人居环境"),
    "环境保护": ("大气污染", "水污染", "噪声扰民", "固体废物"),
    "交通运输": ("公共交通", "道路与桥梁", "交通秩序"),
    "教育文体": ("学校教育", "校外培训", "文化体育设施"),
    "劳动和社会保障": ("拖欠工资", "社会保险", "就业服务"),
    "商贸旅游": ("市场秩序", "消费维权", "旅游服务"),
    "卫生计生": ("医疗服务", "疾病防控", "药品与医保"),
    "农村农业": ("种植养殖", "渔业与渔船", "涉农补贴", "农田水利"),
    "民政": ("低保与救助", "养老服务", "婚姻殡葬"),
    "政法": ("治安管理", "矛盾纠纷", "法律援助"),
    "国土资源": ("征地补偿", "宅基地", "矿产开采"),
    "党务政务": ("作风建设", "政务服务", "基层组织"),
    "纪检监察": ("违纪问题举报", "工作作风"),
    "经济管理": ("企业服务", "财政税务", "价格管理"),
    "科技与信息产业": ("通信网络", "信息化服务", "科技创新"),
}


class TreeError(ValueError):
    """A row of the tree cannot be loaded; the message says which and why."""


def default_tree() -> list[tuple[str, str, str]]:
    """The built-in tree as (level1, level2, level3) rows."""
    return [(top, child, "") for top, children in DEFAULT_TREE.items() for child in children]


def category_code(path: Iterable[str]) -> str:
    """A stable code from the names of the path: "L2-" + 10 hex digits (fits ``code_validator``)."""
    names = list(path)
    digest = hashlib.blake2b("/".join(names).encode(), digest_size=5).hexdigest()
    return f"L{len(names)}-{digest}"


def read_csv(path: str | Path) -> Iterator[tuple[str, str, str]]:
    """The rows of a CSV with the columns level1, level2, level3 (UTF-8, with or without a BOM)."""
    with open(path, encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise TreeError(_("The file lacks the columns %(columns)s.") % {"columns": ", ".join(missing)})
        for row in reader:
            yield (row["level1"] or "", row["level2"] or "", row["level3"] or "")


def _path(row: tuple[str, ...], number: int) -> list[str]:
    names = [" ".join((name or "").split()) for name in row[:LEVELS]]
    while names and not names[-1]:
        names.pop()
    if not names or "" in names:
        raise TreeError(_("Row %(n)d: every level above a category needs a name.") % {"n": number})
    for name in names:
        if len(name) > NAME_MAX:
            raise TreeError(
                _("Row %(n)d: a name may have at most %(max)d characters.") % {"n": number, "max": NAME_MAX}
            )
    return names


@transaction.atomic
def load_tree(rows: Iterable[tuple[str, str, str]]) -> int:
    """Add the categories of ``rows`` that are missing (matched by code, or by name under the same
    parent); return how many were created. Existing categories are left as the admin made them."""
    by_code: dict[str, Category] = {}
    by_place: dict[tuple[int | None, str], Category] = {}
    for existing in Category.objects.all():
        by_code[existing.code] = existing
        by_place[(existing.parent_id, existing.name)] = existing
    next_sort: dict[int | None, int] = {}
    created = 0
    for number, row in enumerate(rows, start=1):
        parent: Category | None = None
        names = _path(row, number)
        for depth in range(1, len(names) + 1):
            name, parent_id = names[depth - 1], parent.pk if parent else None
            code = category_code(names[:depth])
            node: Category | None = by_code.get(code) or by_place.get((parent_id, name))
            if node is None:
                if parent_id not in next_sort:
                    top = Category.objects.filter(parent_id=parent_id).aggregate(top=Max("sort"))["top"]
                    next_sort[parent_id] = (top or 0) + 10
                node = Category.objects.create(
                    code=code, name=name, parent=parent, level=depth, sort=next_sort[parent_id]
                )
                next_sort[parent_id] += 10
                by_code[code] = by_place[(parent_id, name)] = node
                created += 1
            parent = node
    return created


@transaction.atomic
def map_default_units(mapping: dict[str, str]) -> int:
    """Set the usual handling unit of level-1 categories: {category name or code: unit code}.
    Returns how many categories changed; unknown names or codes change nothing and raise."""
    tops = {c.name: c for c in Category.objects.filter(level=1)}
    tops.update({c.code: c for c in tops.values()})
    units = {u.code: u for u in Unit.objects.filter(code__in=set(mapping.values()))}
    unknown = [key for key in mapping if key not in tops] + [
        code for code in mapping.values() if code not in units
    ]
    if unknown:
        raise TreeError(
            _("Unknown categories or units: %(names)s.") % {"names": ", ".join(sorted(set(unknown)))}
        )
    changed = 0
    for key, unit_code in mapping.items():
        category, unit = tops[key], units[unit_code]
        if category.default_unit_id != unit.pk:
            category.default_unit = unit
            category.save(update_fields=["default_unit"])
            changed += 1
    return changed


def suggested_unit(category: Category | None) -> Unit | None:
    """The usual handling unit of the category or of its nearest ancestor that has an active one."""
    if category is None:
        return None
    node: Category | None = Category.objects.select_related(
        "default_unit", "parent__default_unit", "parent__parent__default_unit"
    ).get(pk=category.pk)
    while node is not None:
        if node.default_unit is not None and node.default_unit.is_active:
            return node.default_unit
        node = node.parent
    return None


def usual_units() -> dict[int, Unit]:
    """Category id → the unit that usually handles it (``default_unit``, else the nearest parent's),
    for every category at once: the tree is small and admin-edited, so one query serves a whole list."""
    categories = {c.pk: c for c in Category.objects.select_related("default_unit")}
    found: dict[int, Unit] = {}
    for pk, category in categories.items():
        node: Category | None = category
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            if node.default_unit is not None:
                found[pk] = node.default_unit
                break
            seen.add(node.pk)
            node = categories.get(node.parent_id) if node.parent_id else None
    return found
