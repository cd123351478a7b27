"""Every status and enumeration of the appeal loop, with the named groups the code uses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    MAILBOX = "mailbox", _("Online mailbox")
    HOTLINE = "hotline", _("Hotline")
    AGRI_HOTLINE = "agri_hotline", _("12316 agricultural hotline")
    SYMPOSIUM = "symposium", _("Symposium")
    EVALUATION = "evaluation", _("Evaluation form")
    VISIT = "visit", _("Household visit")
    LETTER = "letter", _("Letter")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    IMPORT = "import", _("Imported")
    WECHAT = "wechat", _("WeChat official account")


#: Channels an operator records by hand on the fast entry form.
OPERATOR_CHANNELS = (Channel.HOTLINE, Channel.AGRI_HOTLINE, Channel.LETTER, Channel.WALK_IN)


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    REPORT = "report", _("Report")
    PRAISE = "praise", _("Praise")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    ORDINARY = "ordinary", _("Ordinary")
    COMPLEX = "complex", _("Complex")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another")


#: Waiting for the dispatcher (new, returned by a unit, or reopened after an unsatisfied follow-up).
TRIAGE_STATES = (State.RECEIVED, State.REOPENED)
#: A unit holds the appeal and its deadline runs.
WORKING_STATES = (State.DISPATCHED, State.IN_PROGRESS)
OPEN_STATES = (*TRIAGE_STATES, *WORKING_STATES)
#: Answered, waiting for the follow-up.
ANSWERED_STATES = (State.REPLIED,)
TERMINAL_STATES = (State.CLOSED, State.REJECTED, State.MERGED)


class RejectReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    ABUSIVE = "abusive", _("Abusive")
    DUPLICATE = "duplicate", _("Duplicate")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    CO = "co", _("Co-handling unit")


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("Waiting to be accepted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_ASSIGNMENT_STATES = (AssignmentState.PENDING, AssignmentState.ACCEPTED)


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class ReplyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for the unit head")
    SENT = "sent", _("Sent")
    SENT_BACK = "sent_back", _("Sent back for rework")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class FollowupBy(models.TextChoices):
    CALL = "call", _("Operator's call")
    CITIZEN = "citizen", _("The citizen online")


class WaitingFor(models.TextChoices):
    CITIZEN = "citizen", _("Information from the citizen")
    THIRD_PARTY = "third_party", _("A third party")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned to the dispatcher")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_DENIED = "extension_denied", _("Extension denied")
    PROGRESS = "progress", _("Progress")
    PAUSED = "paused", _("Clock paused")
    RESUMED = "resumed", _("Clock resumed")
    REPLY_DRAFTED = "reply_drafted", _("Reply drafted")
    REPLY_SENT_BACK = "reply_sent_back", _("Reply sent back")
    REPLIED = "replied", _("Replied")
    FOLLOWED_UP = "followed_up", _("Followed up")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")
    UNMERGED = "unmerged", _("Merge undone")
    UPDATED = "updated", _("Details corrected")
    WECHAT_BOUND = "wechat_bound", _("Bound to a WeChat account")
    DEADLINE_RECOUNTED = "deadline_recounted", _("Deadline recounted on the year's official holidays")


#: Events a citizen sees on the tracking page (the rest are internal work).
PUBLIC_EVENTS = frozenset(
    {
        EventKind.RECEIVED,
        EventKind.DISPATCHED,
        EventKind.ACCEPTED,
        EventKind.EXTENSION_APPROVED,
        EventKind.PAUSED,
        EventKind.RESUMED,
        EventKind.REPLIED,
        EventKind.FOLLOWED_UP,
        EventKind.REOPENED,
        EventKind.CLOSED,
        EventKind.REJECTED,
        EventKind.MERGED,
    }
)


class DueStatus(models.TextChoices):
    """Derived from the deadline at read time, never stored."""

    NONE = "none", _("No deadline")
    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    PAUSED = "paused", _("Clock paused")
