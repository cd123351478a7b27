"""Fixtures of the evaluation tests: a form about two townships with three criteria on a 1–5 scale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from minyi.evaluation import rules
from minyi.evaluation.models import EvaluationForm
from minyi.testing import Actors

CRITERIA = ["工作作风", "办事效率", "服务态度"]
LABELS = ["很不满意", "不满意", "基本满意", "满意", "很满意"]


@dataclass
class Setup:
    actors: Actors
    form: EvaluationForm

    @property
    def criteria(self) -> list[int]:
        return [c.pk for c in self.form.criteria.all()]

    def rating(self, *values: int, unit: int | None = None) -> dict[int, dict[int, int]]:
        """Scores for one unit (the town by default), one per criterion in order."""
        return {unit or self.actors.town.pk: dict(zip(self.criteria, values, strict=True))}


def definition(actors: Actors, **changes: object) -> rules.Definition:
    today = timezone.localdate()
    data: dict[str, object] = {
        "title": "群众满意度测评",
        "units": [actors.town, actors.other_town],
        "criteria": CRITERIA,
        "scale_min": 1,
        "scale_max": 5,
        "scale_labels": LABELS,
        "opens_on": today - timedelta(days=1),
        "closes_on": today + timedelta(days=10),
    }
    data.update(changes)
    return rules.Definition(**data)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with no wrong codes counted against its client (the cache outlives a test)."""
    cache.clear()


@pytest.fixture
def setup(actors: Actors) -> Setup:
    form = rules.create_form(definition(actors), actor=actors.dispatcher)
    rules.open_form(form, actor=actors.dispatcher)
    form.refresh_from_db()
    return Setup(actors=actors, form=form)
