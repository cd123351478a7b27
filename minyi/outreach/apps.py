from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "minyi.outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from minyi.outreach import access

        access.register()
