from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartybuildingConfig(AppConfig):
    name = "minyi.partybuilding"
    verbose_name = _("Village party organisations")

    def ready(self) -> None:
        # Imported in ready(): these modules use the models, which Django loads after the configs.
        from minyi.partybuilding import access

        access.register()
