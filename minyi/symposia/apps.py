"""Symposia (座谈会): opinions heard face to face, entered in one batch as appeals (channel symposium)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SymposiaConfig(AppConfig):
    name = "minyi.symposia"
    verbose_name = _("Symposia")

    def ready(self) -> None:
        # Imported in ready(): these modules use the models, which Django loads after the configs.
        from minyi.symposia import access

        access.register()
