"""Anonymous by construction (issue 7): after answers through the public page (with codes, one of them
by a logged-in staff member) and through the Excel import, no stored value of any row the app writes —
nor of the comment appeals and the audit rows written meanwhile — holds a code, the submitter's user,
their session key or their address; and the schema has no link that could hold one."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client

from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal, AppealEvent
from minyi.audit.models import AuditEvent
from minyi.evaluation import rules
from minyi.evaluation.models import AnswerCode, FormComment, Response, Score
from minyi.evaluation.tests.conftest import Setup
from minyi.evaluation.tests.helpers import answer_online, workbook
from minyi.org.models import Person

pytestmark = pytest.mark.django_db

CITIZEN_IP = "203.0.113.77"
STAFF_IP = "198.51.100.23"


def _values(row: models.Model) -> list[tuple[models.Field[Any, Any], Any]]:
    return [(field, getattr(row, field.attname)) for field in row._meta.concrete_fields]


def test_nothing_stored_links_an_answer_to_a_person_or_a_code(setup: Setup) -> None:
    actors = setup.actors
    town, other = actors.town.pk, actors.other_town.pk
    codes = rules.generate_codes(setup.form, actor=actors.dispatcher, count=4)
    audit_before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    citizen = Client(REMOTE_ADDR=CITIZEN_IP)
    for code, comment in ((codes[0], "希望干部多下村"), (codes[1], "")):
        scores = {town: [5, 4, 4], other: [3, 3, 2]}
        response = answer_online(
            citizen, setup.form, rules.printed(code), scores, {town: comment} if comment else None
        )
        assert response.status_code == 302
    # A staff member may be a citizen too: logged in, they answer with a paper code like anyone else.
    staff = Client(REMOTE_ADDR=STAFF_IP)
    staff.force_login(actors.member)
    staff_session = staff.session.session_key
    response = answer_online(staff, setup.form, codes[2], {other: [2, 2, 1]}, {other: "青山镇办事拖拉"})
    assert response.status_code == 302
    assert "sessionid" not in citizen.cookies  # the public page keeps no session

    importer = Client(REMOTE_ADDR=STAFF_IP)
    importer.force_login(actors.dispatcher)
    upload = workbook(setup.form, [["海城镇", 4, 4, 5, "路灯不亮"], ["青山镇", "满意", 3, 3, ""]])
    assert importer.post(f"/evaluation/{setup.form.pk}/import/", {"file": upload}).status_code == 200

    assert Response.objects.count() == 5
    appeals = list(Appeal.objects.filter(channel=Channel.EVALUATION))
    assert len(appeals) == 3
    secrets = [code for code in codes[:3]] + [rules.printed(code) for code in codes[:3]]
    secrets += [CITIZEN_IP, staff_session or "no-session", actors.member.username]
    secrets += [Person.objects.get(user=actors.member).name]
    rows: list[models.Model] = []
    for model in apps.get_app_config("evaluation").get_models():
        rows.extend(model._default_manager.all())
    rows.extend(appeals)
    rows.extend(AppealEvent.objects.filter(appeal__in=appeals))
    answer_audits = list(AuditEvent.objects.filter(id__gt=audit_before).exclude(actor=actors.dispatcher))
    assert answer_audits  # the received answers and the comment appeals are audited …
    rows.extend(answer_audits)
    for row in rows:
        for field, value in _values(row):
            text = str(value)
            for secret in secrets:
                assert secret not in text, f"{row._meta.label}.{field.name} holds {secret!r}"
            if field.is_relation and field.related_model is User:
                assert value != actors.member.pk, f"{row._meta.label}.{field.name} names the submitter"
    for event in answer_audits:  # … without who or from where
        assert event.actor_id is None and event.ip is None
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert not any(code in decoded or rules.printed(code) in decoded for code in codes)


@pytest.mark.parametrize("model", [Response, Score, FormComment, AnswerCode])
def test_no_link_from_answers_to_people_codes_or_time(model: type[models.Model]) -> None:
    forbidden = {User, Person, AnswerCode, Response} - ({model} | ({Response} if model is Score else set()))
    for field in model._meta.get_fields():
        if field.is_relation and field.related_model is not None:
            assert field.related_model not in forbidden, (
                f"{model.__name__}.{field.name} links to {field.related_model}"
            )
    if model in (Response, Score, AnswerCode, FormComment):
        assert not [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.DateField, models.GenericIPAddressField))
        ]
        assert isinstance(model._meta.pk, models.UUIDField) or model is AnswerCode


def test_the_comment_appeal_has_no_link_to_the_answer() -> None:
    for field in Appeal._meta.get_fields():
        if field.is_relation:
            assert field.related_model not in (Response, Score), field.name
    assert not [
        f for f in FormComment._meta.get_fields() if f.is_relation and f.related_model in (Response, Score)
    ]
