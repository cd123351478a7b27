"""The organisation's links on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import ORG, OVERSIGHT, allowed, may_review, register_menu, register_queue, review_count
from minyi.org.permissions import OrgPerm

register_menu(
    ORG, 10, _("Unit tree"), "org:unit_tree", _("Units you work with"), shown=allowed(OrgPerm.VIEW_UNIT)
)
register_menu(
    ORG, 20, _("People"), "org:people", _("Search staff by name or phone"), shown=allowed(OrgPerm.VIEW_PERSON)
)
register_menu(
    ORG, 30, _("Households"), "org:households", _("Households of villages"),
    shown=allowed(OrgPerm.VIEW_HOUSEHOLD),
)  # fmt: skip
register_menu(
    ORG, 40, _("Import from Excel"), "org:import", _("Units, people, households"),
    shown=allowed(OrgPerm.IMPORT_ORG),
)  # fmt: skip
register_menu(OVERSIGHT, 40, _("System administration"), "admin:index", shown=lambda user: user.is_staff)

# The review list (待审核) in every staff page's menu, counted from what the apps put on it.
register_queue(20, _("To review"), "review", shown=may_review, count=review_count)
