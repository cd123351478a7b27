from importlib import import_module

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "minyi.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Imported here: it uses the models, which are not loaded yet when Django imports this module.
        from minyi.reports import summary

        summary.connect()
        # Register every Excel export in every process (the worker writes the large ones): each app
        # declares those of its pages in its exports.py, as the admin finds admin.py; this app's own
        # are the dashboard's, in dashboard_exports.py (its exports.py is the framework they use).
        autodiscover_modules("exports")
        import_module("minyi.reports.dashboard_exports")
