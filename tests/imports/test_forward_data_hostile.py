"""Hostile cells in the forward half's imports (kpis.md 8): the stock kind and the lines'
planned batch get the same treatment as every other field: numbers bounded, text as long as
its column, no control characters, nothing written, the rejection logged."""

from __future__ import annotations

from tower.imports.models import ImportLog
from tower.ingest.numbers import OUT_OF_RANGE
from tower.orders.models import OrderLine
from tower.stock.models import ClientStock

NOT_A_NUMBER = (
    "not a number: write digits with an optional decimal point, e.g. 1234.5 or 1,234.5 "
    "(a comma only as a thousands separator)"
)
CONTROL = "holds a control character (such as NUL): remove it"


def errors(report) -> list[tuple]:
    return [(e["row"], e["column"], e["value"], e["reason"]) for e in report.errors.to_dicts()]


def test_hostile_stock_cells_are_row_errors(acme, write_csv, run_records):
    path = write_csv(
        f"""
        client,product,location,date,on_hand,daily_demand
        ACME,AMX,DC\x00,2026-03-01,10,1
        ACME,AMX,{"L" * 201},2026-03-01,10,1
        ACME,AMX,DC,2026-03-01,1e309,1
        ACME,AMX,DC,2026-03-02,10,-inf
        ACME,{"P" * 201},DC,2026-03-03,10,1
        """,
        "stock.csv",
    )
    report = run_records("stock", path, create_missing=True)
    assert errors(report) == [
        (2, "location", "DC\\x00", CONTROL),
        (3, "location", "L" * 60 + "…", "too long: 201 characters, at most 200 fit"),
        (4, "on_hand", "1e309", OUT_OF_RANGE),
        (5, "daily_demand", "-inf", NOT_A_NUMBER),
        (6, "product", "P" * 60 + "…", "too long: 201 characters, at most 200 fit"),
    ]
    assert not ClientStock.objects.exists()
    log = ImportLog.objects.get()
    assert (log.kind, log.outcome) == ("stock", "rejected")


def test_a_planned_batch_with_a_control_character_is_a_row_error(acme, write_csv, run_import):
    path = write_csv(
        """
        client,order,line,product,ordered_qty,committed_date,planned_batch
        ACME,PO-1,1,AMX,10,2026-03-10,B\x00-1
        """
    )
    report = run_import(path, create_missing=True)
    assert errors(report) == [(2, "planned_batch", "B\\x00-1", CONTROL)]
    assert not OrderLine.objects.exists()
