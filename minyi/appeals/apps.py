from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "minyi.appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        # Imported in ready(): these modules use the models, which Django loads after the configs.
        from minyi.appeals import access, rules
        from minyi.workdays.rules import register_deadlines

        access.register()
        register_deadlines(rules.recount_deadlines)  # a loaded holiday year moves running deadlines
