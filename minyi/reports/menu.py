"""The reports' links on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import OVERSIGHT, WORK, allowed, register_menu
from minyi.reports.access import ReportsPerm

register_menu(
    WORK, 70, _("Dashboard"), "reports:dashboard", _("Dashboards and the campaign bulletin"),
    shown=allowed(ReportsPerm.VIEW),
)  # fmt: skip
register_menu(
    WORK, 80, _("Campaign bulletin"), "reports:bulletin", _("The briefing, written from the records"),
    shown=allowed(ReportsPerm.VIEW),
)  # fmt: skip
register_menu(
    OVERSIGHT, 30, _("Map boundaries"), "reports:boundaries", _("Township and village outlines for the map"),
    shown=allowed(ReportsPerm.MANAGE_BOUNDARIES),
)  # fmt: skip
