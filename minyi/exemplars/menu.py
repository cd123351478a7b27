"""The role-model library's link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.home import STUDY, allowed, register_menu
from minyi.study.access import StudyPerm

register_menu(
    STUDY, 40, _("Role models to learn from"), "exemplars:list", _("Materials and where they were shown"),
    shown=allowed(StudyPerm.VIEW),
)  # fmt: skip
