"""Supervision (督办): the SLA sweep that issues and escalates notices, notices issued by hand, the
unit's answers, and the briefing that names what is still late.

Escalation, per appeal or rectification item and per deadline (an extension starts afresh):

- due soon → a reminder (``due_soon``) to the handlers of the unit;
- overdue → a yellow-card notice to the unit's head(s);
- overdue for ``RED_AFTER`` working days, or a yellow notice left unanswered past its answer date →
  a red-card notice to the supervising leader(s) and the unit's head(s);
- a red notice unanswered past its answer date, or whose target is still overdue then → named in the
  periodic briefing (``briefed_at`` records when it was first named).

"Due soon" and "overdue" for appeals are those of ``minyi.appeals.rules.due_filter`` (paused appeals are
never due); for items, overdue is the ledger's own (open, deadline before today). Every notice is
delivered through ``minyi.org.notices.tell`` (in the app, and SMS / e-mail through the outbox), in the
transaction that writes it, and audited; item notices also go on the item's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from minyi.appeals.access import AppealPerm
from minyi.appeals.choices import WORKING_STATES, DueStatus
from minyi.appeals.models import Appeal
from minyi.appeals.rules import due_filter, due_status
from minyi.audit.rules import record
from minyi.dates import day_text, local_day, local_today
from minyi.ledger.access import LedgerPerm
from minyi.ledger.choices import OPEN_ISSUE_STATES, EventKind
from minyi.ledger.models import Issue
from minyi.ledger.rules import log_event
from minyi.org import notices
from minyi.org.choices import Role
from minyi.org.models import Person, StaffNotice, Unit
from minyi.org.permissions import acts_for, can, visible
from minyi.supervision.access import SupervisionPerm
from minyi.supervision.choices import SWEEP_LEVELS, Level
from minyi.supervision.models import Notice
from minyi.workdays.rules import WorkCalendar, calendar, end_of_day

Actor = User | AnonymousUser | None
Target = Appeal | Issue

#: Working days an item or appeal may be overdue before the notice turns red.
RED_AFTER = 3
#: Working days the unit has to answer a notice the sweep issued.
ANSWER_DAYS = 2
#: Working days before an item's deadline that count as due soon (items run for weeks or months, so
#: they are reminded earlier than appeals, whose due-soon window is due_filter's).
ITEM_DUE_SOON_DAYS = 3
#: How far back the sweep looks for overdue work. Each hourly run escalates what newly became due, so
#: older work has had its notices; after a longer outage, run ``manage.py supervision sweep
#: --lookback-days N`` once to catch up.
LOOKBACK = dt.timedelta(days=30)
TEXT_MAX = 2000
ANSWER_MAX = 4000
#: Notices written per round trip (keeps IN lists within every database's limits).
CHUNK = 500

# What the notices say (written in the site's first language, whoever issues them).
TARGET_APPEAL = gettext_lazy("appeal %(number)s “%(title)s”")
TARGET_ISSUE = gettext_lazy("rectification item “%(title)s”")
TEXT_DUE_SOON = gettext_lazy(
    "Reminder: %(target)s is due on %(date)s. Make sure it is done in time, and answer this reminder by "
    "%(answer_by)s."
)
TEXT_YELLOW = gettext_lazy(
    "Yellow-card notice: %(target)s was due on %(date)s and is overdue. Explain the delay and say when it "
    "will be done, by %(answer_by)s."
)
TEXT_RED = gettext_lazy(
    "Red-card notice: %(target)s was due on %(date)s and is still overdue; it has been reported to the "
    "supervising leader. Answer by %(answer_by)s, or it will be named in the briefing."
)
TELL_MANUAL = gettext_lazy("Leader's notice about %(target)s from %(leader)s: answer by %(answer_by)s.")
TELL_ANSWERED = gettext_lazy("%(unit)s answered the notice about %(target)s.")
TELL_ANSWERED_LATE = gettext_lazy("%(unit)s answered the notice about %(target)s late.")
SWEEP_TEXTS = {Level.DUE_SOON: TEXT_DUE_SOON, Level.YELLOW: TEXT_YELLOW, Level.RED: TEXT_RED}


# --- helpers ---------------------------------------------------------------------------------------


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def target_label(target: Target) -> str:
    """How a notice names its appeal or item (in the active language)."""
    if isinstance(target, Appeal):
        return str(TARGET_APPEAL) % {"number": target.number, "title": _short(target.title)}
    return str(TARGET_ISSUE) % {"title": _short(target.title)}


def notice_link(notice: Notice) -> str:
    return reverse("supervision:detail", args=[notice.pk])


def _target_deadline(target: Target) -> dt.datetime | None:
    """The target's deadline as a moment (an item is due at the end of its deadline day)."""
    if isinstance(target, Appeal):
        return target.deadline
    return end_of_day(target.deadline)


def _working_days_back(cal: WorkCalendar, today: dt.date, days: int) -> dt.date:
    """The latest day D with ``days`` working days after it up to and including ``today``: work due by
    the end of D or earlier is overdue by at least ``days`` working days today."""
    day, counted = today, 0
    while counted < days:
        if cal.is_workday(day):
            counted += 1
        day -= dt.timedelta(days=1)
    return day


def _people(users: Iterable[int]) -> list[Person]:
    return list(
        Person.objects.filter(
            user_id__in=list(users), is_active=True, user__isnull=False, user__is_active=True
        ).select_related("user")
    )


def district_leaders(unit: Unit) -> list[Person]:
    """The leaders (role leader) in the root unit of ``unit``'s tree: who supervises an appeal. Appeals
    have no leader of their own, so a red notice about one goes to the district's leaders."""
    root = unit.path.strip("/").split("/")[0]
    return notices.staff_of(Unit.objects.filter(code=root), [Role.LEADER])


def supervisors(notice: Notice) -> list[Person]:
    """Who supervises the notice's target: the item's supervising leader, or the district's leaders."""
    if notice.issue is not None:
        return _people([notice.issue.leader_id])
    return district_leaders(notice.unit)


def _unit_staff(unit: Unit, roles: Sequence[str], fallback: Sequence[str] = ()) -> list[Person]:
    """The unit's staff in ``roles``; in ``fallback`` roles when the unit has nobody in ``roles`` (so
    a unit without a head with a login still hears of its notice)."""
    people = notices.staff_of([unit], roles)
    return people or (notices.staff_of([unit], fallback) if fallback else [])


def _recipients(notice: Notice) -> list[Person]:
    """Who is told of a new notice, by its level."""
    if notice.level == Level.DUE_SOON:
        return _unit_staff(notice.unit, [Role.HANDLER], [Role.UNIT_HEAD])
    if notice.level == Level.YELLOW:
        return _unit_staff(notice.unit, [Role.UNIT_HEAD], [Role.HANDLER])
    if notice.level == Level.RED:
        return _unique([*supervisors(notice), *_unit_staff(notice.unit, [Role.UNIT_HEAD], [Role.HANDLER])])
    return notices.staff_of([notice.unit], [Role.UNIT_HEAD, Role.HANDLER])


def _unique(people: Iterable[Person], *, without: int | None = None) -> list[Person]:
    seen: set[int] = set()
    found = []
    for person in people:
        if person.pk not in seen and person.user_id != without:
            seen.add(person.pk)
            found.append(person)
    return found


RecipientCache = dict[tuple[int, str, int | None], list[Person]]


def _announce(notice: Notice, tell_text: str, actor: Actor, cache: RecipientCache | None = None) -> None:
    """Deliver a new notice, put it on the item's timeline and audit it. ``cache`` keeps the recipients
    of each unit and level for one sweep (its notices go to a few units, many times over)."""
    key = (notice.unit_id, notice.level, notice.issue.leader_id if notice.issue is not None else None)
    if cache is None:
        recipients = _recipients(notice)
    elif key in cache:
        recipients = cache[key]
    else:
        recipients = cache[key] = _recipients(notice)
    notices.tell(recipients, tell_text, link=notice_link(notice))
    if notice.issue is not None:
        log_event(notice.issue, EventKind.NOTICE, actor=actor, note=notice.text, level=notice.level,
                  notice=notice.pk)  # fmt: skip
    record(
        "supervision.notice.issue",
        actor=actor,
        obj=notice,
        detail={
            "level": notice.level,
            "appeal": notice.appeal_id,
            "issue": notice.issue_id,
            "answer_by": notice.answer_by.isoformat(),
        },
    )


# --- the sweep -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    level: str
    target: Target
    unit_id: int
    deadline: dt.datetime

    @property
    def key(self) -> str:
        kind = "appeal" if isinstance(self.target, Appeal) else "issue"
        due = self.deadline.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
        return f"sweep:{kind}:{self.target.pk}:{self.level}:{due}"


def _without(field: str, level: str) -> Exists:
    """Rows that already have a notice of ``level`` for their current deadline (NOT EXISTS keeps the
    hourly sweep reading only what is new)."""
    same = Notice.objects.filter(**{field: OuterRef("pk")}, level=level)
    if field == "appeal":
        same = same.filter(deadline=OuterRef("deadline"))
    else:
        same = same.alias(due_on=TruncDate("deadline", tzinfo=timezone.get_default_timezone())).filter(
            due_on=OuterRef("deadline")
        )
    return Exists(same)


def _appeal_candidates(now: dt.datetime, oldest: dt.datetime, red_cutoff: dt.datetime) -> list[_Candidate]:
    """Appeals due soon or overdue within the look-back window that lack their notice: three small
    indexed range queries on the deadline, never a scan of all appeals."""
    base = Appeal.objects.filter(lead_unit__isnull=False).only(
        "pk", "number", "title", "lead_unit", "deadline"
    )
    ranges = [
        (Level.DUE_SOON, base.filter(due_filter(DueStatus.DUE_SOON, now))),
        (Level.YELLOW, base.filter(due_filter(DueStatus.OVERDUE, now), deadline__gt=red_cutoff)),
        (
            Level.RED,
            base.filter(due_filter(DueStatus.OVERDUE, now), deadline__gte=oldest, deadline__lte=red_cutoff),
        ),
    ]
    found = []
    for level, appeals in ranges:
        for appeal in appeals.exclude(_without("appeal", level)).order_by("deadline", "pk"):
            assert appeal.lead_unit_id is not None and appeal.deadline is not None
            found.append(_Candidate(level, appeal, appeal.lead_unit_id, appeal.deadline))
    return found


def _issue_candidates(
    now: dt.datetime, cal: WorkCalendar, oldest: dt.date, red_day: dt.date
) -> list[_Candidate]:
    """Open rectification items due soon or overdue within the look-back window that lack their notice."""
    today = local_day(now)
    soon = local_day(cal.add_working_days(now, ITEM_DUE_SOON_DAYS).at)
    base = Issue.objects.filter(state__in=OPEN_ISSUE_STATES).only("pk", "title", "lead_unit", "deadline")
    ranges = [
        (Level.DUE_SOON, base.filter(deadline__gte=today, deadline__lte=soon)),
        (Level.YELLOW, base.filter(deadline__lt=today, deadline__gt=red_day)),
        (Level.RED, base.filter(deadline__gte=oldest, deadline__lte=red_day)),
    ]
    found = []
    for level, issues in ranges:
        for issue in issues.exclude(_without("issue", level)).order_by("deadline", "pk"):
            found.append(_Candidate(level, issue, issue.lead_unit_id, end_of_day(issue.deadline)))
    return found


def with_work_state(notices_: QuerySet[Notice], now: dt.datetime) -> QuerySet[Notice]:
    """Make ``STILL_OVERDUE`` usable as a filter of ``notices_``: whether the notice's appeal / item is
    still open and overdue with the deadline the notice was about (an extension gives a new deadline,
    which has notices of its own). Aliases, not selected columns: the planner hashes the overdue work
    once instead of running a subquery per notice."""
    appeal = Appeal.objects.filter(
        due_filter(DueStatus.OVERDUE, now), pk=OuterRef("appeal_id"), deadline=OuterRef("deadline")
    )
    issue = Issue.objects.filter(
        pk=OuterRef("issue_id"),
        state__in=OPEN_ISSUE_STATES,
        deadline__lt=local_day(now),
        deadline=OuterRef("due_on"),
    )
    return notices_.alias(
        due_on=TruncDate("deadline", tzinfo=timezone.get_default_timezone()),
        appeal_late=Exists(appeal),
        issue_late=Exists(issue),
    )


def work_still_overdue(notice: Notice, now: dt.datetime) -> bool:
    """``STILL_OVERDUE`` for one notice whose appeal / item is loaded (for the rows of a page)."""
    if notice.appeal is not None:
        appeal = notice.appeal
        return due_status(appeal, now) == DueStatus.OVERDUE and appeal.deadline == notice.deadline
    issue = notice.issue
    return (
        issue is not None
        and issue.state in OPEN_ISSUE_STATES
        and issue.deadline < local_day(now)
        and notice.deadline is not None
        and issue.deadline == local_day(notice.deadline)
    )


STILL_OVERDUE = Q(appeal_late=True) | Q(issue_late=True)


def _unanswered_yellow(now: dt.datetime, oldest: dt.datetime) -> list[_Candidate]:
    """Red notices due because a yellow one went unanswered past its answer date (target still overdue)."""
    unanswered = Notice.objects.filter(
        level=Level.YELLOW,
        answered_at__isnull=True,
        answer_by__lt=local_day(now),
        answer_by__gte=local_day(oldest),
    )
    red = Notice.objects.filter(level=Level.RED, deadline=OuterRef("deadline")).filter(
        Q(appeal_id=OuterRef("appeal_id")) | Q(issue_id=OuterRef("issue_id"))
    )
    # Two steps: the few yellow notices without a red one first, then whether their work is still
    # overdue for just those rows (one query over all would be planned for every yellow notice).
    ids = list(unanswered.exclude(Exists(red)).values_list("pk", flat=True))
    if not ids:
        return []
    stale = (
        with_work_state(Notice.objects.filter(pk__in=ids), now)
        .filter(STILL_OVERDUE)
        .select_related("appeal", "issue")
    )
    found = []
    for yellow in stale:
        assert yellow.deadline is not None
        found.append(_Candidate(Level.RED, yellow.target, yellow.unit_id, yellow.deadline))
    return found


def briefing_queryset(now: dt.datetime | None = None) -> QuerySet[Notice]:
    """Red notices past their answer date that are unanswered, or whose target is still overdue."""
    now = now or timezone.now()
    red = Notice.objects.filter(level=Level.RED, answer_by__lt=local_day(now))
    return with_work_state(red, now).filter(Q(answered_at__isnull=True) | STILL_OVERDUE)


def _issue_sweep_notices(
    candidates: Sequence[_Candidate], now: dt.datetime, answer_by: dt.date
) -> list[Notice]:
    """Write the notices of ``candidates`` not issued before; return those this call wrote."""
    taken = set(
        Notice.objects.filter(dedupe_key__in=[c.key for c in candidates]).values_list("dedupe_key", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        rows = [
            Notice(
                appeal=c.target if isinstance(c.target, Appeal) else None,
                issue=c.target if isinstance(c.target, Issue) else None,
                unit_id=c.unit_id,
                level=c.level,
                text=str(SWEEP_TEXTS[Level(c.level)])
                % {
                    "target": target_label(c.target),
                    "date": day_text(c.deadline, "—"),
                    "answer_by": f"{answer_by:%Y-%m-%d}",
                },
                deadline=c.deadline,
                issued_at=now,
                answer_by=answer_by,
                dedupe_key=c.key,
            )
            for c in candidates
            if c.key not in taken
        ]
    if not rows:
        return []
    # The unique key decides between two sweeps running at once; each delivers only the rows it wrote,
    # which carry its own ``now``.
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Notice.objects.filter(dedupe_key__in=[row.dedupe_key for row in rows], issued_at=now)
        .select_related("unit", "appeal", "issue")
        .order_by("pk")
    )


@transaction.atomic
def sweep(now: dt.datetime | None = None, *, lookback: dt.timedelta = LOOKBACK) -> dict[str, int]:
    """Issue the notices that are due and name late red notices in the briefing. Idempotent: each
    notice has a dedupe key (target, level, deadline), so running it again issues nothing twice.
    Returns how many notices of each level were issued and how many were newly named."""
    now = now or timezone.now()
    cal = calendar()
    today = local_day(now)
    red_day = _working_days_back(cal, today, RED_AFTER)
    oldest = now - lookback
    answer_by = local_day(cal.add_working_days(now, ANSWER_DAYS).at)
    candidates = [
        *_appeal_candidates(now, oldest, end_of_day(red_day)),
        *_issue_candidates(now, cal, local_day(oldest), red_day),
        *_unanswered_yellow(now, oldest),
    ]
    counts = {str(level): 0 for level in SWEEP_LEVELS}
    cache: RecipientCache = {}
    wanted = list({c.key: c for c in candidates}.values())
    for start in range(0, len(wanted), CHUNK):
        for notice in _issue_sweep_notices(wanted[start : start + CHUNK], now, answer_by):
            counts[notice.level] += 1
            _announce(notice, notice.text, None, cache)
    # The red notices not yet named are few (a partial index holds them); check only those.
    unnamed = Notice.objects.filter(level=Level.RED, answer_by__lt=today, briefed_at__isnull=True)
    ids = list(unnamed.values_list("pk", flat=True))
    named = list(briefing_queryset(now).filter(pk__in=ids)) if ids else []
    Notice.objects.filter(pk__in=[n.pk for n in named]).update(briefed_at=now)
    for notice in named:
        record("supervision.notice.brief", actor=None, obj=notice, detail={"unit": notice.unit_id})
    counts["briefed"] = len(named)
    return counts


# --- by hand ---------------------------------------------------------------------------------------


def _view_permission(target: Target) -> str:
    return AppealPerm.VIEW if isinstance(target, Appeal) else LedgerPerm.VIEW


def may_issue(user: Actor, target: Target) -> bool:
    """Whether ``user`` may issue a notice about ``target`` by hand: leaders (the supervision.add_notice
    permission), for a target they may see. The district office (dispatchers) does not: the issue asks
    for leaders' notices, and a notice carries a leader's name. Give the role the permission to change it."""
    unit = target.lead_unit
    return (
        isinstance(user, User)
        and unit is not None
        and can(user, SupervisionPerm.ADD, unit)
        and can(user, _view_permission(target), target)
    )


@transaction.atomic
def issue_notice(target: Target, *, actor: Actor, text: str, answer_by: dt.date | None) -> Notice:
    """A leader's notice (领导督办) about an open appeal or item, to its lead unit, with the date by which
    the unit must answer (required, today or later). Told to the unit's head(s) and handlers."""
    if not may_issue(actor, target):
        raise PermissionDenied(_("Only a supervising leader may issue a notice about this."))
    assert isinstance(actor, User) and target.lead_unit is not None
    if isinstance(target, Appeal):
        target = Appeal.objects.select_for_update(of=("self",)).get(pk=target.pk)
        open_ = target.state in WORKING_STATES
    else:
        target = Issue.objects.select_for_update(of=("self",)).get(pk=target.pk)
        open_ = target.state in OPEN_ISSUE_STATES
    if not open_:
        raise ValidationError(_("Notices are issued only about work still in hand."), code="closed")
    text = text.strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Write what the unit must do or explain.")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("The notice may have at most %(n)d characters.") % {"n": TEXT_MAX}
    if answer_by is None:
        errors["answer_by"] = _("Give the date by which the unit must answer.")
    elif answer_by < local_today():
        errors["answer_by"] = _("The answer date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    assert answer_by is not None and target.lead_unit is not None
    notice = Notice.objects.create(
        appeal=target if isinstance(target, Appeal) else None,
        issue=target if isinstance(target, Issue) else None,
        unit=target.lead_unit,
        level=Level.MANUAL,
        text=text,
        deadline=_target_deadline(target),
        issued_by=actor,
        answer_by=answer_by,
    )
    leader = getattr(getattr(actor, "person", None), "name", "") or actor.get_username()
    with translation.override(settings.LANGUAGE_CODE):
        tell_text = str(TELL_MANUAL) % {
            "target": target_label(target),
            "leader": leader,
            "answer_by": f"{answer_by:%Y-%m-%d}",
        }
    _announce(notice, f"{tell_text} {text}", actor)
    return notice


# --- answers ---------------------------------------------------------------------------------------


def may_answer(user: Actor, notice: Notice) -> bool:
    """Whether ``user`` answers for the notice's unit (its handlers and head, or those of a unit above)."""
    return (
        isinstance(user, User)
        and acts_for(user, notice.unit, (Role.HANDLER, Role.UNIT_HEAD))
        and can(user, SupervisionPerm.VIEW, notice)
    )


@transaction.atomic
def answer_notice(notice: Notice, *, actor: Actor, text: str) -> Notice:
    """The unit's answer to a notice (once only); it is late when given after the answer date. The issuer
    is told, or for a sweep notice the unit's head(s) (and for a red one the supervising leader(s))."""
    notice = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("unit", "appeal", "issue", "issued_by")
        .get(pk=notice.pk)
    )
    if not may_answer(actor, notice):
        raise PermissionDenied(_("Only %(unit)s may answer this notice.") % {"unit": notice.unit.name})
    assert isinstance(actor, User)
    if notice.answered_at is not None:
        raise ValidationError(_("This notice has already been answered."), code="answered")
    text = text.strip()
    if not text:
        raise ValidationError({"answer": _("Write the unit's answer.")})
    if len(text) > ANSWER_MAX:
        raise ValidationError(
            {"answer": _("The answer may have at most %(n)d characters.") % {"n": ANSWER_MAX}}
        )
    notice.answer, notice.answered_by, notice.answered_at = text, actor, timezone.now()
    notice.save(update_fields=["answer", "answered_by", "answered_at"])
    late = notice.late
    if notice.issue is not None:
        log_event(
            notice.issue, EventKind.NOTICE_ANSWERED, actor=actor, note=text, notice=notice.pk, late=late
        )
    record("supervision.notice.answer", actor=actor, obj=notice, detail={"late": late})
    if notice.issued_by_id is not None:
        told = _people([notice.issued_by_id])
    else:
        heads = notices.staff_of([notice.unit], [Role.UNIT_HEAD])
        told = [*heads, *supervisors(notice)] if notice.level == Level.RED else heads
    with translation.override(settings.LANGUAGE_CODE):
        message = TELL_ANSWERED_LATE if late else TELL_ANSWERED
        tell_text = str(message) % {"unit": notice.unit.name, "target": target_label(notice.target)}
    notices.tell(_unique(told, without=actor.pk), tell_text, link=notice_link(notice))
    return notice


# --- the briefing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefingRow:
    """One red notice named in the briefing, with what the page and the weekly message show."""

    notice: Notice
    unit: str
    target: str
    deadline: dt.datetime | None
    overdue_days: int | None  # working days since the deadline, while the work is still overdue
    answered: bool


def briefing_notices(now: dt.datetime | None = None, *, user: Actor = None) -> QuerySet[Notice]:
    """What the periodic briefing names: red notices past their answer date that are unanswered or whose
    appeal / item is still overdue, by unit; only those ``user`` may see when a user is given."""
    notices_ = (
        briefing_queryset(now)
        .select_related("unit", "appeal", "issue")
        .order_by("unit__path", "deadline", "pk")
    )
    return visible(user, notices_) if user is not None else notices_


def briefing_rows(notices_: Iterable[Notice], now: dt.datetime | None = None) -> list[BriefingRow]:
    """The rows the page and the command show for notices of ``briefing_notices``."""
    now = now or timezone.now()
    cal = calendar()
    return [
        BriefingRow(
            notice=n,
            unit=n.unit.name,
            target=target_label(n.target),
            deadline=n.deadline,
            overdue_days=(
                cal.working_days_between(n.deadline, now)
                if n.deadline and work_still_overdue(n, now)
                else None
            ),
            answered=n.answered_at is not None,
        )
        for n in notices_
    ]


def briefing(now: dt.datetime | None = None, *, user: Actor = None) -> list[BriefingRow]:
    """Every row the briefing names (see ``briefing_notices``; pages should page that queryset)."""
    now = now or timezone.now()
    return briefing_rows(briefing_notices(now, user=user), now)


def briefing_counts(now: dt.datetime | None = None) -> list[tuple[str, int]]:
    """How many notices the briefing names per unit (one grouped query), in the order of the unit tree."""
    rows = (
        briefing_queryset(now)
        .order_by()
        .values("unit__path", "unit__name")
        .annotate(n=Count("pk"))
        .order_by("unit__path")
    )
    return [(row["unit__name"], row["n"]) for row in rows]


def briefing_summary(counts: Sequence[tuple[str, int]]) -> str:
    """One paragraph for the weekly message: how many, and how many per unit."""
    total = sum(n for _unit, n in counts)
    head = ngettext(
        "Supervision briefing: %(n)d red-card notice is past its answer date.",
        "Supervision briefing: %(n)d red-card notices are past their answer date.",
        total,
    ) % {"n": total}
    return " ".join([head, "; ".join(f"{unit} {n}" for unit, n in counts)]).strip()


def briefing_link(week: dt.date) -> str:
    return f"{reverse('supervision:briefing')}?week={week:%Y-%m-%d}"


@transaction.atomic
def send_weekly_briefing(week: dt.date, now: dt.datetime | None = None) -> int:
    """Tell the district's leaders and dispatchers what the briefing names this week (nothing when it
    names nothing). Safe to repeat: whoever already has this week's briefing is not told again.
    Returns how many people were told."""
    counts = briefing_counts(now)
    if not counts:
        return 0
    link = briefing_link(week)
    already = set(StaffNotice.objects.filter(link=link).values_list("user_id", flat=True))
    people = [
        p
        for p in Person.objects.filter(
            role__in=[Role.LEADER, Role.DISPATCHER], is_active=True, user__isnull=False, user__is_active=True
        ).select_related("user")
        if p.user_id not in already
    ]
    if not people:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        text = briefing_summary(counts)
    told = notices.tell(people, text, link=link)
    record(
        "supervision.briefing.send",
        actor=None,
        detail={"week": week.isoformat(), "named": sum(n for _unit, n in counts), "told": told},
    )
    return told
