"""Forms of the supervision pages: the leader's notice, the unit's answer, the list filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minyi.supervision.choices import Level


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=_("what the unit must do or explain"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
    answer_by = forms.DateField(
        label=_("answer by"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("the unit's answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class NoticeFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("notice level"), choices=[("", _("All")), *Level.choices], required=False
    )
    unanswered = forms.BooleanField(label=_("Not answered yet"), required=False)
    late = forms.BooleanField(label=_("Late"), required=False)
