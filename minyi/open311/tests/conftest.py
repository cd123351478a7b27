"""Fixtures of the Open311 tests: a small public category tree, attributes, and a client's API key."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from minyi.appeals.models import Category
from minyi.open311 import keys
from minyi.open311.choices import Datatype
from minyi.open311.models import Open311Key, ServiceAttribute
from minyi.testing import Actors

BASE = "/open311/v2"


@dataclass
class Services:
    group: Category  # 城乡建设 (public, but not a leaf: no service of its own)
    light: Category  # 路灯照明, public leaf without attributes
    road: Category  # 道路破损, public leaf with attributes
    hidden: Category  # 低保申请, not offered to external clients
    key: Open311Key
    raw_key: str


@pytest.fixture
def services(actors: Actors) -> Services:
    group = Category.objects.create(code="CITY", name="城乡建设", is_public=True, default_unit=actors.housing)
    light = Category.objects.create(code="LIGHT", name="路灯照明", parent=group, level=2, is_public=True)
    road = Category.objects.create(code="ROAD", name="道路破损", parent=group, level=2, is_public=True)
    hidden = Category.objects.create(code="DIBAO", name="低保申请", level=1)
    ServiceAttribute.objects.create(
        category=road, code="SIZE", description="坑有多大？", datatype=Datatype.SINGLEVALUELIST,
        required=True, order=1, values=[{"key": "S", "name": "小"}, {"key": "L", "name": "大"}],
    )  # fmt: skip
    ServiceAttribute.objects.create(
        category=road, code="DEPTH", description="深度（厘米）", datatype=Datatype.NUMBER, order=2
    )
    key, raw = keys.create_key("街道随手拍")
    return Services(group=group, light=light, road=road, hidden=hidden, key=key, raw_key=raw)
