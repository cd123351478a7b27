"""Words of a text for search: the one place where the echo wall and the staff list segment Chinese.

Both searches cut a query into words with the tokenizer the classifier uses (jieba, through
``segment``, one small function so that the tokenizer can be swapped in one place) and require every
word; the design and the measurements are in docs/design.md ("Search").

The staff list keeps the words of each appeal in ``Appeal.search_words`` (a ``SearchWordsField``):
on PostgreSQL a ``tsvector`` of the words as they are (no stemming, no parsing, so the 'simple'
behaviour without its parser) served by a GIN index; on SQLite the same words as space-separated text
matched with ``LIKE '% word %'``. Both give the same answers: a row matches when every word of the
query is one of its words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext as _

from minyi.insight import text as insight_text

#: A search word: letters and digits only (so never a LIKE wildcard, a quote or a tsquery operator).
WORD = re.compile(r"[^\W_]+")
#: Function words that say nothing about what an entry is about: not required (but still counted
#: when ranking), unless the query has nothing else.
STOPWORDS = frozenset("的了地得着过吗呢吧啊呀嘛和与及或在是也都就还很又把被给让对向从而但并等")
#: A query with more words than this is refused (each word is one more index condition).
MAX_WORDS = 8
#: Words longer than this are not useful in a search (a pasted number or a run of Latin letters).
MAX_WORD_LENGTH = 30


def segment(text: str) -> list[str]:
    """The words of ``text`` as the classifier cuts them (jieba, precise mode), every piece kept."""
    return insight_text.lcut(text)


def normalise(text: str) -> str:
    """The form stored words and queries take: NFKC (full-width → half-width), case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str) -> list[str]:
    """The words of ``text`` in order (with repeats): normalised, segmented, punctuation dropped."""
    found = []
    for piece in segment(normalise(text)):
        found.extend(WORD.findall(piece))
    return found


def index_words(*texts: str) -> str:
    """What ``Appeal.search_words`` holds for ``texts``: each distinct word once, and for a Chinese word of
    three or more characters also its two- and three-character parts (化工厂区 → 化工, 工厂, 化工厂 …), so
    that a query cut differently from the text still finds it; space-separated, with a space at both
    ends (for ``LIKE '% w %'``)."""
    found: set[str] = set()
    for text in texts:
        for word in words(text):
            if len(word) > MAX_WORD_LENGTH:
                continue
            found.add(word)
            if len(word) >= 3 and not word.isascii():
                for size in (2, 3):
                    found.update(word[i : i + size] for i in range(len(word) - size + 1))
    return f" {' '.join(sorted(found))} " if found else ""


def query_words(q: str) -> list[str]:
    """The distinct words of a query in their order (stopwords included; see ``required``)."""
    found: list[str] = []
    for word in words(q):
        if word not in found:
            found.append(word)
    return found


def required(query: Iterable[str]) -> list[str]:
    """The words every match must contain: all but the stopwords (all of them if nothing else is left)."""
    query = list(query)
    return [w for w in query if w not in STOPWORDS] or query


def check_query(query: str) -> str:
    """The search text of a list, or a ValidationError saying why it cannot be searched."""
    query = query.strip()
    if not query:
        return ""
    found = query_words(query)
    if not found:
        raise forms.ValidationError(_("Type a word to look for."), code="no_words")
    if len(required(found)) > MAX_WORDS:
        raise forms.ValidationError(
            _("Search for at most %(n)d words at a time.") % {"n": MAX_WORDS}, code="too_many_words"
        )
    return query


# --- the staff list's column and its lookup ------------------------------------------------------


class SearchWordsField(models.TextField):
    """The words of a row for search: ``tsvector`` on PostgreSQL, space-separated text elsewhere.

    In Python the value is always the text form made by ``index_words``."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value: Any, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> str:
        # The words go in as they are: a tsvector's input form is space-separated lexemes, and a word
        # (WORD) holds no quote, backslash or colon that the input form would read specially.
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> str:
        if connection.vendor == "postgresql" and value:
            lexemes = re.findall(r"'([^']*)'", value)
            return f" {' '.join(lexemes)} " if lexemes else ""
        return value or ""


@SearchWordsField.register_lookup
class AllWords(Lookup):
    """``search_words__all_words=(w1, w2)``: the row has every one of the words (see the module docstring)."""

    lookup_name = "all_words"
    prepare_rhs = False
    postgresql = "%s @@ %%s::tsquery"

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        chosen = [w for w in self.rhs if WORD.fullmatch(w)]
        if not chosen or len(chosen) != len(self.rhs):
            return "1 = 0", []  # nothing to look for, or a word that no row can hold: no row
        if connection.vendor == "postgresql":
            query = " & ".join(f"'{w}'" for w in chosen)  # quoted lexemes: taken as they are
            return self.postgresql % lhs, [*lhs_params, query]
        sql = " AND ".join(f"{lhs} LIKE %s" for _ in chosen)
        params: list[Any] = []
        for word in chosen:
            params.extend([*lhs_params, f"% {word} %"])
        return f"({sql})", params


@SearchWordsField.register_lookup
class AllWordsScan(AllWords):
    """``search_words__all_words_scan=(…)``: the same answers as ``all_words``, written so that PostgreSQL
    cannot use the GIN index (the function behind ``@@``): for words so common that walking the newest
    appeals finds a page sooner than reading every match (see ``filters.text_match``)."""

    lookup_name = "all_words_scan"
    postgresql = "ts_match_vq(%s, %%s::tsquery)"
