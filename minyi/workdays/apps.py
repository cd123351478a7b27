from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "minyi.workdays"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        # Imported in ready(): these modules use the models, which Django loads after the configs.
        from minyi.workdays.models import CalendarDay
        from minyi.workdays.rules import mark_changed_by_hand

        # A day changed by hand (admin, shell) moves the calendar's stamp, so every process reloads.
        post_save.connect(mark_changed_by_hand, sender=CalendarDay, dispatch_uid="workdays.day_saved")
        post_delete.connect(mark_changed_by_hand, sender=CalendarDay, dispatch_uid="workdays.day_deleted")
