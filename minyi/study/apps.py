from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    name = "minyi.study"
    verbose_name = _("Study")

    def ready(self) -> None:
        from minyi.study import access

        access.register()
