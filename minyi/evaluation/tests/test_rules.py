"""The rules of evaluation forms: building, opening and closing, codes, online and paper answers, and
every bad input refused with a clear message and nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from minyi.appeals.choices import Channel
from minyi.appeals.models import Appeal
from minyi.audit.models import AuditEvent
from minyi.evaluation import rules
from minyi.evaluation.choices import FormState, Source
from minyi.evaluation.models import AnswerCode, EvaluationForm, FormComment, Response, Score
from minyi.evaluation.rules import AnswerInput
from minyi.evaluation.tests.conftest import CRITERIA, Setup, definition
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _nothing_stored() -> None:
    assert Response.objects.count() == 0
    assert Score.objects.count() == 0
    assert FormComment.objects.count() == 0
    assert not Appeal.objects.filter(channel=Channel.EVALUATION).exists()


def test_dispatcher_builds_a_form_with_ordered_criteria_and_named_scale(actors: Actors) -> None:
    form = rules.create_form(definition(actors), actor=actors.dispatcher)
    assert form.state == FormState.DRAFT
    assert [c.text for c in form.criteria.all()] == CRITERIA
    assert form.scale == [(1, "很不满意"), (2, "不满意"), (3, "基本满意"), (4, "满意"), (5, "很满意")]
    assert AuditEvent.objects.filter(action="evaluation.form_created", actor=actors.dispatcher).exists()
    changed = rules.update_form(
        form, definition(actors, criteria=["廉洁自律"], scale_labels=[]), actor=actors.dispatcher
    )
    assert [c.text for c in changed.criteria.all()] == ["廉洁自律"]
    assert changed.scale[0] == (1, "1")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": " "}, "title", "Give the form a title."),
        ({"units": []}, "units", "Choose at least one unit"),
        ({"criteria": ["", " "]}, "criteria", "at least one criterion"),
        ({"criteria": ["作风", "作风"]}, "criteria", "only once"),
        ({"scale_min": 5, "scale_max": 1}, "scale_max", "above the lowest"),
        ({"scale_labels": ["好", "坏"]}, "scale_labels", "Name every score"),
        ({"scale_max": 20, "scale_labels": []}, "scale_max", "at most 11 points"),
    ],
)
def test_a_bad_definition_is_refused_and_nothing_is_saved(
    actors: Actors, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.create_form(definition(actors, **changes), actor=actors.dispatcher)
    assert message in " ".join(caught.value.message_dict[field])
    assert not EvaluationForm.objects.exists()


def test_closing_before_opening_is_refused(actors: Actors) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        rules.create_form(
            definition(actors, opens_on=today, closes_on=today - timedelta(days=1)), actor=actors.dispatcher
        )
    assert "close on or after" in caught.value.message_dict["closes_on"][0]


def test_only_the_office_builds_forms(actors: Actors) -> None:
    for user in (actors.handler_edu, actors.head_edu, actors.leader, actors.cadre):
        with pytest.raises(PermissionDenied):
            rules.create_form(definition(actors), actor=user)
    assert not EvaluationForm.objects.exists()


def test_an_open_form_cannot_be_changed(setup: Setup) -> None:
    with pytest.raises(ValidationError, match="Only a draft form"):
        rules.update_form(setup.form, definition(setup.actors, title="改"), actor=setup.actors.dispatcher)


def test_codes_are_stored_only_as_hashes(setup: Setup) -> None:
    codes = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=30)
    assert len(set(codes)) == 30
    stored = set(AnswerCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 30
    for code in codes:
        assert code not in stored and rules.hash_code(code) in stored
        assert rules.hash_code(rules.printed(code).lower()) == rules.hash_code(code)  # as typed from a slip
    event = AuditEvent.objects.get(action="evaluation.codes_generated")
    assert event.detail["count"] == 30 and not any(code in str(event.detail) for code in codes)


def test_code_count_outside_the_limits_is_refused(setup: Setup) -> None:
    for count in (0, rules.MAX_CODES + 1):
        with pytest.raises(ValidationError, match="between 1 and"):
            rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=count)
    assert not AnswerCode.objects.exists()


def test_online_answer_with_a_code_stores_scores_and_uses_the_code(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    assert rules.form_for_code(code) == setup.form
    rules.submit_answer(code, AnswerInput(setup.rating(5, 4, 3), {setup.actors.town.pk: "希望多下村听意见"}))
    response = Response.objects.get()
    assert response.source == Source.ONLINE
    assert sorted(Score.objects.values_list("value", flat=True)) == [3, 4, 5]
    assert AnswerCode.objects.get().used
    comment = FormComment.objects.get()
    appeal = comment.appeal
    assert appeal.channel == Channel.EVALUATION and appeal.body == "希望多下村听意见"
    assert appeal.citizen_name == "" and appeal.citizen_phone == "" and appeal.recorded_by is None
    assert appeal.township == setup.actors.town and comment.unit == setup.actors.town
    event = AuditEvent.objects.get(action="evaluation.answer_received")
    assert event.actor is None and event.ip is None and event.object_id == str(setup.form.pk)


def test_a_used_code_is_refused_the_second_time(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    rules.submit_answer(code, AnswerInput(setup.rating(5, 5, 5)))
    with pytest.raises(ValidationError, match="already been used"):
        rules.submit_answer(code, AnswerInput(setup.rating(1, 1, 1)))
    with pytest.raises(ValidationError, match="already been used"):
        rules.form_for_code(code)
    assert Response.objects.count() == 1


def test_an_unknown_code_is_refused(setup: Setup) -> None:
    rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=3)
    for code in ("ABCDE-FGHJK", "123"):
        with pytest.raises(ValidationError) as caught:
            rules.submit_answer(code, AnswerInput(setup.rating(5, 5, 5)))
        assert caught.value.code == "unknown"
    _nothing_stored()


def test_a_score_outside_the_scale_is_refused_and_nothing_is_stored(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    with pytest.raises(ValidationError) as caught:
        rules.submit_answer(code, AnswerInput(setup.rating(5, 6, 0), {setup.actors.town.pk: "意见"}))
    text = " ".join(caught.value.messages)
    assert "6 is outside the scale 1–5" in text and "0 is outside the scale 1–5" in text
    _nothing_stored()
    assert not AnswerCode.objects.get().used  # the code still works for a corrected answer


def test_every_criterion_of_a_rated_unit_is_needed(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    partial = {setup.actors.town.pk: {setup.criteria[0]: 4}}
    with pytest.raises(ValidationError, match="rate every criterion, or none"):
        rules.submit_answer(code, AnswerInput(partial))
    with pytest.raises(ValidationError, match="Rate at least one unit"):
        rules.submit_answer(code, AnswerInput({}))
    with pytest.raises(ValidationError, match="does not evaluate that unit"):
        rules.submit_answer(code, AnswerInput(setup.rating(3, 3, 3, unit=setup.actors.edu.pk)))
    _nothing_stored()


def test_a_closed_form_takes_no_answers_and_its_codes_expire(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    setup.form = rules.close_form(setup.form, actor=setup.actors.dispatcher)
    with pytest.raises(ValidationError) as caught:
        rules.submit_answer(code, AnswerInput(setup.rating(4, 4, 4)))
    assert caught.value.code == "closed" and "closed" in caught.value.messages[0]
    with pytest.raises(ValidationError, match="Paper forms can be added only while the form is open"):
        rules.record_paper_answers(
            setup.form, [AnswerInput(setup.rating(4, 4, 4))], actor=setup.actors.dispatcher
        )
    with pytest.raises(ValidationError, match="closed"):
        rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    _nothing_stored()


def test_a_form_past_its_closing_day_takes_no_online_answers(setup: Setup) -> None:
    [code] = rules.generate_codes(setup.form, actor=setup.actors.dispatcher, count=1)
    EvaluationForm.objects.filter(pk=setup.form.pk).update(
        opens_on=timezone.localdate() - timedelta(days=9), closes_on=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="answers were accepted until"):
        rules.submit_answer(code, AnswerInput(setup.rating(4, 4, 4)))
    _nothing_stored()


def test_a_draft_form_takes_no_answers(actors: Actors) -> None:
    form = rules.create_form(definition(actors), actor=actors.dispatcher)
    [code] = rules.generate_codes(form, actor=actors.dispatcher, count=1)
    with pytest.raises(ValidationError, match="not open yet"):
        rules.form_for_code(code)


def test_paper_answers_are_stored_all_or_none(setup: Setup) -> None:
    good = AnswerInput(setup.rating(4, 4, 5), {setup.actors.town.pk: "路灯不亮"})
    bad = AnswerInput(setup.rating(4, 9, 5))
    with pytest.raises(ValidationError, match="9 is outside the scale"):
        rules.record_paper_answers(setup.form, [good, bad], actor=setup.actors.dispatcher)
    _nothing_stored()
    assert rules.record_paper_answers(setup.form, [good, good], actor=setup.actors.dispatcher) == (2, 2)
    assert set(Response.objects.values_list("source", flat=True)) == {Source.PAPER}
    assert Appeal.objects.filter(channel=Channel.EVALUATION).count() == 2
    with pytest.raises(PermissionDenied):
        rules.record_paper_answers(setup.form, [good], actor=setup.actors.handler_edu)
