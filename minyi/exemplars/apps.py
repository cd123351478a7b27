from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExemplarsConfig(AppConfig):
    name = "minyi.exemplars"
    verbose_name = _("Role models")
