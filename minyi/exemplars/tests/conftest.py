"""A hand-counted role-model library on top of the study fixture (minyi/study/tests/conftest.py).

Campaign STUDY26 runs 2026-10-01 … 2026-12-31; "today" is 2026-11-29 for the showings.
- 焦裕禄 (national): compilation ×100, picture exhibition ×2 sets — exhibition shown at 海城镇 (town)
  10-12 to 300, at 青山镇 (other town) 11-02 to 200, at 海城镇 (town) 10-25 to 0 people.
- 杨善洲 (national): film ×10 — shown at 东村 (village) 11-20 to 80, at 礼堂 (no unit) 09-20 to 40.
- 谷文昌 (provincial): no material.
- 林秀英 (close to home, 海城镇东村): compilation ×50.
Links: the lecture tour ← 焦裕禄 and 林秀英; the discussion ← 杨善洲; the report (no campaign) ← 谷文昌.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from minyi.exemplars import rules
from minyi.exemplars.choices import Level, MaterialKind
from minyi.exemplars.models import Exemplar, ExemplarMaterial
from minyi.study.tests.conftest import Study, build_study
from minyi.testing import Actors

TODAY = dt.date(2026, 11, 29)


@dataclass
class Library:
    study: Study
    jiao: Exemplar
    yang: Exemplar
    gu: Exemplar
    lin: Exemplar
    exhibition: ExemplarMaterial
    film: ExemplarMaterial

    @property
    def actors(self) -> Actors:
        return self.study.actors


def build_library(actors: Actors) -> Library:
    study = build_study(actors)
    a = actors

    def model(name: str, level: str, place: str = "") -> Exemplar:
        return rules.create_exemplar(
            name=name, level=level, known_for=f"{name}的事迹", place=place, actor=None
        )

    jiao = model("焦裕禄", Level.NATIONAL, "河南省兰考县")
    yang = model("杨善洲", Level.NATIONAL, "云南省保山市")
    gu = model("谷文昌", Level.PROVINCIAL, "福建省东山县")
    lin = model("林秀英", Level.CLOSE_TO_HOME, "海城镇东村")
    rules.add_material(
        jiao, kind=MaterialKind.COMPILATION, title="焦裕禄精神学习读本", copies=100, actor=None
    )
    exhibition = rules.add_material(
        jiao, kind=MaterialKind.EXHIBITION, title="焦裕禄同志事迹图片展", copies=2, actor=None
    )
    film = rules.add_material(yang, kind=MaterialKind.FILM, title="专题片《杨善洲》", copies=10, actor=None)
    rules.add_material(lin, kind=MaterialKind.COMPILATION, title="林秀英调解故事", copies=50, actor=None)

    def show(material: ExemplarMaterial, place: str, day: str, audience: int, unit: object = None) -> None:
        rules.record_showing(
            material, place=place, unit=unit, shown_on=dt.date.fromisoformat(day), audience=audience,  # type: ignore[arg-type]
            actor=None, today=TODAY,
        )  # fmt: skip

    show(exhibition, "海城镇", "2026-10-12", 300, a.town)
    show(exhibition, "青山镇", "2026-11-02", 200, a.other_town)
    show(exhibition, "海城镇", "2026-10-25", 0, a.town)
    show(film, "东村", "2026-11-20", 80, a.village)
    show(film, "礼堂", "2026-09-20", 40)
    rules.link_activity(study.tour, jiao, actor=None)
    rules.link_activity(study.tour, lin, actor=None)
    rules.link_activity(study.discussion, yang, actor=None)
    rules.link_activity(study.report, gu, actor=None)
    return Library(study, jiao, yang, gu, lin, exhibition, film)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English (the site's first language is Chinese; their translations
    come later, from the i18n merge)."""
    with translation.override("en"):
        yield


@pytest.fixture
def library(actors: Actors) -> Library:
    return build_library(actors)
