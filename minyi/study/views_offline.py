"""Offline capture of study attendance (issue 7): an installed web app under /study/offline/.

The page is a shell that a service worker keeps on the phone; it fetches the sessions and members the
user may record for (``data``), keeps records on the device with a client-made uid, and posts them to
``sync`` when the network is back. The sync hands the batch to ``rules.record_attendance_batch``, which
counts a record sent twice once and reports conflicts and bad records one by one.

A plain member (responsible for no branch, no organiser) records only their own attendance, with the
code of the session they saw there. Leaders and cadres also record visits (走访) on the same page; they
wait on the phone with the attendance and go to ``visit_sync`` (``outreach.rules.record_visits_batch``)
with the same button.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minyi.dates import minute_text
from minyi.offline_batch import BatchResult
from minyi.org.choices import RESIDENTIAL_KINDS
from minyi.org.models import Unit
from minyi.org.permissions import can, person_of, scope_filter
from minyi.outreach import rules as outreach_rules
from minyi.outreach.access import OutreachPerm
from minyi.outreach.choices import NOTED_ITEMS, Checklist
from minyi.study import rules
from minyi.study.access import StudyPerm
from minyi.study.models import Attendance, Branch, Membership, Session

#: Sessions offered: from this many days back to this many days ahead.
DAYS_BACK = 60
DAYS_AHEAD = 30
#: Most sessions and members sent to a phone, and most records accepted in one sync request.
MAX_SESSIONS = 200
MAX_MEMBERS = 3000
MAX_BATCH = 500
#: Most villages sent to a visitor's phone.
MAX_VILLAGES = 2000
#: Bump to make every phone fetch the shell and its files again.
SHELL_VERSION = "1"
#: Static files the shell needs, cached on the phone by the service worker.
SHELL_STATIC = (
    "minyi/site.css",
    "vendor/htmx.min.js",
    "minyi/offline/offline.css",
    "minyi/offline/offline.js",
    "minyi/offline/icon.svg",
)


def _strings() -> dict[str, str]:
    """The page's messages, translated here so the page speaks the user's language offline."""
    return {
        "waiting_one": ngettext("%(n)s record waiting to be sent", "%(n)s records waiting to be sent", 1),
        "waiting_other": ngettext("%(n)s record waiting to be sent", "%(n)s records waiting to be sent", 2),
        "saved": _("Saved on this phone: %(n)s."),
        "pick_session": _("Choose a session first."),
        "pick_members": _("Tick at least one member."),
        "nothing": _("Nothing is waiting to be sent."),
        "sending": _("Sending…"),
        "no_network": _("No network: the records stay on this phone and are sent when the network is back."),
        "login": _("Your login has expired: log in again, then send. The records stay on this phone."),
        "stale": _("This page is out of date: open it again with network, then send."),
        "failed": _("The server could not take the records now; they stay on this phone. Try again later."),
        "log_in": _("Log in"),
        "online": _("Online"),
        "offline": _("Offline: records are kept on this phone"),
        "data_at": _("Sessions and members as of %(time)s."),
        "no_data": _("Open this page once with network to load your sessions and members."),
        "empty": _(
            "There are no sessions you can record for between %(back)d days ago and %(ahead)d days ahead."
        )
        % {"back": DAYS_BACK, "ahead": DAYS_AHEAD},
        "already": _("already recorded"),
        "queued": _("waiting to be sent"),
        "mobile": _("mobile member"),
        "conflict": _("Conflict"),
        "error": _("Not accepted"),
        "dismiss": _("Dismiss"),
        "no_last": _("No batch has been sent from this phone yet."),
        "last_batch_one": ngettext("Last batch sent: %(n)s record.", "Last batch sent: %(n)s records.", 1),
        "last_batch_other": ngettext("Last batch sent: %(n)s record.", "Last batch sent: %(n)s records.", 2),
        "code_needed": _("Type the code of this session to record your own attendance."),
        "code_label": _("code %(code)s"),
        "saved_own": _("Saved on this phone: your attendance, with the code %(code)s."),
        "visit_label": _("Visit"),
        "pick_village": _("Choose the village or community visited."),
        "pick_date": _("Give the date of the visit."),
        "saved_visit": _("The visit is saved on this phone."),
        "difficulty": _("Difficulty"),
        "handled": _("Handled on the spot"),
        "resolution": _("How it was handled"),
        "remove": _("Remove"),
        "roll_one": ngettext("%(n)s member invited", "%(n)s members invited", 1),
        "roll_other": ngettext("%(n)s member invited", "%(n)s members invited", 2),
        "roll_none": _("None of your members is invited to this session."),
        "roll_found": _("%(shown)s of %(n)s shown"),
    }


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """The shell: session picker, member roll, waiting records and the send button (all drawn by
    offline.js from the data kept on the phone)."""
    config = {
        "user": request.user.pk,
        "dataUrl": reverse("study:offline_data"),
        "syncUrl": reverse("study:offline_sync"),
        "visitSyncUrl": reverse("study:offline_visit_sync"),
        "swUrl": reverse("study:offline_sw"),
        "scope": reverse("study:offline"),
        "loginUrl": f"{reverse('login')}?next={reverse('study:offline')}",
        "csrf": get_token(request),
        "maxBatch": MAX_BATCH,
        "strings": _strings(),
    }
    context = {
        "config": config,
        "may_visit": can(request.user, OutreachPerm.ADD_VISIT),
        "checklist": [(item.value, item.label) for item in NOTED_ITEMS],
        "diary_label": Checklist.DIARY.label,
    }
    return render(request, "study/offline.html", context)


def _window() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now - dt.timedelta(days=DAYS_BACK), now + dt.timedelta(days=DAYS_AHEAD)


def _roll(request: HttpRequest) -> QuerySet[Membership]:
    """Members the user may record for: every member in scope for an organiser; the members of the
    branches a member is responsible for; otherwise only the member themself."""
    user = request.user
    person = person_of(user)
    active = Membership.objects.filter(is_active=True)
    found = active.none()
    if can(user, StudyPerm.ORGANISE):
        found = scope_filter(user, active, "current_branch__unit__path")
    if person is not None:
        responsible = Branch.objects.filter(responsible=person, is_active=True).values("pk")
        found = found | active.filter(Q(current_branch__in=responsible) | Q(home_branch__in=responsible))
        if not found.exists():
            found = active.filter(person=person)
    return found


def _records_only_self(request: HttpRequest) -> bool:
    """A plain member: no organiser and responsible for no branch, so they record only themself (with
    the session's code)."""
    person = person_of(request.user)
    if person is None or can(request.user, StudyPerm.ORGANISE):
        return False
    return not Branch.objects.filter(responsible=person, is_active=True).exists()


def _villages(request: HttpRequest) -> list[dict[str, Any]]:
    """The villages and communities of the user's scope, for visits recorded offline."""
    if not can(request.user, OutreachPerm.ADD_VISIT):
        return []
    found = scope_filter(request.user, Unit.objects.filter(kind__in=RESIDENTIAL_KINDS), "path")
    return [
        {"id": unit.pk, "name": unit.name, "township": unit.parent.name if unit.parent else ""}
        for unit in found.select_related("parent").order_by("path")[:MAX_VILLAGES]
    ]


def _sessions(request: HttpRequest, members: list[Membership]) -> QuerySet[Session]:
    """Sessions of the window that invite the members' branches (or are open to all), and for an
    organiser every session in scope."""
    start, end = _window()
    branch_ids = {m.current_branch_id for m in members} | {m.home_branch_id for m in members}
    sessions = Session.objects.filter(starts_at__gte=start, starts_at__lte=end)
    wanted = (
        sessions.filter(Q(branches__in=branch_ids) | Q(branches__isnull=True)) if members else sessions.none()
    )
    if can(request.user, StudyPerm.ORGANISE):
        wanted = wanted | scope_filter(request.user, sessions, "activity__unit__path")
    ids = wanted.values("pk")
    return (
        Session.objects.filter(pk__in=ids)
        .select_related("activity")
        .order_by("-starts_at", "-id")[:MAX_SESSIONS]
    )


@login_required
@require_GET
def data(request: HttpRequest) -> JsonResponse:
    """What the phone keeps: the sessions (each with the branches it invites; none: open to all) and
    the members (grouped by current branch, with their home branch) the user may record for, which
    of them are already recorded, and a fresh CSRF token for the sync. The page shows for a session
    only the members of the branches it invites."""
    members = list(
        _roll(request)
        .select_related("person", "current_branch", "home_branch")
        .order_by("current_branch__code", "person__name", "pk")[:MAX_MEMBERS]
    )
    sessions = list(_sessions(request, members))
    invited: dict[int, list[int]] = {s.pk: [] for s in sessions}
    for session_id, branch_id in Session.branches.through.objects.filter(
        session__in=[s.pk for s in sessions]
    ).values_list("session_id", "branch_id"):
        invited[session_id].append(branch_id)
    person_ids = [m.person_id for m in members]
    attended: dict[int, list[int]] = {s.pk: [] for s in sessions}
    for session_id, person_id in Attendance.objects.filter(
        session__in=[s.pk for s in sessions], person__in=person_ids
    ).values_list("session_id", "person_id"):
        attended[session_id].append(person_id)
    groups: dict[int, dict[str, Any]] = {}
    for membership in members:
        branch = membership.current_branch
        group = groups.setdefault(
            branch.pk,
            {"id": branch.pk, "name": branch.name, "kind": branch.get_kind_display(), "members": []},
        )
        group["members"].append(
            {
                "id": membership.person_id,
                "name": membership.person.name,
                "mobile": membership.mobile,
                "whereabouts": membership.whereabouts,
                "home": membership.home_branch_id,
                "home_name": membership.home_branch.name,
            }
        )
    person = person_of(request.user)
    payload = {
        "user": request.user.pk,
        "me": person.pk if person is not None else None,
        "self_only": _records_only_self(request),
        "villages": _villages(request),
        "generated_at": minute_text(timezone.now()),
        "csrf": get_token(request),
        "sessions": [
            {
                "id": s.pk,
                "topic": s.topic,
                "activity": s.activity.title,
                "starts_at": minute_text(s.starts_at),
                "place": s.ship or s.place,
                "attended": attended[s.pk],
                "branches": sorted(invited[s.pk]),
            }
            for s in sessions
        ],
        "branches": list(groups.values()),
    }
    response = JsonResponse(payload)
    add_never_cache_headers(response)
    return response


def _refuse(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


def _batch(request: HttpRequest) -> list[Any] | JsonResponse:
    """The records of a sync request, or the 400 answer that refuses the whole body."""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _refuse(_("Send the records as JSON."))
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        return _refuse(_("The batch must have a list of records."))
    if len(records) > MAX_BATCH:
        return _refuse(_("Send at most %(n)d records at a time.") % {"n": MAX_BATCH})
    return records


def _answer(result: BatchResult) -> JsonResponse:
    answer = result.as_dict()
    answer["message"] = _(
        "%(recorded)d recorded, %(already)d already there, %(errors)d not accepted, "
        "%(conflicts)d in conflict."
    ) % {
        "recorded": len(result.recorded),
        "already": len(result.already),
        "errors": len(result.errors),
        "conflicts": len(result.conflicts),
    }
    return JsonResponse(answer)


@login_required
@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    """Take a batch ``{"records": [{"uid", "session", "member", "code"?}, …]}`` captured offline; answer
    what became of each record (recorded, already there, errors and conflicts by index) and a summary.
    A member's own record carries the session's ``code``."""
    records = _batch(request)
    if isinstance(records, JsonResponse):
        return records
    return _answer(rules.record_attendance_batch(records, actor=request.user))


@login_required
@require_POST
def visit_sync(request: HttpRequest) -> JsonResponse:
    """Take a batch of visits recorded offline ``{"records": [{"uid", "visited_on", "village",
    "household", <checklist>, "diary_text", "difficulties"}, …]}`` (see
    ``outreach.rules.read_offline_visit``); the answer has the shape of the attendance sync."""
    if not can(request.user, OutreachPerm.ADD_VISIT):
        return JsonResponse({"error": _("Only leaders and cadres record visits.")}, status=403)
    records = _batch(request)
    if isinstance(records, JsonResponse):
        return records
    return _answer(outreach_rules.record_visits_batch(records, actor=request.user))


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, so the page can be installed on the phone's home screen (public: browsers
    fetch it without cookies)."""
    scope = reverse("study:offline")
    response = JsonResponse(
        {
            "name": _("Minyi · study check-in"),
            "short_name": _("Study check-in"),
            "description": _("Record study attendance with no network; it is sent when back in port."),
            "lang": get_language(),
            "start_url": scope,
            "scope": scope,
            "display": "standalone",
            "background_color": "#f6f8fa",
            "theme_color": "#b4232a",
            "icons": [
                {"src": static("minyi/offline/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
                {
                    "src": static("minyi/offline/icon.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                    "purpose": "maskable",
                },
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
    return response


def _shell_urls() -> list[str]:
    return [
        reverse("study:offline"),
        reverse("study:offline_manifest"),
        *(static(path) for path in SHELL_STATIC),
    ]


def _shell_version() -> str:
    """A digest of the shell's files, so a changed file makes the phone's service worker update."""
    digest = hashlib.sha256(SHELL_VERSION.encode())
    for path in SHELL_STATIC:
        found = finders.find(path)
        if isinstance(found, str):
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /study/offline/ so that it may control that path: it caches the
    shell and serves it from the cache when there is no network (network first); the sync is never
    cached. Public, like any script: it holds no personal data."""
    response = render(
        request,
        "study/offline_sw.js",
        {
            "cache_name": f"minyi-offline-{_shell_version()}",
            "shell": json.dumps(reverse("study:offline")),
            "urls": json.dumps(_shell_urls()),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = reverse("study:offline")
    add_never_cache_headers(response)
    return response
