"""Forms of the role-model pages; they only parse input, rules.py decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minyi.exemplars.choices import Level, MaterialKind
from minyi.exemplars.models import Exemplar, ExemplarMaterial
from minyi.fields import ModelChoice, UnitChoice
from minyi.org.models import Unit


class ExemplarForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    known_for = forms.CharField(label=_("known for"), max_length=200)
    place = forms.CharField(label=_("unit or place"), max_length=200, required=False)
    biography = forms.CharField(
        label=_("short biography"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=MaterialKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    copies = forms.IntegerField(label=_("copies or sets"), min_value=1, initial=1)


class ShowingForm(forms.Form):
    material = ModelChoice(label=_("material"), queryset=ExemplarMaterial.objects.none())
    place = forms.CharField(label=_("where"), max_length=200, required=False)
    unit = UnitChoice(label=_("township or unit"), queryset=Unit.objects.none(), required=False)
    shown_on = forms.DateField(label=_("shown on"), widget=forms.DateInput(attrs={"type": "date"}))
    audience = forms.IntegerField(label=_("audience"))

    def __init__(
        self, *args: object, materials: object = None, units: object = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        if materials is not None:
            self.fields["material"].queryset = materials  # type: ignore[attr-defined]  # a ModelChoiceField
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField


class LinkForm(forms.Form):
    exemplar = ModelChoice(label=_("role model"), queryset=Exemplar.objects.all())
