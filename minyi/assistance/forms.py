"""Forms of the assistance pages; each gives the keyword arguments of one rule in rules.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.assistance.choices import AssistanceType
from minyi.assistance.models import NOTE_MAX, SERVICE_MAX, CasePart, EligibilityItem
from minyi.assistance.rules import DeliveryInput, route_units
from minyi.fields import ModelChoice, UnitChoice
from minyi.ledger.models import Campaign
from minyi.org.models import Household, Unit


class OpenCaseForm(forms.Form):
    """Open a case: the household (by its code), the types of help asked for, and what is needed."""

    household_code = forms.CharField(label=_("household code"), max_length=32)
    types = forms.MultipleChoiceField(
        label=_("types of assistance"),
        choices=AssistanceType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one type of assistance.")},
    )
    note = forms.CharField(
        label=_("what the household needs"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    campaign = ModelChoice(label=_("campaign"), queryset=Campaign.objects.all(), required=False)

    def clean_household_code(self) -> Household:
        code = self.cleaned_data["household_code"].strip()
        household = Household.objects.select_related("village__parent").filter(code=code).first()
        if household is None:
            raise forms.ValidationError(_("No household has the code %(code)s.") % {"code": code})
        return household


class HandOutForm(forms.Form):
    """Hand one part to one of the units routed for its type."""

    unit = UnitChoice(
        label=_("delivering unit"),
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": _("This unit does not deliver this type of assistance.")},
    )
    confirm_repeat = forms.BooleanField(
        label=_("I have checked the earlier help: hand it out again"), required=False
    )

    def __init__(self, *args: Any, part: CasePart, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"part-{part.pk}")
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = route_units(part.type)


class DeliveryForm(forms.Form):
    """What the unit gave for a part, on which day, with an evidence file."""

    delivered_on = forms.DateField(
        label=_("date delivered"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = forms.DecimalField(
        label=_("amount (yuan)"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    service = forms.CharField(label=_("service given"), max_length=SERVICE_MAX, required=False)
    evidence = forms.FileField(label=_("evidence (photo or PDF)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()

    def item(self) -> DeliveryInput:
        data = self.cleaned_data
        return DeliveryInput(
            delivered_on=data["delivered_on"], amount=data["amount"], service=data["service"]
        )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("reason for declining"), max_length=SERVICE_MAX)


class EligibilityForm(forms.Form):
    """One yes/no box and a note per question of the case's types."""

    def __init__(
        self, *args: Any, items: list[EligibilityItem], answers: dict[int, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            answer = answers.get(item.pk)
            self.fields[f"met_{item.pk}"] = forms.BooleanField(
                label=f"{item.get_type_display()}: {item.text}",
                required=False,
                initial=answer.met if answer is not None else False,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("note"),
                max_length=SERVICE_MAX,
                required=False,
                initial=answer.note if answer is not None else "",
            )

    def answers(self) -> dict[int, tuple[bool, str]]:
        data = self.cleaned_data
        return {item.pk: (data[f"met_{item.pk}"], data[f"note_{item.pk}"]) for item in self.items}

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"met_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]
