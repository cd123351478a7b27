from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "minyi.supervision"
    verbose_name = _("Supervision notices")

    def ready(self) -> None:
        from minyi.supervision import access

        access.register()
