"""The supervision notices' link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import WORK, allowed, register_menu
from minyi.supervision.access import SupervisionPerm

register_menu(
    WORK, 60, _("Supervision notices"), "supervision:list", _("Late work, escalation, answers"),
    shown=allowed(SupervisionPerm.VIEW),
)  # fmt: skip
