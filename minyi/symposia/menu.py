"""The symposia's link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import WORK, allowed, register_menu

register_menu(
    WORK, 170, _("Symposia"), "symposia:list", _("Groups heard, and their opinions"),
    shown=allowed("symposia.view_symposium"),
)  # fmt: skip
