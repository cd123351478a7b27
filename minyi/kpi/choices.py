"""The KPIs (考评指标) and the two sides of a rate, with the groups the ranking uses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    RESPONSE = "response", _("Response rate")
    RETURN = "return", _("Return rate")
    ON_TIME = "on_time", _("On-time rate")
    RESOLUTION = "resolution", _("Resolution rate")
    SATISFACTION = "satisfaction", _("Satisfaction rate")
    REOPEN = "reopen", _("Reopen rate")
    SIGN_OFF = "sign_off", _("Issue sign-off rate")


#: Rates where less is better: units are ranked by the upper bound, ascending.
LOWER_IS_BETTER = frozenset({Metric.RETURN, Metric.REOPEN})
#: The metric the ranking uses unless another is chosen (the headline figure of 12345 hotlines).
DEFAULT_METRIC = Metric.SATISFACTION


class Part(models.TextChoices):
    NUMERATOR = "numerator", _("Numerator")
    DENOMINATOR = "denominator", _("Denominator")
