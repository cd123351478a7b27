"""Role models to learn from (对标学): the library, their materials and where they were shown."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExemplarsConfig(AppConfig):
    name = "minyi.exemplars"
    verbose_name = _("Role models")

    def ready(self) -> None:
        # Imported in ready(): these modules use the models, which Django loads after the configs.
        from minyi.exemplars import access

        access.register()
