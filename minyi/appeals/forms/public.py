"""Forms of the citizens' public pages: the submission form, the tracking form, rating and adding
information. The checks of content are the rules' own (check_text, check_place, checked_upload)."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from minyi.appeals import rules
from minyi.appeals.choices import Kind, Satisfaction
from minyi.appeals.uploads import MAX_FILES, checked_upload
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Unit

NAME_MAX = 50
ADDRESS_MAX = 200
COMMENT_MAX = 1000
#: Mainland mobile (11 digits from 13x–19x) or landline with area code (0xx(x)-xxxxxxx(x), optional
#: extension); spaces and dashes are tolerated on input and stripped, except the area-code dash.
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
LANDLINE_RE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?")
#: What the file picker offers; the content is checked on the server whatever the picker allowed.
ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf"


def normalise_phone(raw: str) -> str:
    """A mainland mobile or landline number in one canonical spelling; ValidationError otherwise."""
    value = re.sub(r"[\s()（）]", "", raw)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    if MOBILE_RE.fullmatch(value.replace("-", "")):
        return value.replace("-", "")
    match = LANDLINE_RE.fullmatch(value)
    if match:
        area, local, extension = match.groups()
        return f"{area}-{local}" + (f"-{extension}" if extension else "")
    raise ValidationError(
        _(
            "Enter a mobile number (11 digits, e.g. 13812345678) "
            "or a landline with its area code (e.g. 0571-87654321)."
        ),
        code="phone",
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the form's clean_uploads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class SubmitForm(forms.Form):
    """The citizen's appeal. Township, village and the unit concerned are plain choices (grouped
    villages for <optgroup>) turned into Units in clean, with the pair checked by rules.check_place."""

    kind = forms.ChoiceField(
        label=_("What kind of message is it?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of message it is.")},
    )
    title = forms.CharField(label=_("Title"), required=False, strip=False)
    body = forms.CharField(
        label=_("What happened, or what do you suggest?"), required=False, strip=False, widget=forms.Textarea
    )
    township = forms.ChoiceField(label=_("Township or street"), required=False)
    village = forms.ChoiceField(label=_("Village or community"), required=False)
    address = forms.CharField(label=_("Address or place"), required=False, max_length=ADDRESS_MAX)
    # Not "files": that name belongs to Form.files (the uploaded-files dict).
    uploads = MultipleFileField(label=_("Photos or PDF"), required=False)
    name = forms.CharField(label=_("Your name"), required=False, max_length=NAME_MAX)
    phone = forms.CharField(label=_("Your phone"), required=False, max_length=30)
    email = forms.EmailField(label=_("Your e-mail"), required=False, max_length=254)
    concerns_unit = forms.ChoiceField(label=_("This concerns officials of a unit"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        townships = list(Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True).order_by("sort", "path"))
        villages = list(
            Unit.objects.filter(kind__in=RESIDENTIAL_KINDS, is_active=True, parent__kind=UnitKind.TOWNSHIP)
            .select_related("parent")
            .order_by("parent__sort", "parent__path", "sort", "path")
        )
        departments = list(
            Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("sort", "path")
        )
        #: (township, its villages) for the grouped village select of the template.
        self.village_groups: list[tuple[Unit, list[Unit]]] = [
            (t, [v for v in villages if v.parent_id == t.pk]) for t in townships
        ]
        self.village_groups = [(t, vs) for t, vs in self.village_groups if vs]
        self.townships = townships
        #: (group label, units) for the grouped select of the unit whose officials are concerned.
        self.concerned_groups: list[tuple[str, list[Unit]]] = [
            (str(_("Departments of the district")), departments),
            (str(_("Townships and streets")), townships),
        ]
        blank = [("", "—")]
        cast(forms.ChoiceField, self.fields["township"]).choices = blank + [
            (str(t.pk), t.name) for t in townships
        ]
        cast(forms.ChoiceField, self.fields["village"]).choices = blank + [
            (t.name, [(str(v.pk), v.name) for v in vs]) for t, vs in self.village_groups
        ]
        cast(forms.ChoiceField, self.fields["concerns_unit"]).choices = blank + [
            (label, [(str(u.pk), u.name) for u in units]) for label, units in self.concerned_groups if units
        ]
        self._units = {u.pk: u for u in [*townships, *villages, *departments]}

    def _unit(self, name: str) -> Unit | None:
        value = self.cleaned_data.get(name) or ""
        return self._units.get(int(value)) if value else None

    def clean_body(self) -> str:
        # Browsers count a line break as one character against maxlength but send "\r\n".
        return str(self.cleaned_data.get("body", "")).replace("\r\n", "\n")

    def clean_phone(self) -> str:
        raw = str(self.cleaned_data.get("phone", "")).strip()
        return normalise_phone(raw) if raw else ""

    def clean_uploads(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("uploads") or []
        if len(files) > MAX_FILES:
            raise ValidationError(_("Send at most %(n)d files.") % {"n": MAX_FILES}, code="too_many")
        for upload in files:
            name = upload.name
            try:  # the same content check rules.submit makes, so every error shows in one go
                checked_upload(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict.get("files", error.messages), code="file") from error
            finally:
                upload.name = name  # checked_upload renames by content; submit does that again
        return files

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            rules.check_text(str(data.get("title", "")), str(data.get("body", "")))
        except ValidationError as error:
            self.add_error(None, error)
        township, village = self._unit("township"), self._unit("village")
        if township is None and village is not None:
            township = village.parent  # the village alone names the place; no JavaScript needed
        try:
            rules.check_place(township, village)
        except ValidationError as error:
            self.add_error(None, error)
        data["township_unit"], data["village_unit"] = township, village
        data["concerns_unit_obj"] = self._unit("concerns_unit")
        return data


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Tracking number"),
        max_length=20,
        error_messages={"required": _("Enter the tracking number.")},
    )
    code = forms.CharField(
        label=_("Query code"),
        max_length=16,
        error_messages={"required": _("Enter the query code.")},
    )

    def clean_number(self) -> str:
        return re.sub(r"\s", "", str(self.cleaned_data.get("number", "")))

    def clean_code(self) -> str:
        return re.sub(r"\s", "", str(self.cleaned_data.get("code", ""))).upper()


class RateForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Are you satisfied with the reply?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose satisfied, basically satisfied or unsatisfied.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=COMMENT_MAX, widget=forms.Textarea
    )


class InformationForm(forms.Form):
    # No max_length here: rules.add_citizen_information judges the length after "\r\n" → "\n".
    text = forms.CharField(
        label=_("The information asked for"),
        widget=forms.Textarea,
        error_messages={"required": _("Write the information.")},
    )

    def clean_text(self) -> str:
        return str(self.cleaned_data.get("text", "")).replace("\r\n", "\n")
