"""Text as insight reads it: the one jieba tokenizer and the masked place codes of the public data set.

The classifier and the hotspot finder both segment with this tokenizer (its dictionary is built once
per process and cached once per user) and agree through ``MASKED_PLACE`` on what a masked place is.
Pure Python, no Django; jieba itself is imported on the first segmentation.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

# The board's organisers masked places as A市, A3区, K9县, M6州 and 西地省. A code is a capital letter
# with up to two digits before the suffix, not the end of a longer Latin word (a digit before it is
# fine: 2015A7县); a small letter names an estate's own block (c区, f区) and is left alone, as is every
# name of a real deployment.
MASKED_PLACE = re.compile(r"(?<![A-Za-z])[A-Z]\d{0,2}(?P<suffix>[市区县州])|西地省")
# A character of a word: not punctuation, space, digit or underscore.
WORDLIKE = re.compile(r"[^\W\d_]")


def place_codes(text: str) -> list[str]:
    """The masked place codes of a text with their suffixes, in order (A市A3区 → A市, A3区)."""
    return [match.group() for match in MASKED_PLACE.finditer(text)]


def without_place_codes(text: str) -> str:
    """The text with each masked code dropped and its suffix kept (A市A3区 → 市区; 西地省 → '')."""
    return MASKED_PLACE.sub(r"\g<suffix>", text)


class _Jieba:
    """One private jieba tokenizer, initialised once, quietly, with its cache outside the package."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokenizer: jieba.Tokenizer | None = None
        self.cache_dir: Path | None = None

    def tokenizer(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    # Imported on first use: a process that never segments text (most web requests,
                    # manage.py check) does not load it.
                    import jieba

                    # jieba logs every initialisation at DEBUG level; only real problems should show.
                    jieba.setLogLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.tmp_dir = str(self._usable_cache_dir())
                    tokenizer.initialize()
                    self._tokenizer = tokenizer
        return self._tokenizer

    def _usable_cache_dir(self) -> Path:
        # jieba's default is /tmp/jieba.cache, created 0600: a second user of the machine could then
        # neither read nor replace it and would rebuild the dictionary (about 1.5 s) in every process.
        for candidate in (self.cache_dir, Path(tempfile.gettempdir()) / f"minyi-jieba-{os.getuid()}"):
            if candidate is None:
                continue
            try:
                candidate.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError:
                continue
            if os.access(candidate, os.W_OK | os.X_OK):
                return candidate
        return Path(tempfile.gettempdir())


_JIEBA = _Jieba()


def set_cache_dir(path: Path | str) -> None:
    """Where jieba keeps its dictionary cache (e.g. ``var/cache``); call before the first tokenisation."""
    _JIEBA.cache_dir = Path(path)


def lcut(text: str) -> list[str]:
    """jieba's segmentation of a text (precise mode), every piece kept: words, punctuation, spaces."""
    return _JIEBA.tokenizer().lcut(text)
