"""What the home page offers each signed-in user, by role and permission.

Each app declares its own links in its ``menu.py`` with ``register_menu``, each with the check that
decides who sees it; OrgConfig.ready imports every ``menu.py`` at start-up (as the admin finds every
``admin.py``). This module keeps the sections and lays out one user's menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minyi.org.choices import Role
from minyi.org.permissions import AnyUser, can, person_of, scope_of

#: One sentence per role saying what the person does here (docs/design.md, "Roles").
ROLE_WORK: dict[str, Promise] = {
    Role.OPERATOR: _("Record calls, letters and walk-ins quickly, and symposium opinions in batches."),
    Role.DISPATCHER: _(
        "Check each new appeal's category and unit, dispatch it, merge duplicates and approve extensions."
    ),
    Role.HANDLER: _(
        "Accept the appeals handed to your unit, work on them, report progress and draft replies."
    ),
    Role.UNIT_HEAD: _("Approve your unit's replies and sign-offs, and watch your unit's ledger."),
    Role.LEADER: _("Supervise your rectification items to sign-off and visit your paired villages."),
    Role.CADRE: _("Log your visits and diaries, and attend study sessions."),
    Role.MEMBER: _("Attend study sessions, also offline, and see your branch's activities."),
    Role.AUDITOR: _("Read everything, and the audit trail of who did what; you change nothing."),
    Role.ADMIN: _("Keep units, people, roles and settings in order; import them from Excel."),
}


#: The home page's sections, in the order shown.
WORK, STUDY, ORG, OVERSIGHT = "work", "study", "org", "oversight"
SECTION_TITLES: dict[str, Promise] = {
    WORK: _("Appeals"),
    STUDY: _("Study"),
    ORG: _("Organisation"),
    OVERSIGHT: _("Oversight"),
}

#: Whether a user sees a link.
Shown = Callable[[AnyUser], bool]


@dataclass(frozen=True)
class Entry:
    """A link an app offers on the home page."""

    label: Promise
    url_name: str
    hint: Promise | str
    shown: Shown


#: (section, place in the section) → the entry there.
_entries: dict[tuple[str, int], Entry] = {}


def register_menu(
    section: str, place: int, label: Promise, url_name: str, hint: Promise | str = "", *, shown: Shown
) -> None:
    """Offer the link to the page ``url_name`` in ``section`` at ``place`` (links are shown by place;
    the apps leave gaps of 10), to whoever ``shown(user)`` admits."""
    if section not in SECTION_TITLES:
        raise ValueError(f"no home page section {section!r}")
    taken = _entries.get((section, place))
    if taken is not None and taken.url_name != url_name:
        raise ValueError(f"{taken.url_name} is already at {place} in the section {section!r}")
    _entries[(section, place)] = Entry(label, url_name, hint, shown)


def allowed(*permissions: str) -> Shown:
    """Shown to whoever may do any of ``permissions``."""
    return lambda user: any(can(user, permission) for permission in permissions)


@dataclass
class Link:
    label: Promise | str
    url: str
    hint: Promise | str = ""


@dataclass
class Section:
    title: Promise | str
    links: list[Link] = field(default_factory=list)


def home_sections(user: AnyUser) -> dict[str, object]:
    """The role summary and the sections of links this user may use."""
    person = person_of(user)
    return {
        "person": person,
        "role_work": ROLE_WORK.get(person.role, "") if person else "",
        "scope": scope_of(user),
        "sections": _sections(user),
    }


def _sections(user: AnyUser) -> list[Section]:
    sections = {key: Section(title) for key, title in SECTION_TITLES.items()}
    for (section, _place), entry in sorted(_entries.items()):
        if entry.shown(user):
            sections[section].links.append(Link(entry.label, reverse(entry.url_name), entry.hint))
    return [section for section in sections.values() if section.links]


# --- the desk: the menu every staff page keeps, its work queues and the review list -----------------

#: Counts how many things wait in a queue for a user (one query, or a few on indexed columns).
Counter = Callable[[AnyUser], int]


@dataclass(frozen=True)
class Queue:
    """A work queue an app offers in the menu of every staff page, with its count (待交办 N)."""

    label: Promise
    url_name: str
    query: str
    shown: Shown
    count: Counter


#: place → the queue there (shown by place; the apps leave gaps of 10).
_queues: dict[int, Queue] = {}


def register_queue(
    place: int, label: Promise, url_name: str, *, query: str = "", shown: Shown, count: Counter
) -> None:
    """Offer the queue at ``url_name?query`` in the menu of every staff page, counted by ``count(user)``,
    to whoever ``shown(user)`` admits."""
    taken = _queues.get(place)
    if taken is not None and (taken.url_name, taken.query) != (url_name, query):
        raise ValueError(f"{taken.url_name}?{taken.query} is already the queue at {place}")
    _queues[place] = Queue(label, url_name, query, shown, count)


@dataclass
class QueueLink:
    label: Promise | str
    url: str
    count: int | None  # None: not counted yet


@dataclass(frozen=True)
class ReviewItem:
    """One thing waiting for a decision on the review list (待审核), linking to where it is decided."""

    kind: Promise | str
    title: str
    unit: str
    since: object  # an aware datetime
    url: str
    note: Promise | str = ""


@dataclass(frozen=True)
class ReviewSource:
    """What an app puts on the review list: its items for a user and how many there are."""

    shown: Shown
    items: Callable[[AnyUser, int], list[ReviewItem]]
    count: Counter


#: place → the review source there.
_reviews: dict[int, ReviewSource] = {}


def register_review(
    place: int,
    *,
    shown: Shown,
    items: Callable[[AnyUser, int], list[ReviewItem]],
    count: Counter,
) -> None:
    """Put ``items(user, limit)`` on the review list (待审核) of whoever ``shown(user)`` admits; ``count``
    says how many there are in all (for the menu and the heading)."""
    _reviews[place] = ReviewSource(shown, items, count)


def review_sources(user: AnyUser) -> list[ReviewSource]:
    return [source for _place, source in sorted(_reviews.items()) if source.shown(user)]


def may_review(user: AnyUser) -> bool:
    """Whether the user has a review list (待审核) at all."""
    return bool(review_sources(user))


def review_count(user: AnyUser) -> int:
    return sum(source.count(user) for source in review_sources(user))


def review_items(user: AnyUser, limit: int = 200) -> list[ReviewItem]:
    """What waits for the user's decision, oldest first (at most ``limit`` of each kind)."""
    found = [item for source in review_sources(user) for item in source.items(user, limit)]
    return sorted(found, key=lambda item: item.since)  # type: ignore[arg-type,return-value]


def desk_queues(user: AnyUser, *, counted: bool) -> list[QueueLink]:
    """The user's work queues for the menu; with their counts (a query or a few each) if ``counted``.
    Pages show them without counts and fetch the counts after loading (``/desk/queues/``), so that no
    page waits for them."""
    return [
        QueueLink(queue.label, reverse(queue.url_name) + (f"?{queue.query}" if queue.query else ""),
                  queue.count(user) if counted else None)
        for _place, queue in sorted(_queues.items())
        if queue.shown(user)
    ]  # fmt: skip


def desk_menu(user: AnyUser) -> dict[str, object]:
    """The menu every staff page keeps: the user's queues (their counts come later), then the home
    page's sections. Empty for a login that has no work here."""
    return {"queues": desk_queues(user, counted=False), "sections": _sections(user)}
