"""The unit ranking's link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.kpi.access import KpiPerm
from minyi.org.home import WORK, allowed, register_menu

register_menu(
    WORK, 50, _("Unit ranking"), "kpi:ranking", _("KPIs of every unit, ranked"),
    shown=allowed(KpiPerm.VIEW_RANKING),
)  # fmt: skip
