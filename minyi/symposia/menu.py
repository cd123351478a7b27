"""The symposia's link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import WORK, allowed, register_menu
from minyi.symposia.access import SymposiumPerm

register_menu(
    WORK, 170, _("Symposia"), "symposia:list", _("Groups heard, and their opinions"),
    shown=allowed(SymposiumPerm.VIEW),
)  # fmt: skip
