"""The demo appeals: every state of the loop, made by the rule functions themselves."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from minyi.appeals.choices import State
from minyi.appeals.models import Appeal, Category
from minyi.appeals.rules import due_filter

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]  # seeded once: conftest.py


def test_seed_demo_puts_appeals_in_every_state_with_suggested_units(seeded: str) -> None:
    states = set(Appeal.objects.values_list("state", flat=True))
    assert states == {State.RECEIVED, State.DISPATCHED, State.IN_PROGRESS, State.REPLIED, State.CLOSED,
                      State.REOPENED, State.REJECTED, State.MERGED}  # fmt: skip
    assert Appeal.objects.filter(due_filter("overdue")).exists()
    assert Category.objects.filter(level=1, default_unit__code="ZJ", name="城乡建设").exists()
    assert Appeal.objects.filter(echo__isnull=False).exists()
    loaded = Appeal.objects.count()
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=StringIO())  # a second run adds nothing
    assert Appeal.objects.count() == loaded


def test_the_demo_offers_a_handful_of_leaf_categories_to_open311_clients(seeded: str, client) -> None:
    services = client.get("/open311/v2/services.json").json()
    names = {service["service_name"] for service in services}
    assert {"市政设施", "噪声扰民", "道路与桥梁"} <= names and 4 <= len(services) <= 10
    assert all(service["type"] == "realtime" and service["group"] for service in services)
    # The admin's choice stands: once they offer other categories, a new run offers nothing more.
    Category.objects.filter(is_public=True).update(is_public=False)
    Category.objects.filter(name="低保与救助").update(is_public=True)
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=StringIO())
    assert [s["service_name"] for s in client.get("/open311/v2/services.json").json()] == ["低保与救助"]
