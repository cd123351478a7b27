"""Insight's links on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.insight.access import InsightPerm
from minyi.org.home import OVERSIGHT, WORK, allowed, register_menu

register_menu(
    WORK, 90, _("Hotspot board"), "insight:hotspots", _("Problems many people raise, by heat"),
    shown=allowed(InsightPerm.VIEW_HOTSPOTS),
)  # fmt: skip
register_menu(
    OVERSIGHT, 20, _("Category suggestions"), "insight:classifier",
    _("The model's accuracy, its versions and the auto-dispatch threshold"),
    shown=allowed(InsightPerm.VIEW_CLASSIFIER_VERSION),
)  # fmt: skip
