from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "minyi.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from minyi.reports import summary

        summary.connect()
