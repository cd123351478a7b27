"""Outreach's links on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import WORK, allowed, register_menu

register_menu(
    WORK, 100, _("Record a visit"), "outreach:record", _("Visits, five ones, diary"),
    shown=allowed("outreach.add_visit"),
)  # fmt: skip
register_menu(WORK, 110, _("My visits"), "outreach:visits", shown=allowed("outreach.add_visit"))
register_menu(
    WORK, 130, _("My pairings"), "outreach:my_pairings", _("Your places, planned vs done"),
    shown=allowed("outreach.add_visit"),
)  # fmt: skip
register_menu(
    WORK, 140, _("Visit coverage"), "outreach:coverage", _("Villages and households visited"),
    shown=allowed("outreach.view_coverage"),
)  # fmt: skip
register_menu(
    WORK, 160, _("Pairings"), "outreach:pairings", _("Who is paired with which place, planned vs done"),
    shown=allowed("outreach.view_coverage", "outreach.add_pairing"),
)  # fmt: skip
