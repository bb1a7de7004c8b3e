"""Downloads of the lines behind a figure: the same filters as the page, as CSV or XLSX."""

from __future__ import annotations

import io
import itertools

import polars as pl
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse

from tower.csv_safe import neutralise_frame

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# (header, LineOutcome lookup, Polars type), in the order of the file's columns.
COLUMNS = [
    ("client", "client__code", pl.String),
    ("order", "line__order__number", pl.String),
    ("line", "line__line_number", pl.String),
    ("product", "line__product__code", pl.String),
    ("product_name", "line__product__name", pl.String),
    ("site", "line__site__code", pl.String),
    ("transport_mode", "line__transport_mode", pl.String),
    ("ordered_qty", "line__ordered_qty", pl.Float64),
    ("delivered_qty", "delivered_qty", pl.Float64),
    ("line_value", "line__line_value", pl.Float64),
    ("due_date", "due_date", pl.Date),
    ("due_basis", "due_basis", pl.String),
    ("decisive_date", "decisive_date", pl.Date),
    ("days_late", "days_late", pl.Int64),
    ("state", "state", pl.String),
    ("exclusion", "exclusion", pl.String),
    ("on_time", "on_time", pl.Boolean),
    ("in_full", "in_full", pl.Boolean),
    ("otif", "otif", pl.Boolean),
    ("delay_class", "delay_class", pl.String),
    ("failure_kind", "failure_kind", pl.String),
    ("root_cause", "line__root_cause__code", pl.String),
    ("functional_area", "line__root_cause__code__area", pl.String),
    ("root_cause_status", "line__root_cause__status", pl.String),
    ("root_cause_comment", "line__root_cause__comment", pl.String),
    ("review_comment", "line__root_cause__review_comment", pl.String),
    ("definition_version", "definition_version", pl.Int64),
]
# Rows read from the database and written to a streamed CSV at a time.
CHUNK = 2000
AUTOFIT_LINES = 20_000
INTERNAL_COLUMNS = [("internal_note", "line__root_cause__internal_note", pl.String)]


def lines_frame(rows: QuerySet, *, include_internal: bool) -> pl.DataFrame:
    """One row per line outcome; CMO-internal notes only when `include_internal`."""
    columns = COLUMNS + (INTERNAL_COLUMNS if include_internal else [])
    values = rows.values_list(*(lookup for _, lookup, _ in columns))
    return pl.DataFrame(
        list(values.iterator(chunk_size=5000)),
        schema={name: dtype for name, _, dtype in columns},
        orient="row",
    )


def file_name(figure_scope, fmt: str) -> str:
    who = figure_scope.clients[0].code if len(figure_scope.clients) == 1 else "all-clients"
    return f"otif-lines-{who}-{figure_scope.start:%Y-%m}-to-{figure_scope.end:%Y-%m}.{fmt}"


def response(frame: pl.DataFrame, fmt: str, name: str) -> HttpResponse:
    if fmt == "csv":
        # Comments and imported order numbers may start like a formula (tower.csv_safe).
        body = neutralise_frame(frame).write_csv(date_format="%Y-%m-%d").encode()
    else:
        buffer = io.BytesIO()
        write_xlsx(frame, buffer)
        body = buffer.getvalue()
    result = HttpResponse(body, content_type=FORMATS[fmt])
    result["Content-Disposition"] = f'attachment; filename="{name}"'
    return result


def write_xlsx(frame: pl.DataFrame, target) -> None:
    """The lines workbook (a path or a binary file). Columns are fitted to their contents only
    for a workbook a person reads on screen: fitting reads every cell again, which on a few
    hundred thousand lines costs more than writing them."""
    frame.write_excel(
        target,
        worksheet="lines",
        autofit=frame.height <= AUTOFIT_LINES,
        dtype_formats={pl.Date: "yyyy-mm-dd"},
    )


def streamed_csv(rows: QuerySet, *, include_internal: bool, name: str) -> StreamingHttpResponse:
    """The lines as CSV, written while they are read: CHUNK rows at a time from the database
    (a server-side cursor on PostgreSQL), so a download of every line of a large client holds
    neither the whole file nor every row in memory, and the first bytes leave at once."""
    columns = COLUMNS + (INTERNAL_COLUMNS if include_internal else [])
    schema = {header: dtype for header, _, dtype in columns}
    values = rows.values_list(*(lookup for _, lookup, _ in columns)).iterator(chunk_size=CHUNK)

    def chunks():
        yield pl.DataFrame(schema=schema).write_csv()  # the header, even for no lines
        while batch := list(itertools.islice(values, CHUNK)):
            frame = pl.DataFrame(batch, schema=schema, orient="row")
            yield neutralise_frame(frame).write_csv(include_header=False, date_format="%Y-%m-%d")

    result = StreamingHttpResponse(chunks(), content_type=FORMATS["csv"])
    result["Content-Disposition"] = f'attachment; filename="{name}"'
    return result
