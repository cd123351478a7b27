from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "minyi.insight"
    verbose_name = _("Insight")

    def ready(self) -> None:
        from minyi.insight import signals  # noqa: F401  (connects the receivers)
