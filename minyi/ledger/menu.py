"""The ledger's link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.ledger.access import LedgerPerm
from minyi.org.home import WORK, allowed, register_menu

register_menu(
    WORK, 40, _("Rectification ledger"), "ledger:list", _("Items to sign-off, by track"),
    shown=allowed(LedgerPerm.VIEW),
)  # fmt: skip
