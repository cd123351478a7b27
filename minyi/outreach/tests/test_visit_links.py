"""A visit's page links the appeal made of a difficulty only for a reader who may open it: the cadre who
made it sees its number and state, without a link that would answer 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minyi.outreach import rules
from minyi.outreach.rules import DifficultyInput
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_the_cadre_sees_the_appeal_number_without_a_dead_link(actors: Actors, client: Client) -> None:
    visit = rules.record_visit(
        actor=actors.cadre,
        visited_on=timezone.localdate() - timedelta(days=1),
        village=actors.village,
        difficulties=[DifficultyInput("村道路灯不亮")],
    )
    appeal = rules.make_appeal(visit.difficulties.get(), actor=actors.cadre)
    assert appeal.number is not None
    client.force_login(actors.cadre)
    page = client.get(reverse("outreach:visit", args=[visit.pk])).content.decode()
    assert appeal.number in page
    links = re.findall(r'href="([^"]+)"', page)
    for href in links:
        if href.startswith("/") and appeal.number in href:
            raise AssertionError(f"a link the cadre may not open: {href}")
    assert client.get(reverse("appeals:detail", args=[appeal.number])).status_code in (403, 404)
    client.force_login(actors.dispatcher)
    answer = client.get(reverse("outreach:visit", args=[visit.pk]))
    if answer.status_code == 200:
        url = reverse("appeals:detail", args=[appeal.number])
        assert f'href="{url}"' in answer.content.decode()
        assert client.get(url).status_code == 200
