"""Social assistance's link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.assistance.access import AssistancePerm
from minyi.org.home import WORK, allowed, register_menu

register_menu(
    WORK, 180, _("Social assistance"), "assistance:home", _("Help for households, across departments"),
    shown=allowed(AssistancePerm.OPEN_CASE, AssistancePerm.DELIVER, AssistancePerm.VIEW_CASE),
)  # fmt: skip
