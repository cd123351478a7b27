"""Evaluation forms in the admin: read-only (forms change only through rules.py, which audits every
change). Codes, answers and scores are not shown at all: there is nothing in them to look at one by one."""

from __future__ import annotations

from django.contrib import admin

from minyi.admin_base import ReadOnlyAdmin
from minyi.evaluation.models import EvaluationForm


@admin.register(EvaluationForm)
class EvaluationFormAdmin(ReadOnlyAdmin):
    list_display = ["title", "state", "opens_on", "closes_on", "campaign"]
    list_filter = ["state"]
