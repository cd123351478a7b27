"""Selects that pick a unit or a category (minyi/fields.py), as the pages show them: units grouped by
kind and sorted by name in pinyin order, categories under their parents, "请选择" for none."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from minyi.appeals.models import Category
from minyi.appeals.tests.factories import new_appeal
from minyi.fields import pinyin_key
from minyi.org.choices import UnitKind
from minyi.org.rules import create_unit
from minyi.testing import PASSWORD, Actors

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _select(page: str, name: str) -> str:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no select {name}"
    return found.group(1)


def _groups(select: str) -> list[tuple[str, list[str]]]:
    return [
        (label, re.findall(r"<option[^>]*>([^<]*)</option>", body))
        for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S)
    ]


def test_pinyin_order_puts_names_as_a_directory_does() -> None:
    names = ["区统计局", "海城镇", "区税务局", "白沙镇", "安平街道"]
    assert sorted(names, key=pinyin_key) == ["安平街道", "白沙镇", "海城镇", "区税务局", "区统计局"]


def test_the_ledger_form_groups_units_by_kind_in_pinyin_order(actors: Actors) -> None:
    # Codes in the opposite order of the names: the page must not list by code.
    create_unit(code="A-TAX", name="区税务局", kind=UnitKind.DEPARTMENT, parent=actors.district, actor=None)
    create_unit(code="Z-ANP", name="安平街道", kind=UnitKind.TOWNSHIP, parent=actors.district, actor=None)
    page = client_for(actors.dispatcher).get(reverse("ledger:new")).content.decode()
    lead = _select(page, "lead_unit")
    assert "---------" not in page
    assert re.search(r'<option value="" selected>请选择</option>', lead)
    groups = dict(_groups(lead))
    assert list(groups) == ["区直部门", "镇（街道）"]
    assert groups["区直部门"] == sorted(groups["区直部门"], key=pinyin_key)
    assert groups["镇（街道）"] == ["安平街道", "海城镇", "青山镇"]


def test_the_dispatch_form_groups_categories_under_their_parents(actors: Actors) -> None:
    city = Category.objects.create(code="CJ", name="城乡建设", sort=1)
    Category.objects.create(code="CJ-LD", name="路灯", parent=city, level=2)
    Category.objects.create(code="CJ-WY", name="物业", parent=city, level=2)
    edu = Category.objects.create(code="JY", name="教育文体", sort=2)
    Category.objects.create(code="JY-XX", name="学校教育", parent=edu, level=2)
    appeal = new_appeal(actors)
    page = client_for(actors.dispatcher).get(reverse("appeals:detail", args=[appeal.number])).content.decode()
    assert "---------" not in page
    groups = _groups(_select(page, "category"))
    assert groups[:2] == [("城乡建设", ["城乡建设", "路灯", "物业"]), ("教育文体", ["教育文体", "学校教育"])]
    lead = _select(page, "lead")
    assert [label for label, _names in _groups(lead)] == ["区直部门", "镇（街道）"]


def test_the_appeal_filters_list_townships_in_pinyin_order(actors: Actors) -> None:
    create_unit(code="A0", name="安平街道", kind=UnitKind.TOWNSHIP, parent=actors.district, actor=None)
    page = client_for(actors.dispatcher).get(reverse("appeals:list")).content.decode()
    township = _select(page, "township")
    assert re.findall(r"<option[^>]*>([^<]*)</option>", township)[1:] == ["安平街道", "海城镇", "青山镇"]
