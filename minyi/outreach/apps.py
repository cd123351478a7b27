from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "minyi.outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        # Imported in ready(): these modules use the models, which Django loads after the configs.
        from minyi.outreach import access

        access.register()
