from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "minyi.appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from minyi.appeals import access

        access.register()
