"""The actions register as CSV (formula-like text neutralised: tower/csv_safe.py) and XLSX
(text cells typed as text), with the filters of the page. A register holds hundreds of actions
at most per client, so both are made in the request."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import xlsxwriter

from tower.actions.models import Action, Source, Status
from tower.actions.queries import source_url
from tower.csv_safe import neutralise_frame

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS = {
    "client": (pl.String, 10),
    "source": (pl.String, 16),
    "agreed_in": (pl.String, 28),
    "title": (pl.String, 48),
    "owner": (pl.String, 20),
    "due_date": (pl.Date, 12),
    "status": (pl.String, 10),
    "overdue": (pl.String, 8),
    "agreed_on": (pl.Date, 12),
    "source_url": (pl.String, 30),
}


def frame(actions, today: dt.date) -> pl.DataFrame:
    rows = [
        {
            "client": a.client.code,
            "source": Source(a.source).label if a.source in Source.values else a.source,
            "agreed_in": a.source_label,
            "title": a.title,
            "owner": a.owner,
            "due_date": a.due_date,
            "status": Status(a.status).label if a.status in Status.values else a.status,
            "overdue": "yes" if a.is_overdue(today) else "no",
            "agreed_on": a.created_at.date(),
            "source_url": source_url(a),
        }
        for a in actions
    ]
    return pl.DataFrame(rows, schema={name: dtype for name, (dtype, _) in COLUMNS.items()})


def render(actions: list[Action], today: dt.date, fmt: str) -> bytes:
    data = frame(actions, today)
    if fmt == "csv":
        return neutralise_frame(data).write_csv(date_format="%Y-%m-%d").encode()
    return _xlsx(data, today)


def _xlsx(data: pl.DataFrame, today: dt.date) -> bytes:
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        head = book.add_format({"bold": True, "bg_color": "#E3E6EA"})
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        red = book.add_format({"bold": True, "font_color": "#B3261E"})
        sheet = book.add_worksheet("Actions")
        sheet.write(0, 0, f"Actions register, as of {today.isoformat()}", head)
        for col, (name, (_, width)) in enumerate(COLUMNS.items()):
            sheet.write(2, col, name.replace("_", " ").capitalize(), head)
            sheet.set_column(col, col, width)
        for n, row in enumerate(data.iter_rows(named=True), start=3):
            for col, name in enumerate(COLUMNS):
                value = row[name]
                if value is None:
                    sheet.write_blank(n, col, None)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(n, col, dt.datetime.combine(value, dt.time()), date)
                elif name == "overdue" and value == "yes":
                    sheet.write_string(n, col, value, red)
                else:
                    sheet.write_string(n, col, value)
        sheet.freeze_panes(3, 0)
        if data.height:
            sheet.autofilter(2, 0, 2 + data.height, len(COLUMNS) - 1)
    return buffer.getvalue()
