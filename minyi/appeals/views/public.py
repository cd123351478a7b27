"""The citizens' pages (no account): leave a message, get its number and query code, follow it, rate
the reply and add information the unit asked for. Every change goes through minyi.appeals.rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi import ratelimit
from minyi.appeals import rules
from minyi.appeals.choices import (
    PUBLIC_EVENTS,
    WORKING_STATES,
    Channel,
    EventKind,
    FollowupBy,
    ReplyState,
    Satisfaction,
    State,
    WaitingFor,
)
from minyi.appeals.echo import mask_for_public
from minyi.appeals.forms.public import InformationForm, RateForm, SubmitForm, TrackForm
from minyi.appeals.models import Appeal, AppealEvent, Attachment, Pause
from minyi.appeals.uploads import MAX_FILE_BYTES, MAX_FILES, serve
from minyi.dates import day_text
from minyi.privacy import mask_address, mask_name, mask_phone, mask_text

#: The number and query code of the appeal just stored, shown once on the done page.
SESSION_DONE = "minyi_appeal_done"
#: Ids of the appeals this browser proved it knows the code of (by submitting or tracking).
SESSION_TRACKED = "minyi_tracked_appeals"
TRACKED_MAX = 20

TEMPLATE_NEW = "appeals/public/new.html"
TEMPLATE_TRACK = "appeals/public/track.html"
TEMPLATE_STATUS = "appeals/public/status.html"


# --- session ---------------------------------------------------------------------------------


def _tracked(request: HttpRequest) -> list[int]:
    return [int(pk) for pk in request.session.get(SESSION_TRACKED, [])]


def _remember(request: HttpRequest, appeal: Appeal) -> None:
    ids = [pk for pk in _tracked(request) if pk != appeal.pk]
    request.session[SESSION_TRACKED] = [*ids, appeal.pk][-TRACKED_MAX:]


def _to_track_form(number: str) -> HttpResponseRedirect:
    return redirect(f"{reverse('public:track')}?{urlencode({'number': number[:20]})}")


def _tracked_appeal(request: HttpRequest, number: str) -> Appeal | None:
    """The appeal with this number, only if this browser showed its query code before."""
    tracked = _tracked(request)
    if not tracked:
        return None
    return (
        Appeal.objects.select_related("lead_unit", "township", "village", "master__lead_unit")
        .filter(number=number, pk__in=tracked)
        .first()
    )


# --- submitting ------------------------------------------------------------------------------


def _new_page(
    request: HttpRequest, form: SubmitForm, *, status: int = 200, limited: bool = False
) -> HttpResponse:
    context = {
        "form": form,
        "limited": limited,
        "body_max": rules.BODY_MAX,
        "title_max": rules.TITLE_MAX,
        "max_files": MAX_FILES,
        "max_mb": MAX_FILE_BYTES // 2**20,
        "files_lost": bool(request.FILES) and status != 200,
    }
    return render(request, TEMPLATE_NEW, context, status=status)


def _add_rule_error(form: SubmitForm, error: ValidationError) -> None:
    """Show a rule's refusal beside the form field it is about (the rules call the files "files")."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = "uploads" if field == "files" else field
        form.add_error(name if name in form.fields else None, ValidationError(errors))


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """The submission form of the online mailbox; the number and code appear only once stored."""
    if request.method != "POST":
        return _new_page(request, SubmitForm())
    if not ratelimit.hit(request, "appeal_submit"):
        # Keep what was typed (unvalidated) so that nothing is lost while the citizen waits.
        return _new_page(request, SubmitForm(initial=request.POST.dict()), status=429, limited=True)
    form = SubmitForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            submission = rules.submit(
                channel=Channel.MAILBOX,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                township=data["township_unit"],
                village=data["village_unit"],
                address=data["address"],
                citizen_name=data["name"],
                citizen_phone=data["phone"],
                citizen_email=data["email"],
                concerns_unit=data["concerns_unit_obj"],
                files=data["uploads"],
            )
        except ValidationError as error:
            _add_rule_error(form, error)
        else:
            # rules.submit has committed (no ATOMIC_REQUESTS): the appeal is stored before the
            # number and code are shown.
            request.session[SESSION_DONE] = {
                "number": submission.appeal.number,
                "code": submission.query_code,
            }
            _remember(request, submission.appeal)
            return redirect("public:done")
    return _new_page(request, form, status=400)


@never_cache
def done(request: HttpRequest) -> HttpResponse:
    """Show the number and query code once; a reload shows them no more."""
    shown = request.session.pop(SESSION_DONE, None)
    return render(request, "appeals/public/done.html", {"shown": shown})


# --- tracking --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Number + query code → the status page; every try and every wrong code are rate limited."""
    if request.method != "POST":
        form = TrackForm(initial={"number": request.GET.get("number", "")[:20]})
        return render(request, TEMPLATE_TRACK, {"form": form})
    if ratelimit.blocked(request, "appeal_query_wrong") or not ratelimit.hit(request, "appeal_query"):
        form = TrackForm(initial={"number": request.POST.get("number", "")[:20]})
        return render(request, TEMPLATE_TRACK, {"form": form, "limited": True}, status=429)
    form = TrackForm(request.POST)
    if form.is_valid():
        appeal = rules.find_for_citizen(form.cleaned_data["number"], form.cleaned_data["code"])
        if appeal is not None:
            _remember(request, appeal)
            return redirect("public:status", number=appeal.number)
        ratelimit.hit(request, "appeal_query_wrong")
        form.add_error(None, _("This tracking number and query code do not match. Check both and try again."))
    return render(request, TEMPLATE_TRACK, {"form": form}, status=400)


def _deadline_day(data: dict[str, Any]) -> str:
    """The local day of the deadline an event recorded ('' when it recorded none)."""
    raw = data.get("deadline")
    if not raw:
        return ""
    moment = datetime.fromisoformat(raw)
    return day_text(moment if timezone.is_aware(moment) else moment.date())


def _event_text(event: AppealEvent) -> str:
    """What the citizen reads for one public event: no staff names, no internal notes (only the
    reason for refusing the appeal and the question a paused clock waits on them for)."""
    data: dict[str, Any] = event.data or {}
    unit = event.unit.name if event.unit is not None else ""
    kind = event.kind
    if kind == EventKind.RECEIVED:
        channel = data.get("channel", "")
        label = Channel(channel).label if channel in Channel.values else ""
        return (
            _("Your message was received (%(channel)s).") % {"channel": label}
            if label
            else _("Your message was received.")
        )
    if kind == EventKind.DISPATCHED:
        day = _deadline_day(data)
        if unit and day:
            return _("Handed to %(unit)s, to be handled by %(date)s.") % {"unit": unit, "date": day}
        return _("Handed to the responsible unit.")
    if kind == EventKind.ACCEPTED:
        return (
            _("%(unit)s took your message on.") % {"unit": unit}
            if unit
            else _("The unit took your message on.")
        )
    if kind == EventKind.EXTENSION_APPROVED:
        day = _deadline_day(data)
        if day:
            return _("The unit was given more time; the new deadline is %(date)s.") % {"date": day}
        return _("The unit was given more time.")
    if kind == EventKind.PAUSED:
        if data.get("waiting_for") == WaitingFor.CITIZEN:
            return _("We need more information from you: %(reason)s") % {"reason": event.note}
        return _("Waiting for information from another party; the deadline clock is paused.")
    if kind == EventKind.RESUMED:
        return _("The deadline clock runs again.")
    if kind == EventKind.PROGRESS:  # only the notes marked public reach this page
        note = mask_for_public(event.note, event.appeal)  # the related manager's appeal: no query
        if unit:
            return _("Progress reported by %(unit)s: %(note)s") % {"unit": unit, "note": note}
        return _("Progress: %(note)s") % {"note": note}
    if kind == EventKind.REPLIED:
        return _("%(unit)s sent its reply.") % {"unit": unit} if unit else _("The reply was sent.")
    if kind == EventKind.FOLLOWED_UP:
        result = data.get("result", "")
        label = Satisfaction(result).label if result in Satisfaction.values else ""
        return _("Rating recorded: %(result)s.") % {"result": label}
    if kind == EventKind.REOPENED:
        return _("Your message will be handled again.")
    if kind == EventKind.CLOSED:
        return _("Closed.")
    if kind == EventKind.REJECTED:
        return _("Your message cannot be accepted: %(note)s") % {"note": event.note}
    if kind == EventKind.MERGED:
        if data.get("master"):
            return _(
                "Joined to message %(number)s about the same matter; its progress and reply apply to yours."
            ) % {"number": data["master"]}
        return _("Another message about the same matter was joined to this one.")
    return str(EventKind(kind).label)


def _state_text(appeal: Appeal, *, may_rate: bool = True) -> str:
    """One sentence on where the appeal stands, in the citizen's words."""
    unit = appeal.lead_unit.name if appeal.lead_unit is not None else ""
    if appeal.state == State.REPLIED and not may_rate:
        return _("Answered.")
    texts = {
        State.RECEIVED: _("Received; it will be handed to the responsible unit soon."),
        State.DISPATCHED: _("Handed to %(unit)s, waiting for it to be taken on.") % {"unit": unit},
        State.IN_PROGRESS: _("%(unit)s is working on it.") % {"unit": unit},
        State.REPLIED: _("Answered. Please tell us whether you are satisfied with the reply."),
        State.REOPENED: _("It will be handled again."),
        State.CLOSED: _("Closed."),
        State.REJECTED: _("It cannot be accepted; the reason is in the timeline below."),
        State.MERGED: _("Joined to another message about the same matter."),
    }
    return texts.get(State(appeal.state), "")


def _mask_email(email: str) -> str:
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}" if at else mask_text(email)


def _status_page(
    request: HttpRequest,
    appeal: Appeal,
    *,
    rate_form: RateForm | None = None,
    info_form: InformationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    # A merged appeal is answered through its master: show the master's progress and reply.
    handling = appeal.master if appeal.state == State.MERGED and appeal.master is not None else appeal
    # Progress notes the handler marked public join the timeline (docs/design.md); the others stay internal.
    shown = Q(kind__in=PUBLIC_EVENTS) | Q(kind=EventKind.PROGRESS, data__public=True)
    events = appeal.events.filter(shown).select_related("unit").order_by("at", "id")
    replies = handling.replies.filter(state=ReplyState.SENT).select_related("unit").order_by("sent_at", "id")
    waiting: Pause | None = None
    if appeal.paused_at is not None and appeal.state in WORKING_STATES:
        waiting = appeal.pauses.filter(ended_at__isnull=True, waiting_for=WaitingFor.CITIZEN).first()
    may_rate = appeal.state == State.REPLIED and not (
        appeal.replied_at is not None and appeal.followups.filter(at__gte=appeal.replied_at).exists()
    )
    context = {
        "appeal": appeal,
        "handling": handling,
        "merged": handling is not appeal,
        "state_text": _state_text(appeal),
        "handling_state_text": _state_text(handling, may_rate=False),
        "working": handling.state in WORKING_STATES,
        "paused": handling.paused_at is not None and handling.state in WORKING_STATES,
        "title": mask_text(appeal.title),
        "body": mask_text(appeal.body),
        "attachments": appeal.attachments.filter(event__isnull=True).count(),  # the citizen's own
        # The citizen's own photos (those sent with the message), shown to them again; staff photos are not.
        "photos": [
            item
            for item in appeal.attachments.filter(event__isnull=True)
            if item.content_type.startswith("image/")
        ],
        "me": {
            "name": mask_name(appeal.citizen_name),
            "phone": mask_phone(appeal.citizen_phone),
            "email": _mask_email(appeal.citizen_email),
            "address": mask_address(appeal.address),
        },
        "timeline": [(event.at, _event_text(event), event.kind) for event in events],
        "replies": list(replies),
        "waiting": waiting,
        "may_rate": may_rate,
        "rate_form": rate_form or RateForm(),
        "info_form": info_form or InformationForm(),
        "body_max": rules.BODY_MAX,
    }
    return render(request, TEMPLATE_STATUS, context, status=status)


@never_cache
def status(request: HttpRequest, number: str) -> HttpResponse:
    """Status, public timeline and reply of an appeal this browser has the code of."""
    appeal = _tracked_appeal(request, number)
    if appeal is None:
        return _to_track_form(number)
    return _status_page(request, appeal)


@never_cache
@require_GET
def own_file(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    """A photo or PDF the citizen sent with the message, for the browser that showed its query code."""
    appeal = _tracked_appeal(request, number)
    if appeal is None:
        return _to_track_form(number)
    return serve(get_object_or_404(Attachment, pk=pk, appeal=appeal, event__isnull=True))


@never_cache
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """The citizen's own follow-up: satisfied or basically satisfied closes, unsatisfied reopens."""
    appeal = _tracked_appeal(request, number)
    if appeal is None:
        return _to_track_form(number)
    form = RateForm(request.POST)
    if form.is_valid():
        result = form.cleaned_data["result"]
        try:
            rules.follow_up(
                appeal, result=result, by=FollowupBy.CITIZEN, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result == Satisfaction.UNSATISFIED:
                messages.success(request, _("Thank you. Your message will be handled again."))
            else:
                messages.success(request, _("Thank you for your rating."))
            return redirect("public:status", number=number)
    return _status_page(request, appeal, rate_form=form, status=400)


@never_cache
@require_POST
def inform(request: HttpRequest, number: str) -> HttpResponse:
    """The citizen adds the information asked for; a clock waiting for them restarts."""
    appeal = _tracked_appeal(request, number)
    if appeal is None:
        return _to_track_form(number)
    form = InformationForm(request.POST)
    if form.is_valid():
        try:
            rules.add_citizen_information(appeal, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. The information has been passed on to the unit."))
            return redirect("public:status", number=number)
    return _status_page(request, appeal, info_form=form, status=400)
