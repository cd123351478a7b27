"""Outreach's links on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import WORK, allowed, register_menu
from minyi.outreach.access import OutreachPerm

register_menu(
    WORK, 100, _("Record a visit"), "outreach:record", _("Visits, five ones, diary"),
    shown=allowed(OutreachPerm.ADD_VISIT),
)  # fmt: skip
register_menu(WORK, 110, _("My visits"), "outreach:visits", shown=allowed(OutreachPerm.ADD_VISIT))
register_menu(
    WORK, 130, _("My pairings"), "outreach:my_pairings", _("Your places, planned vs done"),
    shown=allowed(OutreachPerm.ADD_VISIT),
)  # fmt: skip
register_menu(
    WORK, 140, _("Visit coverage"), "outreach:coverage", _("Villages and households visited"),
    shown=allowed(OutreachPerm.VIEW_COVERAGE),
)  # fmt: skip
register_menu(
    WORK, 160, _("Pairings"), "outreach:pairings", _("Who is paired with which place, planned vs done"),
    shown=allowed(OutreachPerm.VIEW_COVERAGE, OutreachPerm.ADD_PAIRING),
)  # fmt: skip
register_menu(
    WORK, 165, _("The five ones of each campaign"), "outreach:checklists",
    _("The words of the visit checklist"), shown=allowed(OutreachPerm.CHANGE_CHECKLIST),
)  # fmt: skip
