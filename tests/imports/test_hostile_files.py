"""Hostile files and numbers (issue 9, section 3): every one is a row-level or a clear file-level
error, nothing is written, and the rejected run is logged; the same on SQLite and PostgreSQL
(run this module with DATABASE_URL set for the latter)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError

from tower.imports.models import ImportLog
from tower.ingest import ImportFileError, limits
from tower.ingest.numbers import OUT_OF_RANGE
from tower.orders.models import (
    Delivery,
    OrderLine,
)
from tower.quality.models import Batch, PlanWeek
from tower.stockouts.models import StockOutEvent

HEADER = (
    "client,order,line,product,ordered_qty,line_value,committed_date,delivered_date,delivered_qty"
)


def errors(report) -> list[tuple]:
    return [tuple(r.values()) for r in report.errors.iter_rows(named=True)]


def rejected_logs() -> list[tuple]:
    return list(
        ImportLog.objects.filter(outcome="rejected")
        .order_by("started_at", "pk")
        .values_list("kind", "file_name", "errors")
    )


def assert_nothing_written():
    assert OrderLine.objects.count() == Delivery.objects.count() == 0
    assert Batch.objects.count() == PlanWeek.objects.count() == StockOutEvent.objects.count() == 0


# --- numbers -----------------------------------------------------------------------------------


def test_huge_infinite_and_nan_numbers_in_lines_are_row_errors(acme, write_csv, run_import):
    path = write_csv(
        f"""
        {HEADER}
        ACME,PO-1,1,AMX,1e307,,2026-03-10,,
        ACME,PO-2,1,AMX,1e308,,2026-03-10,,
        ACME,PO-3,1,AMX,1e309,,2026-03-10,,
        ACME,PO-4,1,AMX,nan,,2026-03-10,,
        ACME,PO-5,1,AMX,10,1e309,2026-03-10,2026-03-10,inf
        ACME,PO-6,1,AMX,10,-1,2026-03-10,2026-03-10,-5
        ACME,PO-7,1,AMX,999999999999,1000000000000,2026-03-10,2026-03-10,10
        """
    )
    report = run_import(path, create_missing=True)
    nan = "not a number: write digits with an optional decimal point, e.g. 1234.5 or 1,234.5 (a comma only as a thousands separator)"
    assert errors(report) == [
        (2, "ordered_qty", "1e307", OUT_OF_RANGE),
        (3, "ordered_qty", "1e308", OUT_OF_RANGE),
        (4, "ordered_qty", "1e309", OUT_OF_RANGE),
        (5, "ordered_qty", "nan", nan),
        (6, "delivered_qty", "inf", nan),
        (6, "line_value", "1e309", OUT_OF_RANGE),
        (7, "delivered_qty", "-5", "a quantity must not be negative"),
        (7, "line_value", "-1", "a line value must not be negative"),
    ]
    assert OUT_OF_RANGE == (
        "out of range: a number must be finite and between -1,000,000,000,000 and 1,000,000,000,000"
    )
    assert_nothing_written()
    assert rejected_logs() == [("lines", "lines.csv", 8)]


def test_huge_and_infinite_outputs_and_plan_are_row_errors(acme, write_csv, run_records):
    batches = write_csv(
        """
        client,batch,product,theoretical_output,actual_output
        ACME,B-1,AMX,1e309,10
        ACME,B-2,AMX,100,1e308
        ACME,B-3,AMX,100,nan
        """,
        "batches.csv",
    )
    report = run_records("batches", batches, create_missing=True)
    assert [(r, c, v) for r, c, v, _ in errors(report)] == [
        (2, "theoretical_output", "1e309"),
        (3, "actual_output", "1e308"),
        (4, "actual_output", "nan"),
    ]
    plan = write_csv(
        "client,product,site,week,planned_qty\nACME,AMX,S1,2026-W07,1e309\n", "plan.csv"
    )
    report = run_records("plan", plan, create_missing=True)
    assert errors(report) == [(2, "planned_qty", "1e309", OUT_OF_RANGE)]
    assert_nothing_written()
    assert rejected_logs() == [("batches", "batches.csv", 3), ("plan", "plan.csv", 1)]


# --- text --------------------------------------------------------------------------------------


def test_text_too_long_for_its_column_and_control_characters(acme, write_csv, run_import):
    ship_to = "S" * 300
    path = write_csv(
        f"""
        client,order,line,product,ordered_qty,committed_date,currency,ship_to
        ACME,PO-1,1,AMX,10,2026-03-10,EURO,Lyon
        ACME,PO-2,1,AMX,10,2026-03-10,EUR,{ship_to}
        ACME,PO\x00-3,1,AMX,10,2026-03-10,EUR,Lyon
        ACME,PO-4,1,AM\x01X,10,2026-03-10,EUR,Lyon
        ACME,PO-5,1,AMX,10,2026-03-10,EUR,"two
        lines and a\ttab are fine"
        """
    )
    report = run_import(path, create_missing=True)
    control = "holds a control character (such as NUL): remove it"
    assert errors(report) == [
        (2, "currency", "EURO", "too long: 4 characters, at most 3 fit"),
        (3, "ship_to", "S" * 60 + "…", "too long: 300 characters, at most 200 fit"),
        (4, "order", "PO\\x00-3", control),
        (5, "product", "AM?X", control),
    ]
    assert_nothing_written()
    assert rejected_logs() == [("lines", "lines.csv", 4)]
    # Without the bad rows the same file imports, line breaks and tabs in a cell included.
    good = write_csv(
        "client,order,line,product,ordered_qty,committed_date,currency,ship_to\n"
        'ACME,PO-5,1,AMX,10,2026-03-10,EUR,"two\nlines and a\ttab are fine"\n',
        "good.csv",
    )
    assert run_import(good, create_missing=True).ok
    assert OrderLine.objects.get().ship_to == "two\nlines and a\ttab are fine"


def test_record_text_limits_come_from_the_models(acme, write_csv, run_records):
    batches = write_csv(
        f"client,batch,product\nACME,{'B' * 101},AMX\nACME,B\x00,AMX\n", "batches.csv"
    )
    report = run_records("batches", batches, create_missing=True)
    assert errors(report) == [
        (2, "batch", "B" * 60 + "…", "too long: 101 characters, at most 100 fit"),
        (3, "batch", "B\\x00", "holds a control character (such as NUL): remove it"),
    ]
    # A note has no length of its own in the database: TEXT_CELL_CHARS applies.
    note = "n" * (limits.TEXT_CELL_CHARS + 1)
    stockouts = write_csv(
        f"client,product,location,start_date,note\nACME,AMX,FR,2026-03-01,{note}\n", "so.csv"
    )
    report = run_records("stockouts", stockouts, create_missing=True)
    assert errors(report) == [
        (2, "note", "n" * 60 + "…", "too long: 10001 characters, at most 10000 fit")
    ]
    assert_nothing_written()


# --- duplicates --------------------------------------------------------------------------------


def test_the_same_delivery_twice_in_one_file_is_an_error(acme, write_csv, run_import):
    path = write_csv(
        """
        client,order,line,product,ordered_qty,committed_date,delivered_date,delivered_qty,delivery_id
        ACME,PO-1,1,AMX,100,2026-03-10,2026-03-10,100,D-1
        ACME,PO-1,1,AMX,100,2026-03-10,2026-03-10,100,D-1
        ACME,PO-2,1,AMX,50,2026-03-10,2026-03-10,50,D-1
        """
    )
    report = run_import(path, create_missing=True)
    assert errors(report) == [
        (
            3,
            "delivery_id",
            "D-1",
            "the same delivery as row 2 (order, line and delivery_id): a file gives each delivery once",
        )
    ]
    assert_nothing_written()
    # One delivery note covering two lines (rows 2 and 4) is fine.
    fixed = path.read_text().splitlines()
    del fixed[2]
    path.write_text("\n".join(fixed) + "\n")
    assert run_import(path, create_missing=True).ok
    assert sorted(Delivery.objects.values_list("quantity", flat=True)) == [50.0, 100.0]


# --- file-level errors, zip bombs --------------------------------------------------------------


def _workbook(path: Path, rows: list[list]) -> Path:
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("lines")
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    return path


LINES = [
    ["client", "order", "line", "product", "ordered_qty", "committed_date"],
    ["ACME", "PO-1", "1", "AMX", 10, "2026-03-10"],
]


def _rewritten(path: Path, change) -> Path:
    """The workbook with each member's bytes passed through change(name, data)."""
    with zipfile.ZipFile(path) as source:
        members = [(i, source.read(i.filename)) for i in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            target.writestr(info.filename, change(info.filename, data), zipfile.ZIP_DEFLATED)
    return path


def test_a_zip_bomb_is_refused_before_it_is_inflated(acme, tmp_path, run_import, monkeypatch):
    # A real bomb, scaled down: 60 MB of sheet padding that deflates to some 60 KB, against a
    # limit lowered to 50 MB (the default, 1 GiB, would take a gigabyte to test).
    monkeypatch.setattr(limits, "XLSX_MAX_UNCOMPRESSED_BYTES", 50_000_000)
    padding = b" " * 60_000_000
    bomb = _rewritten(
        _workbook(tmp_path / "bomb.xlsx", LINES),
        lambda name, data: data + padding if name == "xl/worksheets/sheet1.xml" else data,
    )
    assert bomb.stat().st_size < 200_000
    with pytest.raises(
        ImportFileError, match=r'"bomb.xlsx" would inflate to 60 MB .* more than the 50 MB'
    ):
        run_import(bomb, create_missing=True)
    assert_nothing_written()
    assert rejected_logs() == [("lines", "bomb.xlsx", 1)]


def test_a_sheet_declaring_billions_of_cells_is_refused(acme, tmp_path, run_import):
    # The default limit: a tiny file whose sheet says it spans every cell Excel has.
    huge = _rewritten(
        _workbook(tmp_path / "huge.xlsx", LINES),
        lambda name, data: (
            data.replace(b'<dimension ref="A1:F2"/>', b'<dimension ref="A1:XFD1048576"/>')
            if name == "xl/worksheets/sheet1.xml"
            else data
        ),
    )
    with pytest.raises(
        ImportFileError, match=r"declares 17,179,869,184 cells in xl/worksheets/sheet1.xml"
    ):
        run_import(huge, create_missing=True)
    assert rejected_logs() == [("lines", "huge.xlsx", 1)]
    # The same workbook, honest about its size, imports.
    assert run_import(_workbook(tmp_path / "fine.xlsx", LINES), create_missing=True).ok


def _command(kind: str, *args) -> str:
    with pytest.raises(CommandError) as caught:
        call_command(f"import_{kind}", *map(str, args), stdout=io.StringIO(), stderr=io.StringIO())
    return str(caught.value)


def test_every_rejected_import_is_logged_file_level_errors_too(acme, tmp_path, write_csv):
    good = write_csv(
        "client,order,line,product,ordered_qty,committed_date\nACME,PO-1,1,AMX,1,2026-03-10\n"
    )
    bad_mapping = tmp_path / "map.toml"
    bad_mapping.write_text('[columns]\norder = "order"\n[file]\nencoding = "base64"\n')
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")
    no_client = write_csv(
        "order,product,ordered_qty,committed_date\nPO-1,AMX,1,2026-03-10\n", "nc.csv"
    )
    messages = [
        _command("lines", tmp_path / "missing.csv"),
        _command("lines", good, "--mapping", bad_mapping),
        _command("lines", damaged),
        _command("lines", no_client),
        _command("lines", no_client, "--client", "NOPE"),
        _command("batches", tmp_path / "missing.csv"),
        _command("batches", damaged, "--client", "ACME"),
    ]
    assert all("\n" not in m and "Traceback" not in m for m in messages)
    assert 'unknown encoding "base64"' in messages[1]
    assert [(kind, name) for kind, name, _ in rejected_logs()] == [
        ("lines", "missing.csv"),
        ("lines", "lines.csv"),
        ("lines", "damaged.xlsx"),
        ("lines", "nc.csv"),
        ("lines", "nc.csv"),
        ("batches", "missing.csv"),
        ("batches", "damaged.xlsx"),
    ]
    logs = list(ImportLog.objects.order_by("started_at", "pk"))
    assert logs[0].file_sha256 == "" and len(logs[1].file_sha256) == 64
    assert logs[4].client_codes == "NOPE"
    assert_nothing_written()
