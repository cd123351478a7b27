"""Filters of the staff lists of appeals: one GET form whose filters all combine and survive paging.

Built for a million rows on PostgreSQL: every filter is a plain condition on an indexed column or a
small join, the due status is computed in SQL from ``rules.due_filter`` (never stored), and the
ordering follows an index (received time, or the deadline when filtering by due status).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.db import connections
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from minyi.appeals import words
from minyi.appeals.access import AppealPerm
from minyi.appeals.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    ANSWERED_STATES,
    OPEN_STATES,
    TERMINAL_STATES,
    TRIAGE_STATES,
    WORKING_STATES,
    Channel,
    DueStatus,
    Kind,
    State,
)
from minyi.appeals.forms.staff import DISPATCH_KINDS
from minyi.appeals.models import Appeal, Assignment, Category
from minyi.appeals.rules import due_filter
from minyi.dates import day_start
from minyi.fields import CategoryChoice, UnitChoice
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import person_of, visible

#: Named groups of states offered beside the single states (待交办, 办理中, 已答复, 已办结).
STATE_GROUPS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "triage": (_("Waiting for dispatch"), TRIAGE_STATES),
    "working": (_("Being handled"), WORKING_STATES),
    "open": (_("Open (waiting or being handled)"), OPEN_STATES),
    "answered": (_("Replied, waiting for the follow-up"), ANSWERED_STATES),
    "finished": (_("Finished (closed, rejected or merged)"), TERMINAL_STATES),
}
DUE_CHOICES = (DueStatus.OVERDUE, DueStatus.DUE_SOON, DueStatus.ON_TRACK, DueStatus.PAUSED)
#: The text search reads at most this many matches from the words index before choosing its way.
PROBE = 1000
#: Lists filtered by these due statuses are ordered by the deadline (most urgent first).
DEADLINE_ORDER = (DueStatus.OVERDUE, DueStatus.DUE_SOON, DueStatus.ON_TRACK)


def _label(field: str) -> Any:
    return capfirst(getattr(Appeal._meta.get_field(field), "verbose_name", field))


class AppealFilterForm(forms.Form):
    """The filters of the appeal list (and of its Excel export)."""

    q = forms.CharField(
        label=_("Number, title or text contains"), max_length=50, required=False, widget=forms.SearchInput
    )
    state = forms.ChoiceField(label=_label("state"), required=False)
    due = forms.ChoiceField(
        label=_("Due status"),
        required=False,
        choices=[("", _("Any")), *[(d.value, d.label) for d in DUE_CHOICES]],
    )
    category = CategoryChoice(
        queryset=Category.objects.none(), required=False, label=_label("category"), empty_label=_("Any")
    )
    township = UnitChoice(
        queryset=Unit.objects.none(), required=False, label=_label("township"), empty_label=_("Any")
    )
    channel = forms.ChoiceField(
        label=_label("channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )
    kind = forms.ChoiceField(label=_label("kind"), required=False, choices=[("", _("Any")), *Kind.choices])
    lead_unit = UnitChoice(
        queryset=Unit.objects.none(), required=False, label=_label("lead_unit"), empty_label=_("Any")
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    mine = forms.BooleanField(label=_("Only what my unit holds now"), required=False)
    my_part = forms.BooleanField(label=_("Only my paired places and the items I supervise"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [  # type: ignore[attr-defined]
            ("", _("All states")),
            (_("Groups"), [(key, label) for key, (label, _states) in STATE_GROUPS.items()]),
            (_("States"), State.choices),
        ]
        self.fields["category"].queryset = Category.objects.select_related("parent")  # type: ignore[attr-defined]
        self.fields["township"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            kind=UnitKind.TOWNSHIP, is_active=True
        ).order_by("path")
        self.fields["lead_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            kind__in=DISPATCH_KINDS, is_active=True
        ).order_by("path")

    def clean_q(self) -> str:
        return words.check_query(self.cleaned_data.get("q") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filters (for the audit record of an export)."""
        data = getattr(self, "cleaned_data", {})
        return {k: str(getattr(v, "pk", v)) for k, v in data.items() if v not in (None, "", False)}


@dataclass(frozen=True)
class Tab:
    """One of a role's own lists over the appeal list (待交办, 待办理 …): a name and its filters."""

    key: str
    label: Any
    params: dict[str, str]

    @property
    def query(self) -> str:
        return urlencode({"tab": self.key, **self.params})


#: The tabs, each offered to whoever passes its test (in this order); dispatch tabs only to dispatchers.
_DISPATCH_TABS = [
    Tab("triage", _("Waiting for dispatch"), {"state": "triage"}),
    Tab("dups", _("Possible duplicates"), {"state": "triage", "dups": "on"}),
]
_UNIT_TABS = [
    Tab("todo", _("To handle"), {"state": "open", "mine": "on"}),
    Tab("accept", _("To accept"), {"state": State.DISPATCHED.value, "mine": "on"}),
    Tab("working", _("In progress"), {"state": State.IN_PROGRESS.value, "mine": "on"}),
    Tab("unit_overdue", _("Overdue"), {"due": DueStatus.OVERDUE.value, "mine": "on"}),
]
_FOLLOW_UP_TAB = Tab("follow_up", _("To follow up"), {"state": "answered"})
_OVERDUE_TAB = Tab("overdue", _("Overdue"), {"due": DueStatus.OVERDUE.value})
_DUE_SOON_TAB = Tab("due_soon", _("Due soon"), {"due": DueStatus.DUE_SOON.value})
_MINE_TAB = Tab("my_part", _("My paired places and items"), {"my_part": "on", "state": ""})
_OPEN_TAB = Tab("open", _("Open"), {"state": "open"})
_ALL_TAB = Tab("all", _("All appeals"), {"state": ""})
TABS: dict[str, Tab] = {
    tab.key: tab
    for tab in [*_DISPATCH_TABS, *_UNIT_TABS, _FOLLOW_UP_TAB, _OVERDUE_TAB, _DUE_SOON_TAB, _MINE_TAB,
                _OPEN_TAB, _ALL_TAB]
}  # fmt: skip


def tabs_for(user: User | AnonymousUser) -> list[Tab]:
    """The role's own lists, its usual one first: dispatchers their inbox, unit staff their unit's work,
    operators the replies to follow up, leaders their paired places, everyone else what they may open."""
    person = person_of(user)
    tabs: list[Tab] = []
    if user.has_perm(AppealPerm.DISPATCH):
        tabs += [*_DISPATCH_TABS, _OVERDUE_TAB, _DUE_SOON_TAB]
    if user.has_perm(AppealPerm.HANDLE) and person is not None:
        tabs += _UNIT_TABS
    if user.has_perm(AppealPerm.FOLLOW_UP):
        tabs.append(_FOLLOW_UP_TAB)
    if person is not None and person.role == Role.LEADER:
        tabs.append(_MINE_TAB)
    if not tabs:
        tabs.append(_OPEN_TAB)
    if not any(tab.params.get("due") == DueStatus.OVERDUE for tab in tabs):
        tabs.append(_OVERDUE_TAB)
    return [*tabs, _ALL_TAB]


def default_filters(user: User | AnonymousUser) -> dict[str, str]:
    """What a role sees before choosing filters: its first tab (tabs_for)."""
    return {name: value for name, value in tabs_for(user)[0].params.items() if name != "dups"}


def tab_count(user: User | AnonymousUser, key: str, *, now: dt.datetime) -> int:
    """How many appeals the user's tab ``key`` lists (one COUNT, by the list's own filters)."""
    form = AppealFilterForm(TABS[key].params)
    form.is_valid()
    queryset = apply_filters(visible(user, Appeal.objects.all()), form.cleaned_data, user=user, now=now)
    return queryset.count()


def _category_and_below(category: Category) -> list[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.append(pk)
            todo.extend(children[pk])
    return found


def text_match(query: str, db: str = "default") -> Q:
    """The appeals whose title and body hold every word of ``query`` (see minyi/appeals/words.py), or
    whose tracking number it is.

    On PostgreSQL the way is chosen here, as the planner cannot: it takes words as independent, and the
    words of one problem come together (路灯 + 坏: it expects 140 appeals of 100,000, there are 3,700), so
    it reads every match to sort them where walking the newest appeals would find a page at once; and
    words it expects often may never come together (路灯 + 低保: a walk would read the whole table). So
    the words index is asked for at most ``PROBE + 1`` matches (cheap, it stops there): fewer, and the
    list is chosen among them; more, and the words are common together: walk the newest appeals.
    Measured in docs/design.md ("Search")."""
    wanted = tuple(words.required(words.query_words(query)))
    number = Q(number=query)
    if connections[db].vendor != "postgresql":
        return Q(search_words__all_words=wanted) | number
    found = Appeal.objects.using(db).filter(search_words__all_words=wanted).order_by()
    probe = list(found.values_list("pk", flat=True)[: PROBE + 1])
    if len(probe) <= PROBE:
        return Q(pk__in=probe) | number
    return Q(search_words__all_words_scan=wanted) | number


def apply_filters(
    queryset: QuerySet[Appeal], data: dict[str, Any], *, user: User | AnonymousUser, now: dt.datetime
) -> QuerySet[Appeal]:
    """Narrow ``queryset`` by the cleaned filter ``data`` (invalid or empty filters are left out)."""
    state = data.get("state") or ""
    if state in STATE_GROUPS:
        queryset = queryset.filter(state__in=STATE_GROUPS[state][1])
    elif state:
        queryset = queryset.filter(state=state)
    if due := data.get("due"):
        queryset = queryset.filter(due_filter(due, now))
    if category := data.get("category"):
        queryset = queryset.filter(category__in=_category_and_below(category))
    for name in ("township", "lead_unit", "channel", "kind"):
        if value := data.get(name):
            queryset = queryset.filter(**{name: value})
    if start := data.get("received_from"):
        queryset = queryset.filter(received_at__gte=day_start(start))
    if end := data.get("received_to"):
        queryset = queryset.filter(received_at__lt=day_start(end + dt.timedelta(days=1)))
    if query := (data.get("q") or "").strip():
        queryset = queryset.filter(text_match(query, queryset.db))
    if data.get("my_part"):
        from minyi.outreach.leaders import mine_appeals, mine_of  # (outreach builds on appeals)

        queryset = queryset.filter(pk__in=mine_appeals(mine_of(user)).values("pk"))
    if data.get("mine"):
        person = person_of(user)
        if person is None:
            return queryset.none()
        held = Assignment.objects.filter(
            appeal=OuterRef("pk"), unit__path__startswith=person.unit.path, state__in=ACTIVE_ASSIGNMENT_STATES
        )
        queryset = queryset.filter(Exists(held))
    return queryset


def with_due_status(queryset: QuerySet[Appeal], now: dt.datetime) -> QuerySet[Appeal]:
    """Annotate ``due_state`` (a DueStatus value) in SQL, by the same rule as ``rules.due_status``."""
    whens = [When(due_filter(status, now), then=Value(status.value)) for status in DUE_CHOICES]
    return queryset.annotate(
        due_state=Case(*whens, default=Value(DueStatus.NONE.value), output_field=CharField())
    )


def ordered(queryset: QuerySet[Appeal], data: dict[str, Any]) -> QuerySet[Appeal]:
    """Newest first; by deadline when looking at overdue / due-soon / on-track work."""
    if data.get("due") in DEADLINE_ORDER:
        return queryset.order_by("deadline", "id")
    return queryset.order_by("-received_at", "-id")
