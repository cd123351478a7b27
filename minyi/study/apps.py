from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    name = "minyi.study"
    verbose_name = _("Study")

    def ready(self) -> None:
        # Imported in ready(): these modules use the models, which Django loads after the configs.
        from minyi.study import access

        access.register()
