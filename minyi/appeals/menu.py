"""The appeals' links on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.appeals.access import AppealPerm
from minyi.org.home import WORK, allowed, register_menu

register_menu(
    WORK, 10, _("Appeals"), "appeals:list", _("Inbox and lists, with deadlines"),
    shown=allowed(AppealPerm.VIEW),
)  # fmt: skip
register_menu(
    WORK, 20, _("Record a call or letter"), "appeals:intake", _("Fast keyboard entry"),
    shown=allowed(AppealPerm.RECORD),
)  # fmt: skip
register_menu(WORK, 30, _("Import appeals from Excel"), "appeals:import", shown=allowed(AppealPerm.RECORD))
