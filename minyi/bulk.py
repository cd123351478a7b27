"""Loading many rows fast, for demo volume and benchmarks: COPY on PostgreSQL, executemany elsewhere.

Rows are plain tuples in the order of ``fields`` (model attribute names, e.g. "unit_id"); nothing
here runs model code, signals or rules, so callers only load data that is already consistent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 20_000


def copy_rows(model: type[models.Model], fields: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert ``rows`` into ``model``'s table; return how many went in."""
    quote = connection.ops.quote_name
    column = {f.attname: f.column for f in model._meta.concrete_fields}
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(column[name]) for name in fields)
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # the psycopg cursor
                for row in iterator:
                    copy.write_row(row)
                    count += 1
            cursor.execute(f"ANALYZE {table}")
            return count
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        moments = [i for i, name in enumerate(fields) if isinstance(by_attname[name], models.DateTimeField)]
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608  (our own names only)
        while batch := list(islice(iterator, BATCH)):
            # Only the columns that hold datetimes are converted (about one value in ten): converting
            # every value of 100,000 rows one call at a time took seconds of make run.
            if moments:
                batch = [_plain_row(row, moments) for row in batch]
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _plain_row(row: tuple[Any, ...], moments: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in moments:
        values[i] = _plain(values[i])
    return tuple(values)


def _plain(value: Any) -> Any:
    """SQLite stores aware datetimes as Django does (naive UTC text), never with their own offset,
    which would break date filters in SQL."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def next_id(model: type[models.Model]) -> int:
    """The first free primary key (the loader assigns ids itself so related rows can point at them)."""
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


def reset_sequence(model: type[models.Model]) -> None:
    """After loading explicit ids on PostgreSQL, move the id sequence past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)
