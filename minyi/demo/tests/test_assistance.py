"""The demo assistance: made through the rules, across all seven types and every township, most parts
delivered with evidence, and loaded only once."""

from __future__ import annotations

from typing import Any

import pytest

from minyi.assistance.choices import AssistanceType, PartState
from minyi.assistance.models import Case, CasePart, Delivery
from minyi.assistance.rules import stale_cases
from minyi.audit.models import AuditEvent
from minyi.demo import assistance as demo
from minyi.org.choices import UnitKind
from minyi.org.models import Household
from minyi.org.rules import create_unit
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_every_type_and_township_and_load_once(
    actors: Actors, settings: Any, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    for code, name in (("MZ", "区民政局"), ("YB", "区医疗保障局"), ("WJ", "区卫生健康局"), ("JY", "区教育局"),
                       ("RS", "区人社局"), ("ZJ", "区住建局2"), ("SF", "区司法局")):  # fmt: skip
        create_unit(code=code, name=name, kind=UnitKind.DEPARTMENT, parent=actors.district, actor=None)
    for village in (actors.village, actors.village2, actors.other_village):
        for i in range(5):
            Household.objects.get_or_create(
                code=f"{village.code}-D{i}", village=village, defaults={"head_name": "户主"}
            )
    made = demo.seed(None, cases=70)
    assert made["cases"] == Case.objects.count() == 70
    assert set(CasePart.objects.values_list("type", flat=True)) == set(AssistanceType.values)
    assert set(Case.objects.values_list("township__code", flat=True)) == {"T1", "T2"}
    parts = CasePart.objects.count()
    delivered = CasePart.objects.filter(state=PartState.DELIVERED).count()
    assert made["parts"] == parts and delivered == made["delivered"] and delivered > parts / 2
    assert Delivery.objects.count() == delivered
    assert made["repeats"] >= 1 and CasePart.objects.filter(repeat_confirmed=True).count() == made["repeats"]
    assert AuditEvent.objects.filter(action="assistance.case_opened").count() == 70
    assert stale_cases().exists()
    assert demo.seed(None) == {}
