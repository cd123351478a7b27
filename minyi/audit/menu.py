"""The audit trail's link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import OVERSIGHT, allowed, register_menu
from minyi.org.permissions import Action

register_menu(
    OVERSIGHT, 10, _("Audit trail"), "audit:list", _("Who did what, and when"),
    shown=allowed(Action.VIEW_AUDIT),
)  # fmt: skip
