"""The village party organisations' link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import STUDY, allowed, register_menu
from minyi.partybuilding.access import PartyBuildingPerm

register_menu(
    STUDY, 50, _("Village party organisations"), "partybuilding:index",
    _("Weak branches, joint general branches and their tasks"),
    shown=allowed(PartyBuildingPerm.VIEW, PartyBuildingPerm.MANAGE),
)  # fmt: skip
