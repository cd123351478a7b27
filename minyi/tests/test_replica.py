"""The read replica (minyi/replica.py): read-only pages read from it, a read after a write and every
form's POST stay on the primary, and no page recounts a summary from it.

The replica here is a second connection to the test database (committed rows, ``transaction=True``),
added for the test's duration as a deployment with REPLICA_DATABASE_URL has it; the queries each
connection ran are counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.org.models import Unit
from minyi.replica import REPLICA, replica_reads
from minyi.reports.models import StaleAppealDay
from minyi.testing import Actors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def replica() -> Iterator[CaptureQueriesContext]:
    connections.settings[REPLICA] = dict(connections["default"].settings_dict)
    # Connected here, past the test case's guard against databases it was not told of (the alias did
    # not exist when the test case was made).
    connections[REPLICA].connect()
    try:
        with CaptureQueriesContext(connections[REPLICA]) as queries:
            yield queries
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _submit(actors: Actors) -> None:
    appeal_rules.submit(
        channel=Channel.HOTLINE, kind=Kind.HELP, title="路灯不亮", body="村口路灯坏了", village=actors.village
    )


def test_dashboards_and_the_echo_wall_read_from_the_replica(
    actors: Actors, replica: CaptureQueriesContext
) -> None:
    leader = _client(actors.leader)
    for url in ("/reports/", "/kpi/", "/echo/"):
        before = len(replica)
        assert leader.get(url).status_code == 200, url
        assert len(replica) > before, f"{url} read nothing from the replica"


def test_pages_that_write_or_act_read_from_the_primary(
    actors: Actors, replica: CaptureQueriesContext
) -> None:
    _submit(actors)
    dispatcher = _client(actors.dispatcher)
    assert dispatcher.get("/appeals/").status_code == 200
    assert dispatcher.get("/").status_code == 200
    assert len(replica) == 0


def test_a_read_after_a_write_goes_to_the_primary(actors: Actors, replica: CaptureQueriesContext) -> None:
    with replica_reads():
        assert Unit.objects.filter(pk=actors.town.pk).exists()
        assert len(replica) == 1
        StaleAppealDay.objects.create(day=None)  # a write: what follows must see it
        assert StaleAppealDay.objects.filter(day=None).exists()
        assert Unit.objects.filter(pk=actors.town.pk).exists()
    assert len(replica) == 1


def test_a_page_on_the_replica_never_recounts_the_summary(
    actors: Actors, replica: CaptureQueriesContext
) -> None:
    _submit(actors)  # marks its day stale
    assert StaleAppealDay.objects.exists()
    assert _client(actors.leader).get("/reports/").status_code == 200
    assert StaleAppealDay.objects.exists(), "the page recounted (and wrote) from the replica's rows"
    writes = ("INSERT", "UPDATE", "DELETE")
    assert not any(query["sql"].lstrip().upper().startswith(writes) for query in replica)
