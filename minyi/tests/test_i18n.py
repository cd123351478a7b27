"""Both catalogues are complete: every visible string in the code has a Chinese translation."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "minyi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _gaps(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def test_chinese_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    assert _gaps(polib.pofile(str(CATALOGUE))) == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_catalogue_covers_every_string_in_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "minyi", copy / "minyi", ignore=shutil.ignore_patterns("vendor", "__pycache__"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "minyi" / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    refreshed = polib.pofile(str(copy / "minyi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert _gaps(refreshed) == [], "run `make makemessages` and translate the new strings"


@pytest.mark.django_db
def test_pages_speak_chinese_by_default_and_english_on_request() -> None:
    client = Client()
    assert "员工登录" in client.get("/accounts/login/").content.decode()
    english = client.get("/accounts/login/", headers={"accept-language": "en"}).content.decode()
    assert "Staff login" in english
