"""The audit trail's link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.audit.access import AuditPerm
from minyi.org.home import OVERSIGHT, allowed, register_menu

register_menu(
    OVERSIGHT, 10, _("Audit trail"), "audit:list", _("Who did what, and when"),
    shown=allowed(AuditPerm.VIEW),
)  # fmt: skip
