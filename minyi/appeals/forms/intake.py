"""Forms of the operators' intake: the fast entry form, the Excel upload, and the phone rules they share."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.appeals.choices import OPERATOR_CHANNELS, Channel, Kind, Urgency
from minyi.appeals.rules import BODY_MAX, TITLE_MAX, check_place
from minyi.fields import PLEASE_CHOOSE, pinyin_key
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.forms import ImportForm
from minyi.org.models import Unit

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")  # area code (3 or 4 digits with the 0) and 7 or 8 digits
_SEPARATORS = re.compile(r"[\s\-()（）]+")
#: A clock a little ahead of the server's must not make "now" count as the future.
CLOCK_SLACK = timedelta(minutes=5)


def phone_error(value: str) -> str:
    """The message for something that is not a phone number (the org import's wording)."""
    return _(
        "%(value)s is not a phone number: write an 11-digit mobile number such as 13800001111 "
        "or a landline with its area code such as 0577-88888888."
    ) % {"value": value}


def normalise_phone(value: str) -> str:
    """One spelling per number, so that a caller's earlier appeals are found: "138 0000 1111" and
    "+86 13800001111" → "13800001111"; "057788888888" → "0577-88888888". Raises ValidationError."""
    text = unicodedata.normalize("NFKC", value).strip()  # full-width digits typed in a Chinese IME
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if _MOBILE.match(digits):
        return digits
    if _LANDLINE.match(digits):
        # Area codes are 010 and 02x (three digits) or four digits; that decides where the dash goes.
        area_length = 3 if digits.startswith(("010", "02")) else 4
        number = digits[area_length:]
        if 7 <= len(number) <= 8:
            return f"{digits[:area_length]}-{number}"
    raise ValidationError(phone_error(value.strip()), code="phone")


def phone_variants(canonical: str) -> list[str]:
    """The spellings of one number that other channels may have stored (this form stores the canonical
    one): with and without dashes or spaces, and with the country code."""
    plain = canonical.replace("-", "")
    variants = {canonical, plain, f"+86{plain}", f"+86 {plain}"}
    if _MOBILE.match(plain):
        variants |= {f"{plain[:3]}-{plain[3:7]}-{plain[7:]}", f"{plain[:3]} {plain[3:7]} {plain[7:]}"}
    return sorted(variants)


# --- place selects ---------------------------------------------------------------------------------


@dataclass
class PlaceChoices:
    """The townships, villages and units an appeal may name, read in one query."""

    townships: list[Unit] = field(default_factory=list)
    villages: dict[int, list[Unit]] = field(default_factory=dict)  # township id → its villages
    departments: list[Unit] = field(default_factory=list)
    by_id: dict[int, Unit] = field(default_factory=dict)

    @classmethod
    def load(cls) -> PlaceChoices:
        kinds = [UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, *RESIDENTIAL_KINDS]
        units = Unit.objects.filter(is_active=True, kind__in=kinds).order_by("depth", "sort", "path")
        choices = cls()
        for unit in units:
            choices.by_id[unit.pk] = unit
            if unit.kind == UnitKind.DEPARTMENT:
                choices.departments.append(unit)
            elif unit.kind == UnitKind.TOWNSHIP:
                choices.townships.append(unit)
            elif unit.parent_id is not None:
                choices.villages.setdefault(unit.parent_id, []).append(unit)
        # By name in pinyin order, as every select of units reads (minyi/fields.py), not by code.
        for units_of_a_kind in (choices.departments, choices.townships, *choices.villages.values()):
            units_of_a_kind.sort(key=lambda unit: pinyin_key(unit.name))
        return choices

    def township_choices(self) -> list[tuple[str, str]]:
        return [("", str(PLEASE_CHOOSE)), *((str(t.pk), t.name) for t in self.townships)]

    def village_choices(self) -> list[tuple[str, Any]]:
        """Villages grouped by township (<optgroup>), so the select works without JavaScript."""
        groups: list[tuple[str, Any]] = [("", str(PLEASE_CHOOSE))]
        for township in self.townships:
            villages = self.villages.get(township.pk, [])
            if villages:
                groups.append((township.name, [(str(v.pk), v.name) for v in villages]))
        return groups

    def concerns_choices(self) -> list[tuple[str, Any]]:
        """Units whose officials an appeal may be about: departments, and each township with its villages
        (回避 keeps the chosen unit and everything below it away from the appeal). Not the district: no
        one could handle an appeal kept away from the whole district."""
        groups: list[tuple[str, Any]] = [("", "—")]
        if self.departments:
            groups.append((str(UnitKind.DEPARTMENT.label), [(str(u.pk), u.name) for u in self.departments]))
        for township in self.townships:
            members = [township, *self.villages.get(township.pk, [])]
            groups.append((township.name, [(str(u.pk), u.name) for u in members]))
        return groups

    def get(self, value: str | None) -> Unit | None:
        """The unit of a select's value (the select has already checked it is one of its choices)."""
        return self.by_id.get(int(value)) if value else None


# --- the fast entry form ---------------------------------------------------------------------------


class IntakeForm(forms.Form):
    """One call, letter or visit, fields in the order an operator hears them on the phone."""

    channel = forms.ChoiceField(
        label=gettext_lazy("channel"),
        choices=[(channel.value, channel.label) for channel in OPERATOR_CHANNELS],
        initial=Channel.HOTLINE,
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "autofocus": True}),
    )
    name = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=Kind.choices, initial=Kind.COMPLAINT)
    urgency = forms.ChoiceField(
        label=gettext_lazy("urgency"), choices=Urgency.choices, initial=Urgency.ORDINARY
    )
    title = forms.CharField(
        label=gettext_lazy("title"),
        max_length=TITLE_MAX,
        error_messages={"required": gettext_lazy("Write a short title.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label=gettext_lazy("content"),
        max_length=BODY_MAX,
        error_messages={"required": gettext_lazy("Write what happened or what you suggest.")},
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    township = forms.ChoiceField(label=gettext_lazy("township / street"), required=False)
    village = forms.ChoiceField(label=gettext_lazy("village / community"), required=False)
    address = forms.CharField(
        label=gettext_lazy("address"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    concerns_unit = forms.ChoiceField(
        label=gettext_lazy("concerns officials of"),
        required=False,
        help_text=gettext_lazy("The appeal is never shown to or handled by this unit or the units below it."),
    )
    received_at = forms.DateTimeField(
        label=gettext_lazy("received"),
        required=False,
        input_formats=[
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d",
        ],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Leave empty for a call taken now; for a letter, the date on the letter."),
    )
    answer = forms.CharField(
        label=gettext_lazy("Answered during the call (直接办结)"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "A consultation you answered on the phone: write what you told the caller. It is saved as your "
            "unit's answer and followed up like any other; leave empty to send the appeal to dispatch."
        ),
    )

    def __init__(self, *args: Any, places: PlaceChoices | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = places or PlaceChoices.load()
        for name, choices in (
            ("township", self.places.township_choices()),
            ("village", self.places.village_choices()),
            ("concerns_unit", self.places.concerns_choices()),
        ):
            cast(forms.ChoiceField, self.fields[name]).choices = choices
        # htmx enhancements (the form works without them): the caller panel and the similar-appeal hint.
        self.fields["phone"].widget.attrs.update(
            {"hx-get": reverse("appeals:intake_caller"), "hx-trigger": "change", "hx-target": "#caller-panel"}
        )
        for name in ("title", "body"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("appeals:intake_similar"),
                    "hx-trigger": "keyup changed delay:600ms",
                    "hx-target": "#similar",
                    "hx-include": "#id_title, #id_body, #id_township",
                }
            )

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"]
        return normalise_phone(value) if value.strip() else ""

    def clean_received_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data["received_at"]
        if value is not None and value > timezone.now() + CLOCK_SLACK:
            raise ValidationError(_("The time received cannot be in the future."), code="future")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        township = self.places.get(data.get("township"))
        village = self.places.get(data.get("village"))
        concerns = self.places.get(data.get("concerns_unit"))
        if township is None and village is not None:
            township = self.places.by_id.get(village.parent_id or 0)
        try:
            check_place(township, village)
        except ValidationError as exc:
            self.add_error(None, exc)
        data["township_unit"], data["village_unit"], data["concerns_unit_obj"] = township, village, concerns
        if (data.get("answer") or "").strip() and data.get("kind") != Kind.CONSULTATION:
            self.add_error("answer", _("Only a consultation can be answered during the call."))
        return data

    def submit_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``rules.submit`` for the cleaned form."""
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "kind": data["kind"],
            "urgency": data["urgency"],
            "title": data["title"],
            "body": data["body"],
            "township": data["township_unit"],
            "village": data["village_unit"],
            "address": data["address"],
            "citizen_name": data["name"],
            "citizen_phone": data["phone"],
            "concerns_unit": data["concerns_unit_obj"],
            "received_at": data["received_at"],
        }


class AppealImportForm(ImportForm):
    """The Excel upload of appeals (content checked like the organisation import's)."""

    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        help_text=gettext_lazy("One row per appeal, with the columns of the template."),
    )
