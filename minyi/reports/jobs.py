"""The weekly bulletin: every Monday morning (settings.MINYI_SCHEDULE) each active recipient gets a
notice linking to the page (and the text by e-mail when they have an address), for their campaign so far."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from minyi.dates import local_today
from minyi.org import notices
from minyi.reports import bulletin, exports, rules, summary
from minyi.reports.models import BulletinSubscription
from minyi.worker.notify import notify
from minyi.worker.rules import handler
from minyi.worker.schedule import periodic, schedule_of

WEEKLY_JOB = "reports.weekly_bulletin"
SUMMARY_JOB = "reports.summary_refresh"


@handler(WEEKLY_JOB)
def send_weekly(payload: dict[str, Any]) -> None:
    """Sends on the bulletin's weekday only (a job queued before the weekday was changed does nothing)."""
    today = local_today()
    if today.weekday() == schedule_of(WEEKLY_JOB).weekday:
        send_to_recipients(today)


def send_to_recipients(today: date) -> int:
    """Send the bulletin of each active recipient's campaign so far, at most once per recipient and
    ISO week. Returns how many were sent."""
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    due = BulletinSubscription.objects.filter(is_active=True).exclude(last_sent_week=week)
    sent = 0
    with translation.override("zh-hans"):
        for subscription in due.select_related("person", "campaign"):
            campaign, person = subscription.campaign, subscription.person
            with transaction.atomic():
                scope = bulletin.scope_for(campaign=campaign, today=today)
                rules.issue_bulletin(scope, actor=None, today=today)  # the week's issue gets its number
                written = bulletin.build(scope)
                link = f"{reverse('reports:bulletin')}?{urlencode({'campaign': campaign.pk})}"
                notices.tell([person], written.title, link=link)
                notify(email=person.email or None, subject=written.title, text=bulletin.as_markdown(written))
                subscription.last_sent_week = week
                subscription.save(update_fields=["last_sent_week"])
            sent += 1
    return sent


periodic(WEEKLY_JOB)


# --- Excel exports (exports.py) ------------------------------------------------------------------------


@handler(exports.EXPORT_JOB)
def write_export(payload: dict[str, Any]) -> None:
    """Write a large Excel export someone asked for, counting progress on its job."""
    exports.run(payload.get("export"))


@handler(exports.CLEANUP_JOB)
def delete_old_exports(payload: dict[str, Any]) -> None:
    """Daily: delete exports (files and rows) asked for more than a week ago."""
    exports.delete_older_than(timezone.now() - exports.KEEP)


periodic(exports.CLEANUP_JOB)


@handler(SUMMARY_JOB)
def refresh_summary(payload: dict[str, Any]) -> None:
    """Recount the dashboards' stale days every minute, so that pages read from a replica (which do
    not recount, minyi/replica.py) are at most a minute behind, and pages on the primary rarely wait."""
    summary.refresh()


periodic(SUMMARY_JOB)
