"""The home page's menu through HTTP: each role gets the sections and links its permissions and role
allow, in the same order, and nothing more."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from minyi.testing import Actors

pytestmark = pytest.mark.django_db

APPEALS = ["/appeals/"]
INTAKE = ["/appeals/intake/new/", "/appeals/intake/import/"]
REPORTS = ["/reports/", "/reports/bulletin/"]
OVERSIGHT_WORK = ["/kpi/", "/supervision/", *REPORTS, "/insight/hotspots/"]
VISITS = ["/outreach/visits/new/", "/outreach/visits/", "/study/offline/", "/outreach/pairings/mine/"]
COVERAGE = ["/outreach/coverage/", "/evaluation/", "/outreach/pairings/"]
LAST = ["/symposia/", "/assistance/"]
CHECKLISTS = "/outreach/checklists/"  # the campaign office renames the five ones per campaign
STUDY = ["/study/", "/study/branches/", "/study/summary/", "/exemplars/"]
ORG = ["/org/units/", "/org/people/", "/org/households/"]
UNIT_STAFF = {"诉求": [*APPEALS, "/ledger/", "/supervision/", "/assistance/"], "组织机构": ORG}


def _menu(client: Client, user: User) -> dict[str, list[str]]:
    """The home page's sections, each with the addresses of its links in the order shown."""
    client.force_login(user)
    page = client.get("/").content.decode()
    sections = re.findall(r'<h2 id="sec-\d+">(.*?)</h2>\s*<ul class="links">(.*?)</ul>', page, re.S)
    return {title: re.findall(r'<a href="([^"]+)">', links) for title, links in sections}


def test_each_role_sees_the_links_of_its_work(client: Client, actors: Actors) -> None:
    expected: dict[str, dict[str, list[str]]] = {
        "operator": {"诉求": [*APPEALS, *INTAKE, "/ledger/", "/supervision/", *LAST], "组织机构": ORG},
        "dispatcher": {
            "诉求": [*APPEALS, *INTAKE, "/ledger/", *OVERSIGHT_WORK, *COVERAGE, CHECKLISTS, *LAST],
            "学习教育": [*STUDY, "/partybuilding/", "/study/offline/"],
            "组织机构": ORG,
        },
        "handler_edu": UNIT_STAFF,
        "town_handler": UNIT_STAFF,
        "outsider": UNIT_STAFF,
        "head_edu": {
            "诉求": [*APPEALS, "/ledger/", "/kpi/", "/supervision/", *REPORTS, *COVERAGE, *LAST],
            "学习教育": ["/partybuilding/"],
            "组织机构": ORG,
        },
        "leader": {
            "诉求": [*APPEALS, "/ledger/", *OVERSIGHT_WORK, *VISITS, *COVERAGE, *LAST],
            "学习教育": [*STUDY, "/partybuilding/", "/study/offline/"],
            "组织机构": ORG,
        },
        "cadre": {
            "诉求": [*APPEALS, *INTAKE, "/ledger/", "/supervision/", *VISITS, *LAST],
            "学习教育": [*STUDY, "/study/offline/"],
            "组织机构": ORG,
        },
        "member": {"学习教育": ["/study/check-in/", "/study/offline/"], "组织机构": ["/org/units/"]},
        "auditor": {
            "诉求": [*APPEALS, "/ledger/", *OVERSIGHT_WORK, *COVERAGE, *LAST],
            "学习教育": [*STUDY, "/partybuilding/"],
            "组织机构": ORG,
            "监督": ["/audit/"],
        },
        "admin": {
            "学习教育": STUDY,
            "组织机构": [*ORG, "/org/import/"],
            "监督": ["/insight/classifier/", "/reports/boundaries/", "/admin/"],
        },
        "nobody": {},
    }
    for name, menu in expected.items():
        assert _menu(client, getattr(actors, name)) == menu, name


def test_a_superuser_sees_every_link_in_its_place(client: Client, actors: Actors) -> None:
    root = User.objects.create_superuser("root", "root@example.com", "root-pass-123")
    assert _menu(client, root) == {
        "诉求": [*APPEALS, *INTAKE, "/ledger/", *OVERSIGHT_WORK, *VISITS, *COVERAGE, CHECKLISTS, *LAST],
        "学习教育": [*STUDY, "/partybuilding/"],
        "组织机构": [*ORG, "/org/import/"],
        "监督": ["/audit/", "/insight/classifier/", "/reports/boundaries/", "/admin/"],
    }
