"""Forms of the hotspot board (the item form is the ledger's own ``IssueForm``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.insight import board

#: The period the board opens on: the last 30 days, today included.
DEFAULT_DAYS = 30


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last DEFAULT_DAYS days, today included."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


class PeriodForm(forms.Form):
    """The period of a board: local dates, both days included."""

    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on"):
            try:
                board.check_period(data["starts_on"], data["ends_on"])
            except ValidationError as error:
                self.add_error(None, error)
        return data
