"""The appeals' links on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import WORK, allowed, register_menu

register_menu(
    WORK, 10, _("Appeals"), "appeals:list", _("Inbox and lists, with deadlines"),
    shown=allowed("appeals.view_appeal"),
)  # fmt: skip
register_menu(
    WORK, 20, _("Record a call or letter"), "appeals:intake", _("Fast keyboard entry"),
    shown=allowed("appeals.record_appeal"),
)  # fmt: skip
register_menu(
    WORK, 30, _("Import appeals from Excel"), "appeals:import", shown=allowed("appeals.record_appeal")
)
