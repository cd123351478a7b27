"""The audit trail: append-only from the application and the database, readable by auditors."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from minyi.audit.models import AuditEvent, AuditImmutableError
from minyi.audit.rules import record
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(actors: Actors) -> None:
    event = record("test.thing", actor=actors.dispatcher)
    event.action = "test.other"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_database_refuses_an_update_from_any_client(actors: Actors) -> None:
    event = record("test.thing", actor=actors.dispatcher)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing"


def test_auditor_reads_and_filters_the_trail(client: Client, actors: Actors) -> None:
    record("org.import", actor=actors.admin, detail={"units": 3})
    record("personal_data.view", actor=actors.head_edu, subject="钱**")
    client.force_login(actors.auditor)
    page = client.get("/audit/", {"action": "personal_data"}).content.decode()
    assert "personal_data.view" in page
    assert "钱**" in page
    assert "org.import" not in page


def test_bad_filter_dates_get_a_clear_message(client: Client, actors: Actors) -> None:
    client.force_login(actors.auditor)
    page = client.get("/audit/", {"date_from": "2026-05-02", "date_to": "2026-05-01"}).content.decode()
    assert "开始日期晚于结束日期" in page


def test_only_auditors_read_the_trail(client: Client, actors: Actors) -> None:
    client.force_login(actors.admin)
    assert client.get("/audit/").status_code == 403


def test_the_trail_names_a_household_without_its_heads_full_name(actors: Actors) -> None:
    event = record("org.household_viewed", actor=actors.operator, obj=actors.household)
    assert event.object_repr.startswith(actors.household.code)
    assert actors.household.head_name not in event.object_repr  # masked: the trail is read widely
