"""Rules of the rectification ledger: items, progress reports, plans, conversion to long-term work,
the three-step sign-off and the summary. Every step is written to the item's timeline (log_event).

Each step has its guard, ``check_…(actor, item)``: in which state and by whom (raising the refusal,
minyi.errors). The rule locks the item, then calls the guard on the fresh row, then checks the input;
the item page and the API call the same guard without the lock to offer only what the rule would
accept (minyi.ledger.actions).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.appeals.access import recusal
from minyi.appeals.models import Appeal
from minyi.appeals.rules import answer_by_rectification
from minyi.appeals.uploads import MAX_FILES, checked_upload
from minyi.audit.rules import record
from minyi.errors import IllegalTransition, Refused, VersionConflict
from minyi.ledger.access import LedgerPerm
from minyi.ledger.choices import OPEN_ISSUE_STATES, EventKind, IssueSource, IssueState, Track
from minyi.ledger.models import (
    Campaign,
    Issue,
    IssueEvent,
    IssueFile,
    Milestone,
    ProgressReport,
    Quantity,
    SignOff,
)
from minyi.org.choices import Role
from minyi.org.models import Unit
from minyi.org.permissions import acts_for, can

Actor = User | AnonymousUser | None
#: The roles of a unit's staff who work on its items.
_STAFF = (Role.HANDLER, Role.UNIT_HEAD)


class StaleItem(VersionConflict):
    default_message = gettext_lazy(
        "Someone else changed this item while you were working on it. Reload it and try again."
    )


def log_event(issue: Issue, kind: str, *, actor: Actor, note: str = "", **data: object) -> IssueEvent:
    """Write one step of the item's timeline (called by every rule that changes an item)."""
    user = actor if isinstance(actor, User) else None
    return IssueEvent.objects.create(issue=issue, kind=kind, actor=user, note=note, data=data)


def checked_files(files: Sequence[UploadedFile]) -> list[dict[str, Any]]:
    """Check evidence files by content before anything is written (photos and PDF, as for appeals)."""
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("At most %(n)d files at a time.") % {"n": MAX_FILES}})
    return [checked_upload(f) for f in files]


def _store_files(issue: Issue, checked: list[dict[str, Any]], user: User, **owner: Any) -> None:
    for fields in checked:
        IssueFile.objects.create(issue=issue, uploaded_by=user, **owner, **fields)


def may_plan(user: Actor, issue: Issue) -> bool:
    """The lead unit, the supervising leader and the district office (who make items) plan an item."""
    if not isinstance(user, User):
        return False
    return (
        user.pk == issue.leader_id
        or acts_for(user, issue.lead_unit, (Role.HANDLER, Role.UNIT_HEAD))
        or can(user, LedgerPerm.ADD)
    )


def may_report(user: Actor, issue: Issue) -> bool:
    """Staff of the lead unit or of a co-handling unit report progress."""
    units = [issue.lead_unit, *issue.co_units.all()]
    return any(acts_for(user, unit, (Role.HANDLER, Role.UNIT_HEAD)) for unit in units)


def _reporter(actor: Actor, issue: Issue) -> User:
    if not isinstance(actor, User) or not may_report(actor, issue):
        raise Refused(_("Only the units working on this item report its progress."))
    return actor


def check_report(actor: Actor, issue: Issue) -> User:
    """The units working on an item report its progress while it is open."""
    _require_state(issue, OPEN_ISSUE_STATES)
    return _reporter(actor, issue)


@transaction.atomic
def report_progress(
    issue: Issue, *, actor: Actor, text: str, files: Sequence[UploadedFile] = ()
) -> ProgressReport:
    """A unit working on the item reports what was done so far, with evidence files."""
    issue = _lock(issue)
    user = check_report(actor, issue)
    if not text.strip():
        raise ValidationError({"text": _("Write what was done.")})
    checked = checked_files(files)
    person = user.person
    report = ProgressReport.objects.create(issue=issue, unit=person.unit, text=text.strip(), reported_by=user)
    _store_files(issue, checked, user, report=report)
    log_event(
        issue, EventKind.REPORT, actor=actor, note=report.text, unit=person.unit.name, files=len(checked)
    )
    record("ledger.issue.report", actor=actor, obj=issue, detail={"report": report.pk})
    return report


def check_create_issue(actor: Actor) -> None:
    """The district office and leaders make items (``actor`` None: the system, e.g. demo seeding)."""
    if actor is not None and not can(actor, LedgerPerm.ADD):
        raise Refused(_("Only the district office and leaders make rectification items."))


@transaction.atomic
def create_issue(
    *,
    campaign: Campaign,
    title: str,
    track: str,
    lead_unit: Unit,
    leader: User,
    deadline: date,
    actor: Actor,
    description: str = "",
    co_units: Iterable[Unit] = (),
    appeals: Iterable[Appeal] = (),
    source: str | None = None,
    finding_ref: str = "",
    tags: str = "",
    quantity_total: Decimal | None = None,
    quantity_unit: str = "",
    quantity_label: str = "",
) -> Issue:
    """Open a rectification item; the supervising leader must hold the leader role. An item may plan a
    quantity of work (e.g. 11 公里 疏浚), whose reported part then gives its progress."""
    check_create_issue(actor)
    check_quantity(quantity_total, Decimal(0), quantity_unit)
    if not title.strip():
        raise ValidationError({"title": _("Write what is to be rectified.")})
    if track not in Track.values:
        raise ValidationError({"track": _("Choose fix now, fix while learning or long-term.")})
    person = getattr(leader, "person", None)
    if person is None or person.role != Role.LEADER:
        raise ValidationError({"leader": _("The supervising leader must be a leader.")})
    appeals = list(appeals)
    check_recusal(lead_unit, co_units, appeals)
    if source is None:
        source = IssueSource.APPEALS if appeals else IssueSource.OWN
    if source == IssueSource.INSPECTION and not finding_ref.strip():
        raise ValidationError({"finding_ref": _("Name the inspection notice this finding comes from.")})
    issue = Issue.objects.create(
        campaign=campaign,
        title=title.strip(),
        description=description,
        source=source,
        finding_ref=finding_ref.strip(),
        tags=tags.strip(),
        track=track,
        original_track=track,
        lead_unit=lead_unit,
        leader=leader,
        deadline=deadline,
        quantity_total=quantity_total,
        quantity_unit=quantity_unit.strip(),
        quantity_label=quantity_label.strip(),
    )
    issue.co_units.set([u for u in co_units if u.pk != lead_unit.pk])
    issue.appeals.set(appeals)
    log_event(issue, EventKind.CREATED, actor=actor, appeals=len(appeals))
    record("ledger.issue.create", actor=actor, obj=issue, detail={"track": track})
    return issue


def check_recusal(lead_unit: Unit, co_units: Iterable[Unit], appeals: Iterable[Appeal]) -> None:
    """回避 (minyi.appeals.access.recusal): an item is never linked to an appeal whose officials its lead
    unit or a co-unit are, or lie below; its sign-off would answer that appeal in their name."""
    for field, units in (("lead_unit", [lead_unit]), ("co_units", list(co_units))):
        found = recusal(units, appeals)
        if found is not None:
            raise ValidationError(
                {
                    field: _(
                        "Appeal %(number)s concerns officials of %(unit)s; %(target)s cannot handle an "
                        "item linked to it (回避)."
                    )
                    % {"number": found.about.number, "unit": found.concerned.name, "target": found.unit.name}
                }
            )


def check_convert(actor: Actor, issue: Issue) -> User:
    """The supervising leader or the district office make an open fix-while-learning item long-term."""
    if issue.state not in OPEN_ISSUE_STATES:
        raise IllegalTransition(_("A signed-off item cannot be converted."), code="signed_off")
    if not isinstance(actor, User) or not (actor.pk == issue.leader_id or can(actor, LedgerPerm.ADD)):
        raise Refused(_("Only the supervising leader or the district office converts an item."))
    if issue.track != Track.FIX_IN_CAMPAIGN:
        raise IllegalTransition(_("Only a fix-while-learning item becomes long-term work."), code="track")
    return actor


@transaction.atomic
def convert_to_long_term(issue: Issue, *, actor: Actor, reason: str) -> Issue:
    """A fix-while-learning item becomes long-term work (转常态), with the recorded reason."""
    issue = _lock(issue)
    check_convert(actor, issue)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it becomes long-term work.")})
    issue.track, issue.converted_reason = Track.LONG_TERM, reason.strip()
    issue.version += 1
    issue.save(update_fields=["track", "converted_reason", "version"])
    log_event(issue, EventKind.CONVERTED, actor=actor, note=issue.converted_reason)
    record("ledger.issue.convert", actor=actor, obj=issue, detail={"reason": reason[:200]})
    return issue


@dataclass(frozen=True)
class TrackFigures:
    """One line of the ledger summary, by the track items were planned on."""

    track: str
    total: int
    closed: int
    open: int
    overdue: int
    converted_to_long_term: int


def summary(
    *,
    campaign: Campaign | None = None,
    unit: Unit | None = None,
    today: date | None = None,
    issues: QuerySet[Issue] | None = None,
) -> list[TrackFigures]:
    """The office's summary line per planned track, computed from the records in one grouped query:
    of ``issues`` (any filtered set, e.g. the ledger page's) or of a campaign and/or unit subtree."""
    today = today or timezone.localdate()
    if issues is None:
        issues = Issue.objects.all()
    if campaign is not None:
        issues = issues.filter(campaign=campaign)
    if unit is not None:
        issues = issues.filter(lead_unit__path__startswith=unit.path)
    open_q = Q(state__in=OPEN_ISSUE_STATES)
    rows = {
        row["original_track"]: row
        for row in issues.order_by()
        .values("original_track")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(state=IssueState.SIGNED_OFF)),
            open=Count("id", filter=open_q),
            overdue=Count("id", filter=open_q & Q(deadline__lt=today)),
            converted=Count("id", filter=~Q(converted_reason="")),
        )
    }
    empty: dict[str, int] = {}
    return [
        TrackFigures(
            track=track,
            total=rows.get(track, empty).get("total", 0),
            closed=rows.get(track, empty).get("closed", 0),
            open=rows.get(track, empty).get("open", 0),
            overdue=rows.get(track, empty).get("overdue", 0),
            converted_to_long_term=rows.get(track, empty).get("converted", 0),
        )
        for track in Track.values
    ]


def summary_json(figures: list[TrackFigures]) -> dict[str, dict[str, int]]:
    """The summary keyed by track, as `manage.py ledger summary --json` prints it."""
    return {f.track: {k: v for k, v in asdict(f).items() if k != "track"} for f in figures}


def _lock(issue: Issue) -> Issue:
    return Issue.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=issue.pk)


def _require_state(issue: Issue, states: Iterable[str]) -> None:
    if issue.state not in states:
        raise IllegalTransition(
            _("This cannot be done while the item is “%(state)s”.") % {"state": issue.get_state_display()}
        )


def _move(issue: Issue, state: str) -> None:
    issue.state, issue.version = state, issue.version + 1
    issue.save(update_fields=["state", "version", "signed_off_at"])


def _of_unit(actor: Actor, unit: Unit, roles: Iterable[str]) -> User:
    if not isinstance(actor, User) or not acts_for(actor, unit, roles):
        raise Refused(_("Only %(unit)s may do this.") % {"unit": unit.name})
    return actor


def check_submit(actor: Actor, issue: Issue) -> User:
    """Staff of the lead unit ask for the sign-off of an item being rectified."""
    _require_state(issue, (IssueState.OPEN,))
    return _of_unit(actor, issue.lead_unit, _STAFF)


@transaction.atomic
def submit_for_signoff(
    issue: Issue, *, actor: Actor, evidence: str, files: Sequence[UploadedFile] = ()
) -> SignOff:
    """The lead unit asks for sign-off, with evidence of what was done."""
    issue = _lock(issue)
    user = check_submit(actor, issue)
    if not evidence.strip():
        raise ValidationError({"evidence": _("Sign-off needs evidence of what was done.")})
    checked = checked_files(files)
    signoff = SignOff.objects.create(issue=issue, evidence=evidence.strip(), submitted_by=user)
    _store_files(issue, checked, user, signoff=signoff)
    _move(issue, IssueState.SUBMITTED)
    log_event(issue, EventKind.SUBMITTED, actor=actor, note=signoff.evidence)
    record("ledger.signoff.submit", actor=actor, obj=issue)
    return signoff


def check_agree(actor: Actor, issue: Issue) -> User:
    """The head of the lead unit agrees to a sign-off request."""
    _require_state(issue, (IssueState.SUBMITTED,))
    return _of_unit(actor, issue.lead_unit, (Role.UNIT_HEAD,))


@transaction.atomic
def agree_signoff(issue: Issue, *, actor: Actor) -> Issue:
    """The lead unit's head agrees to the request."""
    issue = _lock(issue)
    user = check_agree(actor, issue)
    SignOff.objects.filter(issue=issue, approved__isnull=True).update(
        agreed_by=user, agreed_at=timezone.now()
    )
    _move(issue, IssueState.UNIT_AGREED)
    log_event(issue, EventKind.AGREED, actor=actor)
    record("ledger.signoff.agree", actor=actor, obj=issue)
    return issue


def check_send_back(actor: Actor, issue: Issue) -> User:
    """As agreeing: the head of the lead unit, while the request waits for the head."""
    return check_agree(actor, issue)


@transaction.atomic
def send_back_signoff(issue: Issue, *, actor: Actor, reason: str) -> Issue:
    """The lead unit's head sends a sign-off request back to work instead of agreeing, saying why
    (the request is closed as not approved; the unit submits again when the work is done)."""
    issue = _lock(issue)
    user = check_send_back(actor, issue)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is sent back.")})
    SignOff.objects.filter(issue=issue, approved__isnull=True).update(
        decided_by=user, decided_at=timezone.now(), approved=False, reason=reason.strip()
    )
    _move(issue, IssueState.OPEN)
    log_event(issue, EventKind.SENT_BACK, actor=actor, note=reason.strip())
    record("ledger.signoff.send_back", actor=actor, obj=issue)
    return issue


def default_reply(issue: Issue) -> str:
    """The reply linked appeals get when the item is signed off (the leader may edit it)."""
    signoff = issue.signoffs.filter(approved__isnull=True).order_by("-submitted_at").first()
    evidence = signoff.evidence if signoff is not None else ""
    with translation.override(settings.LANGUAGE_CODE):
        return _("The problem you raised was taken up as the rectification item “%(title)s” of %(unit)s, "
                 "which has now been completed: %(evidence)s") % {
            "title": issue.title, "unit": issue.lead_unit.name, "evidence": evidence}  # fmt: skip


def check_decide(actor: Actor, issue: Issue) -> User:
    """The supervising leader decides a sign-off the lead unit's head agreed to."""
    _require_state(issue, (IssueState.UNIT_AGREED,))
    if not isinstance(actor, User) or actor.pk != issue.leader_id:
        raise Refused(_("Only the supervising leader of this item decides its sign-off."))
    return actor


@transaction.atomic
def decide_signoff(
    issue: Issue, *, actor: Actor, approve: bool, reason: str = "", reply: str | None = None
) -> Issue:
    """The supervising leader approves (signed off) or rejects with a reason (back to work). On
    approval every linked appeal still open is answered with ``reply`` (default: default_reply)."""
    issue = _lock(issue)
    leader = check_decide(actor, issue)
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the sign-off is rejected.")})
    now = timezone.now()
    SignOff.objects.filter(issue=issue, approved__isnull=True).update(
        decided_by=leader, decided_at=now, approved=approve, reason=reason.strip()
    )
    if approve:
        text = reply if reply is not None and reply.strip() else default_reply(issue)
        for appeal in issue.appeals.all():
            answer_by_rectification(appeal, actor=actor, unit=issue.lead_unit, body=text, issue_id=issue.pk)
    issue.signed_off_at = now if approve else None
    _move(issue, IssueState.SIGNED_OFF if approve else IssueState.OPEN)
    log_event(issue, EventKind.APPROVED if approve else EventKind.REJECTED, actor=actor, note=reason.strip())
    record("ledger.signoff.decide", actor=actor, obj=issue, detail={"approved": approve})
    return issue


def _planner(actor: Actor, issue: Issue) -> User:
    if not isinstance(actor, User) or not may_plan(actor, issue):
        raise Refused(_("Only the lead unit, the supervising leader or the district office plans an item."))
    return actor


def check_plan(actor: Actor, issue: Issue) -> User:
    """Who may plan an item (may_plan) adds steps to it while it is open."""
    _require_state(issue, OPEN_ISSUE_STATES)
    return _planner(actor, issue)


@transaction.atomic
def add_milestone(
    issue: Issue,
    *,
    actor: Actor,
    title: str,
    due_on: date,
    owner: Unit,
    quantity_total: Decimal | None = None,
    quantity_unit: str = "",
    quantity_label: str = "",
) -> Milestone:
    """Add a dated step to an item's plan; it must fall on or before the item's deadline. A step may
    plan a quantity of work like an item."""
    issue = _lock(issue)
    check_plan(actor, issue)
    check_quantity(quantity_total, Decimal(0), quantity_unit)
    if not title.strip():
        raise ValidationError({"title": _("Write what the step achieves.")})
    if due_on > issue.deadline:
        raise ValidationError(
            {
                "due_on": _("A step cannot fall after the item's deadline (%(date)s).")
                % {"date": issue.deadline}
            }
        )
    milestone = Milestone.objects.create(
        issue=issue,
        title=title.strip(),
        due_on=due_on,
        owner=owner,
        quantity_total=quantity_total,
        quantity_unit=quantity_unit.strip(),
        quantity_label=quantity_label.strip(),
    )
    log_event(issue, EventKind.MILESTONE_ADDED, actor=actor, note=f"{milestone.title} ({due_on})")
    record("ledger.milestone.add", actor=actor, obj=issue, detail={"milestone": milestone.pk})
    return milestone


def _lock_milestone(milestone: Milestone) -> Milestone:
    """The step's item under a row lock, then the step (the order report_quantity locks them in)."""
    issue = _lock(milestone.issue)
    fresh = Milestone.objects.select_for_update(of=("self",)).select_related("owner").get(pk=milestone.pk)
    fresh.issue = issue
    return fresh


def check_complete_milestone(actor: Actor, milestone: Milestone) -> User:
    """Staff of the unit that owns a step report it done, once, while its item is open."""
    _require_state(milestone.issue, OPEN_ISSUE_STATES)
    if milestone.done_at is not None:
        raise IllegalTransition(_("This step is already reported done."), code="done")
    return _of_unit(actor, milestone.owner, _STAFF)


@transaction.atomic
def complete_milestone(
    milestone: Milestone, *, actor: Actor, evidence: str, files: Sequence[UploadedFile] = ()
) -> Milestone:
    """Report a step done, with evidence; done steps stay done, and a signed-off item's plan is closed."""
    milestone = _lock_milestone(milestone)
    user = check_complete_milestone(actor, milestone)
    if not evidence.strip():
        raise ValidationError({"evidence": _("A finished step needs evidence.")})
    checked = checked_files(files)
    milestone.done_at, milestone.evidence = timezone.now(), evidence.strip()
    milestone.save(update_fields=["done_at", "evidence"])
    _store_files(milestone.issue, checked, user, milestone=milestone)
    log_event(
        milestone.issue,
        EventKind.MILESTONE_DONE,
        actor=actor,
        note=f"{milestone.title}: {milestone.evidence}",
    )
    record("ledger.milestone.done", actor=actor, obj=milestone.issue, detail={"milestone": milestone.pk})
    return milestone


def progress(issue: Issue) -> int | None:
    """Percent done, derived, never stored: of the item's planned quantity when it has one (11 of 11 km:
    100), else of its plan's steps (None without either)."""
    if issue.quantity_total:
        return min(100, round(100 * issue.quantity_done / issue.quantity_total))
    steps = [m.done_at for m in issue.milestones.all()]  # uses a prefetch when the list made one
    if not steps:
        return None
    return round(100 * sum(1 for done in steps if done is not None) / len(steps))


# --- quantities ------------------------------------------------------------------------------------


def as_quantity(value: object, field: str = "quantity_done") -> Decimal:
    """A number typed by a user as a Decimal, or a ValidationError at ``field``."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    # The columns hold 12 digits, 2 after the point: refuse what they cannot store, never round it.
    if abs(number) >= Decimal(10) ** 10 or number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Enter a number below ten billion, with at most two decimals.")})
    return number


def check_quantity(total: Decimal | None, done: Decimal, unit: str) -> None:
    """Refuse a quantity that cannot be: a total without a unit, a negative or non-positive total, a
    done part below zero or above the total."""
    errors: dict[str, str] = {}
    if total is not None:
        if total <= 0:
            errors["quantity_total"] = _("The planned quantity must be more than zero.")
        if not unit.strip():
            errors["quantity_unit"] = _("Give the unit of the quantity, e.g. 公里 or 户.")
    if done < 0:
        errors["quantity_done"] = _("The quantity done cannot be below zero.")
    elif total is not None and total > 0 and done > total:
        message = _("The quantity done (%(done)s) cannot be more than the planned %(total)s %(unit)s.")
        values = {"done": number_text(done), "total": number_text(total), "unit": unit.strip()}
        errors["quantity_done"] = message % values
    if errors:
        raise ValidationError(errors)


def number_text(value: Decimal) -> str:
    """A quantity as people write it: 11, 1.5 (never 11.00 or 1E+1)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantity_text(obj: Quantity) -> str:
    """What is done of a planned quantity, as the ledger and reports say it: "完成疏浚11公里" when all
    is done, "完成疏浚8公里（共11公里）" before; "" without a quantity."""
    if obj.quantity_total is None:
        return ""
    values = {"label": obj.quantity_label, "done": number_text(obj.quantity_done),
              "total": number_text(obj.quantity_total), "unit": obj.quantity_unit}  # fmt: skip
    if obj.quantity_done >= obj.quantity_total:
        text = _("%(label)s %(done)s %(unit)s done") % values
    else:
        text = _("%(label)s %(done)s %(unit)s done of %(total)s %(unit)s") % values
    return " ".join(text.split())


def check_report_quantity(actor: Actor, target: Issue | Milestone) -> User:
    """The units working on an open item (or owning the step) report the quantity done of an item or a
    step that plans one."""
    issue = target.issue if isinstance(target, Milestone) else target
    _require_state(issue, OPEN_ISSUE_STATES)
    if isinstance(target, Milestone) and isinstance(actor, User) and acts_for(actor, target.owner, _STAFF):
        user = actor
    else:
        user = _reporter(actor, issue)
    if target.quantity_total is None:
        raise ValidationError({"quantity_done": _("No quantity is planned here; edit the plan first.")})
    return user


@transaction.atomic
def report_quantity(target: Issue | Milestone, *, actor: Actor, done: object, note: str = "") -> Quantity:
    """The units working on an item report how much of its (or one step's) planned quantity is done
    so far; it may not go below zero or above the total. Written to the item's timeline."""
    fresh = _lock_milestone(target) if isinstance(target, Milestone) else _lock(target)
    issue = fresh.issue if isinstance(fresh, Milestone) else fresh
    check_report_quantity(actor, fresh)
    amount = as_quantity(done)
    check_quantity(fresh.quantity_total, amount, fresh.quantity_unit)
    before = fresh.quantity_done
    fresh.quantity_done = amount
    if isinstance(fresh, Issue):
        fresh.version += 1
        fresh.save(update_fields=["quantity_done", "version"])
    else:
        fresh.save(update_fields=["quantity_done"])
    title = fresh.title if isinstance(fresh, Milestone) else ""
    with translation.override(settings.LANGUAGE_CODE):
        text = quantity_text(fresh)
    line = "\n".join(filter(None, [title, text, note.strip()]))
    log_event(issue, EventKind.QUANTITY, actor=actor, note=line, done=str(amount), before=str(before))
    detail = {"done": str(amount), "before": str(before), "milestone": fresh.pk if title else None}
    record("ledger.quantity.report", actor=actor, obj=issue, detail=detail)
    return fresh


def summary_sentence(figures: list[TrackFigures]) -> str:
    """The line offices write in their reports, e.g.
    "立即改 26 项，已完成 26 项；边学边改 31 项，已完成 25 项，转常态 6 项"."""
    by_track = {f.track: f for f in figures}
    parts = []
    for track in Track:
        f = by_track[track.value]
        if not f.total:
            continue
        text = _("%(track)s %(total)d items, %(closed)d completed") % {
            "track": track.label, "total": f.total, "closed": f.closed}  # fmt: skip
        if f.converted_to_long_term:
            text += _(", %(n)d became long-term work") % {"n": f.converted_to_long_term}
        parts.append(text)
    return _("; ").join(parts)


#: The details ``edit_issue`` may change: not the track (转常态 needs a reason), state, source or campaign.
EDITABLE_FIELDS = (
    "title",
    "description",
    "finding_ref",
    "lead_unit",
    "co_units",
    "leader",
    "deadline",
    "tags",
    "quantity_total",
    "quantity_unit",
    "quantity_label",
)


def check_edit(actor: Actor, issue: Issue) -> User:
    """Who may plan an item (may_plan) changes its details until it is signed off."""
    if issue.state not in OPEN_ISSUE_STATES:
        raise IllegalTransition(_("A signed-off item can no longer be changed."), code="signed_off")
    return _planner(actor, issue)


@transaction.atomic
def edit_issue(issue: Issue, *, actor: Actor, expected_version: int | None = None, **fields: object) -> Issue:
    """Change an item's details (EDITABLE_FIELDS): only what differs is saved, as one timeline step that
    names the changed fields (none given is refused). A signed-off item no longer changes, the lead unit
    only while the item is being rectified; a stale ``expected_version`` is refused."""
    if unknown := set(fields) - set(EDITABLE_FIELDS):
        raise ValueError(f"not editable: {sorted(unknown)}")
    fresh = _lock(issue)
    StaleItem.check(expected_version, fresh.version)
    check_edit(actor, fresh)
    if not fields:
        raise ValidationError(_("Nothing was changed."), code="unchanged")
    changed: list[str] = []
    for name, kind in (
        ("title", str),
        ("description", str),
        ("finding_ref", str),
        ("tags", str),
        ("lead_unit", Unit),
        ("leader", User),
        ("deadline", date),
        ("quantity_unit", str),
        ("quantity_label", str),
    ):
        if name not in fields:
            continue
        value = fields[name]
        if not isinstance(value, kind):
            raise TypeError(f"{name} must be a {kind.__name__}")
        if isinstance(value, str):
            value = value.strip()
            if value == getattr(fresh, name).strip():
                continue
        elif isinstance(value, Unit | User):
            if value.pk == getattr(fresh, f"{name}_id"):
                continue
        elif value == getattr(fresh, name):
            continue
        setattr(fresh, name, value)
        changed.append(name)
    if "quantity_total" in fields:
        total = fields["quantity_total"]
        if total is not None and not isinstance(total, Decimal):
            raise TypeError("quantity_total must be a Decimal or None")
        if total != fresh.quantity_total:
            fresh.quantity_total = total
            changed.append("quantity_total")
    current_co = set(fresh.co_units.values_list("id", flat=True))
    wanted_co = set(current_co)
    if "co_units" in fields:
        units = fields["co_units"]
        if isinstance(units, str | Unit) or not isinstance(units, Iterable):
            raise TypeError("co_units must be an iterable of units")
        wanted_co = {unit.pk for unit in units}
    wanted_co.discard(fresh.lead_unit_id)  # the lead unit is never also a co-unit
    if wanted_co != current_co:
        changed.append("co_units")
    if not changed:
        return fresh
    if {"lead_unit", "co_units"} & set(changed):
        check_recusal(fresh.lead_unit, Unit.objects.filter(pk__in=wanted_co), fresh.appeals.all())
    _check_edit(fresh, changed)
    fresh.version += 1
    fresh.save(update_fields=[*(name for name in changed if name != "co_units"), "version"])
    if "co_units" in changed:
        fresh.co_units.set(wanted_co)
    with translation.override(settings.LANGUAGE_CODE):
        names = _(", ").join(
            str(getattr(Issue._meta.get_field(name), "verbose_name", name)) for name in changed
        )
    log_event(fresh, EventKind.EDITED, actor=actor, note=names, fields=changed)
    record("ledger.issue.edit", actor=actor, obj=fresh, detail={"fields": changed})
    return fresh


def _check_edit(issue: Issue, changed: list[str]) -> None:
    """Refuse an edit that would leave the item wrong, with every problem at its field."""
    errors: dict[str, str] = {}
    for name in ("title", "finding_ref", "tags"):
        limit = int(getattr(Issue._meta.get_field(name), "max_length", 0) or 0)
        length = len(getattr(issue, name))
        if length > limit:
            message = _("At most %(max)s characters are allowed (this has %(length)s).")
            errors[name] = message % {"max": limit, "length": length}
    if not issue.title:
        errors["title"] = _("Write what is to be rectified.")
    if {"quantity_total", "quantity_unit"} & set(changed):
        try:
            check_quantity(issue.quantity_total, issue.quantity_done, issue.quantity_unit)
        except ValidationError as error:
            # The edit changes the plan, not what is done: a total below it is the total's problem.
            errors.update(
                {k.replace("quantity_done", "quantity_total"): v[0] for k, v in error.message_dict.items()}
            )
    if issue.source == IssueSource.INSPECTION and not issue.finding_ref:
        errors["finding_ref"] = _("Name the inspection notice this finding comes from.")
    if "lead_unit" in changed and issue.state != IssueState.OPEN:
        errors["lead_unit"] = _(
            "The lead unit can change only while the item is being rectified, not once sign-off is requested."
        )
    person = getattr(issue.leader, "person", None)
    if "leader" in changed and (person is None or person.role != Role.LEADER):
        errors["leader"] = _("The supervising leader must be a leader.")
    if "deadline" in changed:
        last_step = issue.milestones.order_by("-due_on").values_list("due_on", flat=True).first()
        if issue.deadline < timezone.localdate():
            errors["deadline"] = _("The deadline cannot be in the past.")
        elif last_step is not None and issue.deadline < last_step:
            message = _("The plan has a step due on %(date)s, after this deadline.")
            errors["deadline"] = message % {"date": last_step.isoformat()}
    if errors:
        raise ValidationError(errors)
