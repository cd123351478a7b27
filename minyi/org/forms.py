"""Forms of the organisation pages."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from minyi.org.choices import NoticeMode

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_("Sheets 单位, 人员 and 住户 as in the template; any of them may be left out."),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":  # .xlsx is a zip container; judge by content, not by name
            raise forms.ValidationError(_("This is not an Excel .xlsx workbook."))
        return upload


class NoticeModeForm(forms.Form):
    notice_mode = forms.ChoiceField(
        label=_("How do you want to receive notices by SMS or e-mail?"),
        choices=NoticeMode.choices,
        widget=forms.RadioSelect,
    )


class UnlockRequestForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)


class UnlockCodeForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    code = forms.RegexField(
        label=_("Unlock code"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": _("Enter the six digits of the code.")},
    )
