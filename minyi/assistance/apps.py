"""Social assistance coordinated across departments (社会救助统筹联动): cases per household,
parts handed to the units that deliver them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "minyi.assistance"
    verbose_name = _("Social assistance")

    def ready(self) -> None:
        # Imported in ready(): these modules use the models, which Django loads after the configs.
        from minyi.assistance import access

        access.register()
