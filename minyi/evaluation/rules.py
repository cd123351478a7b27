"""The rules of evaluation forms (民主评议表): every change goes through one function here.

Anonymous by construction (背靠背) — what is stored, and why nothing links an answer to a person:

* One-time codes are printed on paper slips and handed out by hand. ``AnswerCode`` keeps only a keyed
  hash of each code (HMAC-SHA256 with the deployment's SECRET_KEY, so a copy of the database alone
  cannot test guesses) and a ``used`` flag: no time of use and no link to the answer. The codes in
  clear exist once, in the page (and CSV) shown to the office right after ``generate_codes``.
* Redeeming a code marks it used in the same transaction that stores the answer, and then the code is
  forgotten: ``Response`` and ``Score`` hold no user, no code, no address, no session and no time, and
  their keys are random UUIDs, so neither their keys nor their columns tell when or in which order
  answers came.
* A written comment becomes an appeal (channel ``evaluation``, kind suggestion) with the text only: no
  name, no phone, no recording user. ``FormComment`` links the appeal to the form and the unit it is
  about, never to the answer (there is no foreign key either way).
* Audit: "an answer was received for form X" is recorded against the form, with no actor and no client
  address (the request context is blanked while the answer and its comments are stored, so neither our
  audit row nor the appeal's own audit row carries the citizen's IP). Staff actions are audited as usual.
* Paper forms typed in from Excel are shuffled before they are written, so the order of rows in the
  file (the pile of paper) is not the order of the stored answers or of the comment appeals.

Residual correlation (documented, not removable at this level): a comment appeal has a received time,
as every appeal must, so it tells when *some* answer with a comment came for the form; and the database
itself keeps physical row order and, on PostgreSQL, the transaction id of each row version (xmin), which
a database administrator could use to pair a used code row with the answer rows written in the same
transaction. The codes are handed out anonymously on paper, so even that pairing does not reach a person
unless the office writes down who received which code (it should not).

Results are shown only for groups of at least ``MIN_GROUP`` answers, and only once the form is closed
(see results.py), so that watching the figures before and after one person answers reveals nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.rules import QUERY_ALPHABET
from minyi.audit.context import RequestContext, current
from minyi.audit.rules import record
from minyi.evaluation.access import EvaluationPerm
from minyi.evaluation.choices import FormState, Source
from minyi.evaluation.models import (
    COMMENT_MAX,
    CRITERION_MAX,
    LABEL_MAX,
    TITLE_MAX,
    AnswerCode,
    Criterion,
    EvaluationForm,
    FormComment,
    Response,
    Score,
)
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import can, in_scope
from minyi.org.rules import Actor

CODE_LENGTH = 10
MAX_CODES = 5000
MAX_CRITERIA = 20
MAX_SCALE_POINTS = 11
MIN_GROUP = 5
_HMAC_SALT = "minyi.evaluation.answer-code"
_APPEAL_TITLE_MAX = 100

#: Ratings of one answer: unit id → criterion id → score.
Ratings = Mapping[int, Mapping[int, int]]


@dataclass(frozen=True)
class AnswerInput:
    """One answer as given: the scores per unit and criterion, and an optional comment per unit."""

    ratings: Ratings
    comments: Mapping[int, str] = field(default_factory=dict)


# --- codes -----------------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """The code as stored before hashing: letters and digits only, upper case (slips print XXXXX-XXXXX)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    """The keyed hash of a code (HMAC-SHA256 with SECRET_KEY): a leaked table alone reveals no code."""
    return salted_hmac(_HMAC_SALT, normalise_code(code), algorithm="sha256").hexdigest()


def printed(code: str) -> str:
    """The code as printed on the slip, in two groups of five."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _new_code() -> str:
    return "".join(secrets.choice(QUERY_ALPHABET) for _ in range(CODE_LENGTH))


# --- helpers ---------------------------------------------------------------------------------------


def _staff(actor: Actor, permission: str, message: str) -> User | None:
    """The acting staff member, or None for the system itself (the demo, commands); PermissionDenied for
    anyone else without ``permission`` (an anonymous visitor included)."""
    if actor is None:
        return None
    if not isinstance(actor, User) or not can(actor, permission):
        raise PermissionDenied(message)
    return actor


@contextmanager
def _anonymous() -> Iterator[None]:
    """Blank the request context (client address) while an answer is stored, so that no audit row
    written meanwhile — ours or the appeals' — records where the answer came from."""
    token = current.set(RequestContext(ip=None, via="anonymous"))
    try:
        yield
    finally:
        current.reset(token)


def _lock(form: EvaluationForm) -> EvaluationForm:
    return EvaluationForm.objects.select_for_update().get(pk=form.pk)


def _clean_lines(values: Iterable[str]) -> list[str]:
    return [value.strip() for value in values if value.strip()]


@dataclass(frozen=True)
class Definition:
    """What the office defines on the form builder."""

    title: str
    units: list[Unit]
    criteria: list[str]
    opens_on: date
    closes_on: date
    scale_min: int = 1
    scale_max: int = 5
    scale_labels: list[str] = field(default_factory=list)
    instructions: str = ""
    campaign: Campaign | None = None


def _check_definition(actor: User | None, definition: Definition) -> tuple[list[str], list[str]]:
    """The cleaned criteria and scale labels, if the definition is whole; ValidationError otherwise."""
    errors: dict[str, str] = {}
    title = definition.title.strip()
    if not title:
        errors["title"] = _("Give the form a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title may have at most %(n)d characters.") % {"n": TITLE_MAX}
    if not definition.units:
        errors["units"] = _("Choose at least one unit to be evaluated.")
    else:
        outside = [unit.name for unit in definition.units if actor is not None and not in_scope(actor, unit)]
        if outside:
            errors["units"] = _("These units lie outside your area of work: %(units)s.") % {
                "units": "、".join(outside)
            }
    criteria = _clean_lines(definition.criteria)
    if not criteria:
        errors["criteria"] = _("Write at least one criterion, one per line.")
    elif len(criteria) > MAX_CRITERIA:
        errors["criteria"] = _("A form may have at most %(n)d criteria.") % {"n": MAX_CRITERIA}
    elif any(len(text) > CRITERION_MAX for text in criteria):
        errors["criteria"] = _("A criterion may have at most %(n)d characters.") % {"n": CRITERION_MAX}
    elif len(set(criteria)) != len(criteria):
        errors["criteria"] = _("Each criterion may appear only once.")
    points = definition.scale_max - definition.scale_min + 1
    labels = _clean_lines(definition.scale_labels)
    if definition.scale_min >= definition.scale_max:
        errors["scale_max"] = _("The highest score must be above the lowest score.")
    elif points > MAX_SCALE_POINTS:
        errors["scale_max"] = _("A scale may have at most %(n)d points.") % {"n": MAX_SCALE_POINTS}
    elif labels and len(labels) != points:
        errors["scale_labels"] = _(
            "Name every score from the lowest to the highest (%(n)d names), or leave the names empty."
        ) % {"n": points}
    elif any(len(label) > LABEL_MAX for label in labels):
        errors["scale_labels"] = _("A score's name may have at most %(n)d characters.") % {"n": LABEL_MAX}
    if definition.opens_on > definition.closes_on:
        errors["closes_on"] = _("The form must close on or after the day it opens.")
    if errors:
        raise ValidationError(errors)
    return criteria, labels


def _write_definition(
    form: EvaluationForm, definition: Definition, criteria: list[str], labels: list[str]
) -> None:
    form.title = definition.title.strip()
    form.instructions = definition.instructions.strip()
    form.scale_min, form.scale_max, form.scale_labels = definition.scale_min, definition.scale_max, labels
    form.opens_on, form.closes_on, form.campaign = (
        definition.opens_on,
        definition.closes_on,
        definition.campaign,
    )
    form.save()
    form.units.set(definition.units)
    form.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(form=form, position=position, text=text) for position, text in enumerate(criteria, start=1)
    )


# --- the office's work -----------------------------------------------------------------------------


@transaction.atomic
def create_form(definition: Definition, *, actor: Actor) -> EvaluationForm:
    """Create a draft form with its units, criteria and scale."""
    user = _staff(actor, EvaluationPerm.ADD_FORM, _("You may not create evaluation forms."))
    criteria, labels = _check_definition(user, definition)
    form = EvaluationForm(created_by=user, opens_on=definition.opens_on, closes_on=definition.closes_on)
    _write_definition(form, definition, criteria, labels)
    record("evaluation.form_created", actor=user, obj=form, detail={"criteria": len(criteria)})
    return form


@transaction.atomic
def update_form(form: EvaluationForm, definition: Definition, *, actor: Actor) -> EvaluationForm:
    """Change a draft form; once open, its questions stay as the first answers saw them."""
    user = _staff(actor, EvaluationPerm.CHANGE_FORM, _("You may not change evaluation forms."))
    form = _lock(form)
    if form.state != FormState.DRAFT:
        raise ValidationError(_("Only a draft form can be changed; this one is already open or closed."))
    criteria, labels = _check_definition(user, definition)
    _write_definition(form, definition, criteria, labels)
    record("evaluation.form_changed", actor=user, obj=form, detail={"criteria": len(criteria)})
    return form


@transaction.atomic
def open_form(form: EvaluationForm, *, actor: Actor) -> EvaluationForm:
    """Open a draft form for answers (online from its opening day, and typed-in paper forms)."""
    user = _staff(actor, EvaluationPerm.CHANGE_FORM, _("You may not open or close evaluation forms."))
    form = _lock(form)
    if form.state != FormState.DRAFT:
        raise ValidationError(_("Only a draft form can be opened."))
    if form.closes_on < timezone.localdate():
        raise ValidationError(_("The closing day has passed: change the dates before opening the form."))
    form.state = FormState.OPEN
    form.save(update_fields=["state"])
    record("evaluation.form_opened", actor=user, obj=form)
    return form


@transaction.atomic
def close_form(form: EvaluationForm, *, actor: Actor) -> EvaluationForm:
    """Close an open form: no more answers, unused codes expire, and the results can be seen."""
    user = _staff(actor, EvaluationPerm.CHANGE_FORM, _("You may not open or close evaluation forms."))
    form = _lock(form)
    if form.state != FormState.OPEN:
        raise ValidationError(_("Only an open form can be closed."))
    form.state = FormState.CLOSED
    form.save(update_fields=["state"])
    record("evaluation.form_closed", actor=user, obj=form, detail={"answers": form.responses.count()})
    return form


@transaction.atomic
def generate_codes(form: EvaluationForm, *, actor: Actor, count: int) -> list[str]:
    """Make ``count`` one-time codes for printing; returns them in clear (the only time they exist so),
    stores their hashes only."""
    user = _staff(actor, EvaluationPerm.CHANGE_FORM, _("You may not make answer codes."))
    form = _lock(form)
    if form.state == FormState.CLOSED:
        raise ValidationError(_("This form is closed; it needs no more codes."))
    if not 1 <= count <= MAX_CODES:
        raise ValidationError({"count": _("Make between 1 and %(n)d codes at a time.") % {"n": MAX_CODES}})
    codes: dict[str, str] = {}
    while len(codes) < count:
        for code in (_new_code() for _i in range(count - len(codes))):
            codes[hash_code(code)] = code
        taken = set(AnswerCode.objects.filter(code_hash__in=list(codes)).values_list("code_hash", flat=True))
        for digest in taken:  # practically never: 31^10 possible codes
            del codes[digest]
    AnswerCode.objects.bulk_create(AnswerCode(form=form, code_hash=digest) for digest in codes)
    record("evaluation.codes_generated", actor=user, obj=form, detail={"count": count})
    return list(codes.values())


# --- answers ---------------------------------------------------------------------------------------


def _check_online_window(form: EvaluationForm) -> None:
    today = timezone.localdate()
    if form.state == FormState.DRAFT or (form.state == FormState.OPEN and today < form.opens_on):
        raise ValidationError(
            _("This form is not open yet; it opens on %(date)s.") % {"date": form.opens_on.isoformat()},
            code="not_open",
        )
    if form.state == FormState.CLOSED or today > form.closes_on:
        raise ValidationError(
            _("This form is closed; answers were accepted until %(date)s.")
            % {"date": form.closes_on.isoformat()},
            code="closed",
        )


def _code_row(code: str, *, lock: bool) -> AnswerCode:
    if len(normalise_code(code)) != CODE_LENGTH:
        raise ValidationError(_("A code has %(n)d letters and digits; check your slip.") % {"n": CODE_LENGTH},
                              code="unknown")  # fmt: skip
    rows = AnswerCode.objects.select_related("form")
    if lock:
        rows = rows.select_for_update(of=("self",))
    row = rows.filter(code_hash=hash_code(code)).first()
    if row is None:
        raise ValidationError(_("This code is not known; check it against your slip."), code="unknown")
    if row.used:
        raise ValidationError(_("This code has already been used; each code answers once."), code="used")
    return row


def form_for_code(code: str) -> EvaluationForm:
    """The form a code answers, if the code is unused and the form takes answers now (nothing changes)."""
    row = _code_row(code, lock=False)
    _check_online_window(row.form)
    return row.form


class _FormShape:
    """A form's units and criteria, loaded once for checking many answers."""

    def __init__(self, form: EvaluationForm) -> None:
        self.form = form
        self.units = {unit.pk: unit for unit in form.units.all()}
        self.criteria = {criterion.pk: criterion for criterion in form.criteria.all()}

    def check(self, answer: AnswerInput) -> list[str]:
        """Every problem of one answer, as sentences (empty: the answer is whole)."""
        form, problems = self.form, []
        rated = {unit_id: scores for unit_id, scores in answer.ratings.items() if scores}
        if not rated:
            problems.append(_("Rate at least one unit."))
        for unit_id, scores in rated.items():
            unit = self.units.get(unit_id)
            if unit is None:
                problems.append(_("This form does not evaluate that unit."))
                continue
            missing = [c.text for c in self.criteria.values() if c.pk not in scores]
            if missing:
                problems.append(
                    _("%(unit)s: rate every criterion, or none (missing: %(criteria)s).")
                    % {"unit": unit.name, "criteria": "、".join(missing)}
                )
            for criterion_id, value in scores.items():
                criterion = self.criteria.get(criterion_id)
                if criterion is None:
                    problems.append(_("This form has no such criterion."))
                elif not isinstance(value, int) or not form.scale_min <= value <= form.scale_max:
                    problems.append(
                        _("%(unit)s, “%(criterion)s”: %(value)s is outside the scale %(min)d–%(max)d.")
                        % {"unit": unit.name, "criterion": criterion.text, "value": value,
                           "min": form.scale_min, "max": form.scale_max}
                    )  # fmt: skip
        for unit_id, text in answer.comments.items():
            if text.strip() and unit_id not in self.units:
                problems.append(_("This form does not evaluate that unit."))
            elif len(text.strip()) > COMMENT_MAX:
                problems.append(_("A comment may have at most %(n)d characters.") % {"n": COMMENT_MAX})
        return problems


def _comment_appeal(form: EvaluationForm, unit: Unit, text: str) -> None:
    """Make the comment an anonymous appeal about ``unit`` (text only, no name, no phone, no user)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Evaluation comment on %(unit)s") % {"unit": unit.name}
    township = unit if unit.kind == UnitKind.TOWNSHIP else None
    village = unit if unit.kind in RESIDENTIAL_KINDS else None
    submission = appeal_rules.submit(
        channel=Channel.EVALUATION,
        kind=Kind.SUGGESTION,
        title=title[:_APPEAL_TITLE_MAX],
        body=text.strip(),
        actor=None,
        township=township,
        village=village,
    )
    FormComment.objects.create(form=form, unit=unit, appeal=submission.appeal)


def _store(shape: _FormShape, answers: list[AnswerInput], source: str) -> tuple[int, int]:
    """Write checked answers (scores in bulk) and their comments; returns (answers, comments)."""
    responses = [Response(form=shape.form, source=source) for _answer in answers]
    Response.objects.bulk_create(responses)
    Score.objects.bulk_create(
        (
            Score(response=response, unit_id=unit_id, criterion_id=criterion_id, value=value)
            for response, answer in zip(responses, answers, strict=True)
            for unit_id, scores in answer.ratings.items()
            for criterion_id, value in scores.items()
        ),
        batch_size=500,
    )
    comments = [
        (shape.units[unit_id], text)
        for answer in answers
        for unit_id, text in answer.comments.items()
        if text.strip()
    ]
    for unit, text in comments:
        _comment_appeal(shape.form, unit, text)
    return len(responses), len(comments)


def submit_answer(code: str, answer: AnswerInput) -> None:
    """Store one online answer with its one-time code: the code is marked used in the same transaction
    and then forgotten. An unknown or used code, a form not open, or a score outside the scale stores
    nothing."""
    with _anonymous(), transaction.atomic():
        row = _code_row(code, lock=True)
        form = _lock(row.form)
        _check_online_window(form)
        shape = _FormShape(form)
        problems = shape.check(answer)
        if problems:
            raise ValidationError(problems, code="answer")
        if AnswerCode.objects.filter(pk=row.pk, used=False).update(used=True) != 1:
            raise ValidationError(_("This code has already been used; each code answers once."), code="used")
        _store(shape, [answer], Source.ONLINE)
        record("evaluation.answer_received", actor=None, obj=form, detail={"source": Source.ONLINE})


def check_paper_answers(form: EvaluationForm, answers: list[AnswerInput]) -> list[tuple[int, str]]:
    """The problems of typed-in paper answers as (index in ``answers``, sentence); nothing is written."""
    shape = _FormShape(form)
    return [(index, problem) for index, answer in enumerate(answers) for problem in shape.check(answer)]


def record_paper_answers(
    form: EvaluationForm, answers: list[AnswerInput], *, actor: Actor
) -> tuple[int, int]:
    """Store paper answers typed in by staff, all or none, in an order unrelated to the pile of paper;
    returns (answers, comments). Paper forms are taken while the form is open, whatever the dates (they
    were filled in during the period and may be typed in later)."""
    user = _staff(actor, EvaluationPerm.IMPORT_ANSWERS, _("You may not import paper evaluation forms."))
    with transaction.atomic():
        form = _lock(form)
        if form.state != FormState.OPEN:
            raise ValidationError(_("Paper forms can be added only while the form is open."), code="closed")
        if not answers:
            raise ValidationError(_("There is no answer to add."), code="empty")
        problems = check_paper_answers(form, answers)
        if problems:
            raise ValidationError([problem for _index, problem in problems], code="answer")
        shuffled = list(answers)
        secrets.SystemRandom().shuffle(shuffled)
        with _anonymous():
            count, comments = _store(_FormShape(form), shuffled, Source.PAPER)
        record(
            "evaluation.answers_imported",
            actor=user,
            obj=form,
            detail={"answers": count, "comments": comments},
        )
    return count, comments
