from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "minyi.kpi"
    verbose_name = _("Unit KPIs and ranking")

    def ready(self) -> None:
        # Imported in ready(): these modules use the models, which Django loads after the configs.
        from minyi.kpi import signals

        signals.connect()
