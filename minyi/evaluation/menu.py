"""The evaluation forms' link on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.evaluation.access import EvaluationPerm
from minyi.org.home import WORK, allowed, register_menu

register_menu(
    WORK, 150, _("Evaluation forms"), "evaluation:list", _("Anonymous ratings of units"),
    shown=allowed(EvaluationPerm.VIEW_RESULTS, EvaluationPerm.IMPORT_ANSWERS),
)  # fmt: skip
