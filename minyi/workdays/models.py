"""The working-day calendar: which years' official holidays are known, and the days that break the
plain rule "Monday–Friday work, Saturday–Sunday rest" (rules.py does the counting)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.workdays.choices import Source


class CalendarYear(models.Model):
    """A year of the calendar. Only a ``confirmed`` year counts as known: deadlines that touch any
    other year are provisional and skip only weekends and the days already stored for that year.

    ``version`` goes up with every change to the year or its days, so that every process can tell
    cheaply that its cached copy of the calendar is stale (see rules.calendar).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=Source.choices,
        default=Source.ADMIN,
        help_text=_("Seeding from the library never overwrites a year entered by an administrator."),
    )
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_(
            "Tick once every official holiday and make-up working day of the year is entered; until then "
            "deadlines in this year are provisional."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.version += 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)


class CalendarDay(models.Model):
    """A day that breaks the plain rule: a holiday on a weekday (``is_workday`` False) or a make-up
    working day on a weekend (调休上班, ``is_workday`` True). Days that follow the rule are not stored.

    ``year`` always matches ``date``; when it is left empty, saving files the day under its year
    (creating an unconfirmed year entered by an administrator if there is none).
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"), help_text=_("Ticked: a make-up working day on a weekend. Empty: a holiday.")
    )
    name = models.CharField(
        _("name"),
        max_length=50,
        help_text=_("The holiday's name (e.g. 国庆节), or 调休上班 for a make-up working day."),
    )
    year = models.ForeignKey(
        CalendarYear, verbose_name=_("year"), on_delete=models.CASCADE, related_name="days", blank=True
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.year_id is None:
            self.year, _created = CalendarYear.objects.get_or_create(
                year=self.date.year, defaults={"source": Source.ADMIN, "confirmed": False}
            )
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "year"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.date is None:
            return
        if self.is_workday == (self.date.weekday() < 5):
            raise ValidationError(
                {
                    "is_workday": _(
                        "This day already follows the plain rule (Monday–Friday work, Saturday–Sunday "
                        "rest): store only holidays on weekdays and make-up working days on weekends."
                    )
                }
            )
        if self.year_id is not None and self.year.year != self.date.year:
            raise ValidationError(
                {"date": ValidationError(_("This date is not in %(year)s."), params={"year": self.year.year})}
            )
