"""The appeals' links on the home page (see minyi.org.home)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.appeals import review
from minyi.appeals.access import AppealPerm
from minyi.appeals.filters import TABS, tab_count
from minyi.org.home import WORK, allowed, register_menu, register_queue, register_review
from minyi.org.permissions import can, person_of

register_menu(
    WORK, 10, _("Appeals"), "appeals:list", _("Inbox and lists, with deadlines"),
    shown=allowed(AppealPerm.VIEW),
)  # fmt: skip
register_menu(
    WORK, 20, _("Record a call or letter"), "appeals:intake", _("Fast keyboard entry"),
    shown=allowed(AppealPerm.RECORD),
)  # fmt: skip
register_menu(WORK, 30, _("Import appeals from Excel"), "appeals:import", shown=allowed(AppealPerm.RECORD))

# The queues in the menu of every staff page, each counted by its tab's own filters (one COUNT).
register_queue(
    10, _("Waiting for dispatch"), "appeals:list", query=TABS["triage"].query,
    shown=allowed(AppealPerm.DISPATCH), count=lambda user: tab_count(user, "triage", now=timezone.now()),
)  # fmt: skip
register_queue(
    30, _("To handle"), "appeals:list", query=TABS["todo"].query,
    shown=lambda user: can(user, AppealPerm.HANDLE) and person_of(user) is not None,
    count=lambda user: tab_count(user, "todo", now=timezone.now()),
)  # fmt: skip
register_queue(
    40, _("Overdue"), "appeals:list", query=TABS["overdue"].query,
    shown=lambda user: can(user, AppealPerm.DISPATCH),
    count=lambda user: tab_count(user, "overdue", now=timezone.now()),
)  # fmt: skip
register_queue(
    41, _("Overdue"), "appeals:list", query=TABS["unit_overdue"].query,
    shown=lambda user: can(user, AppealPerm.HANDLE) and not can(user, AppealPerm.DISPATCH)
    and person_of(user) is not None,
    count=lambda user: tab_count(user, "unit_overdue", now=timezone.now()),
)  # fmt: skip

# The review list (待审核): draft replies for the unit head, extension requests.
register_review(
    10, shown=allowed(AppealPerm.APPROVE_REPLY), items=review.reply_items,
    count=lambda user: review.replies_to_approve(user).count(),
)  # fmt: skip
register_review(
    20, shown=allowed(AppealPerm.DISPATCH, AppealPerm.APPROVE_REPLY), items=review.extension_items,
    count=lambda user: review.extensions_waiting(user).count(),
)  # fmt: skip
