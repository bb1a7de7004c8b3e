"""Set-based reads and writes between Polars frames and the database, on Django's connection.

Hot paths (imports, outcome refresh) never save model instances one by one: they read query
results straight into a frame and write frames with executemany (SQLite) or COPY (PostgreSQL),
inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl
from django.db import connection

CHUNK = 900  # below SQLite's default limit of host parameters in one statement


def read_frame(sql: str, params: Sequence = (), *, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Run a query and return its rows as a frame with exactly `schema` (names in select order)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = list(schema)
    if not rows:
        return pl.DataFrame(schema=schema)
    # SQLite hands back dates as ISO text and booleans as 0/1: read loosely, then cast.
    raw = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    return raw.select(
        _cast(pl.col(name), raw.schema[name], dtype) for name, dtype in schema.items()
    )


def _cast(expr: pl.Expr, current: pl.DataType, wanted: pl.DataType) -> pl.Expr:
    if wanted == pl.Date and current == pl.String:
        return expr.str.to_date("%Y-%m-%d")
    if current == pl.Null:
        return expr.cast(wanted)
    return expr.cast(wanted, strict=True)


def insert_frame(table: str, frame: pl.DataFrame) -> int:
    """Insert every row of `frame` into `table` (columns named as in the frame)."""
    if frame.is_empty():
        return 0
    columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY in CSV with an explicit null marker. Every text is quoted, so an empty string or
            # a literal \N stays text; only unquoted \N is NULL.
            data = frame.write_csv(
                include_header=False,
                null_value="\\N",
                date_format="%Y-%m-%d",
                quote_style="non_numeric",
            )
            sql = f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with cursor.cursor.copy(sql) as copy:
                copy.write(data.encode())
        else:
            marks = ", ".join(["%s"] * frame.width)
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) VALUES ({marks})"
            cursor.executemany(sql, _sqlite_rows(frame))
    return frame.height


def update_frame(table: str, frame: pl.DataFrame, *, key: str = "id") -> int:
    """Set the frame's columns on the rows whose `key` matches."""
    if frame.is_empty():
        return 0
    q = connection.ops.quote_name
    assignments = ", ".join(f"{q(c)} = %s" for c in frame.columns if c != key)
    ordered = frame.select([c for c in frame.columns if c != key] + [key])
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {q(table)} SET {assignments} WHERE {q(key)} = %s",
            _sqlite_rows(ordered) if connection.vendor == "sqlite" else ordered.iter_rows(),
        )
    return frame.height


def delete_where_in(table: str, column: str, values: Iterable) -> int:
    values = list(values)
    q = connection.ops.quote_name
    deleted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {q(table)} WHERE {q(column)} IN ({marks})", chunk)
            deleted += cursor.rowcount
    return deleted


def reserve_ids(table: str, count: int) -> list[int]:
    """Primary keys for `count` new rows, so children can be written without reading back.

    PostgreSQL draws them from the table's sequence; SQLite continues after the highest id, which
    is safe because imports hold SQLite's single write lock for their whole transaction.
    """
    if count == 0:
        return []
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {q(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _sqlite_rows(frame: pl.DataFrame):
    # ISO text for dates and 0/1 for booleans is how Django stores them in SQLite; converting in
    # Polars is far cheaper than sqlite3's per-value adapters.
    converted = frame.with_columns(
        pl.col(name).dt.strftime("%Y-%m-%d") if dtype == pl.Date else pl.col(name).cast(pl.Int8)
        for name, dtype in frame.schema.items()
        if dtype in (pl.Date, pl.Boolean)
    )
    return converted.iter_rows()


def read_for_clients(clients: Iterable, sql: str, params: list, *, schema: dict) -> pl.DataFrame:
    """`sql` with its {marks} filled for the ids of `clients` (Client rows), which come first
    among the params."""
    ids = [c.pk for c in clients]
    if not ids:
        return pl.DataFrame(schema=schema)
    marks = ", ".join(["%s"] * len(ids))
    return read_frame(sql.format(marks=marks), [*ids, *params], schema=schema)
