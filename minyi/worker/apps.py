from importlib import import_module

from django.apps import AppConfig
from django.core import checks
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "minyi.worker"
    verbose_name = _("Background worker")

    def ready(self) -> None:
        # Register every job handler in every process, so enqueue() can check a kind and any worker
        # can run any job: ours, and those each app defines in its ``jobs.py``.
        import_module("minyi.worker.notify")
        autodiscover_modules("jobs")
        from minyi.worker.schedule import check_schedules  # imports the models: not before ready()

        checks.register(check_schedules)
