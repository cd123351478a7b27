"""Reading the CSV files the classifier learns from: labelled messages, unlabelled messages, a taxonomy.

Columns are found by name (id, title, body, category; level1, level2, level3); others are ignored."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

# Names of the unlabelled message files of the public data set, looked for beside the training CSV.
UNLABELLED_NAMES = ("messages-with-votes.csv", "messages-with-replies.csv")
TAXONOMY_NAME = "taxonomy.csv"


class CorpusError(ValueError):
    """A CSV that cannot be read, or lacks a needed column."""


def _rows(path: Path | str, needed: tuple[str, ...]) -> Iterator[dict[str, str]]:
    # Message bodies can exceed the csv module's default field limit of 128 KiB.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [name for name in needed if name not in (reader.fieldnames or [])]
            if missing:
                raise CorpusError(f"{path}: missing column(s) {', '.join(missing)}")
            for row in reader:
                yield {key: (value or "").strip() for key, value in row.items() if key is not None}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CorpusError(f"{path}: {error}") from error


def read_labelled(path: Path | str) -> list[tuple[str, str, str]]:
    """(title, body, category) of each row with a category; rows without one are skipped."""
    return [
        (row["title"], row["body"], row["category"])
        for row in _rows(path, ("title", "body", "category"))
        if row["category"]
    ]


def read_texts(path: Path | str) -> list[tuple[str, str]]:
    """(title, body) of each row with some text."""
    return [
        (row["title"], row["body"]) for row in _rows(path, ("title", "body")) if row["title"] or row["body"]
    ]


def read_taxonomy(path: Path | str) -> list[tuple[str, str, str]]:
    """(level1, level2, level3) of each row."""
    return [
        (row["level1"], row["level2"], row["level3"]) for row in _rows(path, ("level1", "level2", "level3"))
    ]


def beside(
    train: Path | str, exclude: tuple[Path | str, ...] = (), also: tuple[Path, ...] = ()
) -> tuple[list[Path], Path | None]:
    """The public data set's unlabelled files and taxonomy in the training CSV's directory, else in the
    first of the ``also`` directories that has them.

    Files named in ``exclude`` (the test CSV) and the training CSV itself are never used."""
    excluded = {Path(path).resolve() for path in (train, *exclude)}
    unlabelled: list[Path] = []
    taxonomy: Path | None = None
    for folder in (Path(train).resolve().parent, *also):
        if not unlabelled:
            unlabelled = [
                folder / name
                for name in UNLABELLED_NAMES
                if (folder / name).is_file() and (folder / name).resolve() not in excluded
            ]
        candidate = folder / TAXONOMY_NAME
        if taxonomy is None and candidate.is_file() and candidate.resolve() not in excluded:
            taxonomy = candidate
    return unlabelled, taxonomy


def read_messages(path: Path | str) -> list[tuple[str, str, str, str, str]]:
    """(id, user, title, received_at, body) of each row with some text, in the file's order; ``user``
    and ``received_at`` may be empty."""
    return [
        (row["id"], row.get("user", ""), row["title"], row.get("received_at", ""), row["body"])
        for row in _rows(path, ("id", "title", "body"))
        if row["title"] or row["body"]
    ]
