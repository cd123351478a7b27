"""Forms of the ledger pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.ledger.choices import Track
from minyi.ledger.models import Campaign
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Unit


class IssueForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("campaign"), queryset=Campaign.objects.all())
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    track = forms.ChoiceField(label=_("track"), choices=Track.choices)
    lead_unit = forms.ModelChoiceField(
        label=_("lead unit"), queryset=Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP])
    )
    leader = forms.ModelChoiceField(
        label=_("supervising leader"),
        queryset=User.objects.filter(person__role=Role.LEADER, is_active=True).select_related("person"),
    )
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].label_from_instance = lambda user: user.person.name  # type: ignore[attr-defined]

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline
