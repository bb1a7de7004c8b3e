"""Importing order lines into the database: all or nothing, idempotent, logged."""

import datetime as dt

import openpyxl
import pytest
from django.utils import timezone

from tower.imports.models import ImportLog
from tower.masterdata.models import Product, Site
from tower.orders.models import (
    Delivery,
    OrderLine,
)
from tower.performance.models import LineOutcome
from tower.performance.queries import figures_frame
from tower.tenancy.models import Client

# Hand-checked with the default definition (due = committed date, no grace, no tolerance):
# PO-1/1 completes two days late (split 60 + 40), PO-1/2 is OTIF, PO-2/1 is short (70 of 80),
# PO-3/1 is cancelled (excluded) and PO-4/1 is due in 2099 with nothing delivered (pending).
SMALL = """
client,order,line,product,site,ordered_qty,committed_date,status,delivered_date,delivered_qty,delivery_id
ACME,PO-1,1,AMX-500,EU1,100,2026-01-10,closed,2026-01-08,60,D1
ACME,PO-1,1,AMX-500,EU1,100,2026-01-10,closed,2026-01-12,40,D2
ACME,PO-1,2,IBU-200,EU1,50,2026-01-10,closed,2026-01-10,50,D3
ACME,PO-2,1,AMX-500,EU1,80,2026-02-05,closed,2026-02-05,70,D4
ACME,PO-3,1,IBU-200,EU1,30,2026-03-01,cancelled,,,
ACME,PO-4,1,IBU-200,EU1,20,2099-01-01,open,,,
"""


@pytest.fixture
def small_import(acme, write_csv, run_import):
    report = run_import(write_csv(SMALL), create_missing=True)
    assert report.ok, report.errors
    return report


def test_import_creates_lines_deliveries_and_outcomes(small_import):
    assert (small_import.rows, small_import.records_created, small_import.deliveries_written) == (
        6,
        5,
        4,
    )
    assert small_import.created == {
        "clients": [],
        "sites": ["EU1"],
        "products": ["ACME/AMX-500", "ACME/IBU-200"],
    }
    split = OrderLine.objects.get(order__number="PO-1", line_number="1")
    assert sorted(split.deliveries.values_list("quantity", flat=True)) == [40.0, 60.0]
    outcome = LineOutcome.objects.get(line=split)
    assert (outcome.state, outcome.on_time, outcome.in_full, outcome.failure_kind) == (
        "measured",
        False,
        True,
        "late",
    )
    assert outcome.completion_date == dt.date(2026, 1, 12) and outcome.days_late == 2
    states = dict(LineOutcome.objects.values_list("line__order__number", "state"))
    assert states == {"PO-1": "measured", "PO-2": "measured", "PO-3": "excluded", "PO-4": "pending"}


def test_reimporting_the_same_file_changes_nothing(small_import, write_csv, run_import):
    delivery_ids = sorted(Delivery.objects.values_list("id", flat=True))
    again = run_import(write_csv(SMALL))
    assert (again.records_created, again.records_updated, again.records_unchanged) == (0, 0, 5)
    assert again.deliveries_written == 0 and again.refreshed == []
    assert sorted(Delivery.objects.values_list("id", flat=True)) == delivery_ids
    assert OrderLine.objects.count() == 5


def test_changed_deliveries_replace_only_that_lines_deliveries(small_import, write_csv, run_import):
    untouched = sorted(Delivery.objects.exclude(delivery_id="D4").values_list("id", flat=True))
    topped_up = SMALL.replace("2026-02-05,70,D4", "2026-02-05,80,D4")
    report = run_import(write_csv(topped_up))
    assert (report.records_created, report.records_updated, report.deliveries_written) == (0, 0, 1)
    assert (
        sorted(Delivery.objects.exclude(delivery_id="D4").values_list("id", flat=True)) == untouched
    )
    outcome = LineOutcome.objects.get(line__order__number="PO-2")
    assert (outcome.in_full, outcome.otif, outcome.failure_kind) == (True, True, None)
    assert_outcomes_match_the_database(outcome.client)


def test_changed_line_fields_update_the_line(small_import, write_csv, run_import):
    # PO-1/1's committed date moves to the 12th: the split now completes on time.
    moved = SMALL.replace(
        "ACME,PO-1,1,AMX-500,EU1,100,2026-01-10", "ACME,PO-1,1,AMX-500,EU1,100,2026-01-12"
    )
    report = run_import(write_csv(moved))
    assert (report.records_created, report.records_updated, report.records_unchanged) == (0, 1, 4)
    line = OrderLine.objects.get(order__number="PO-1", line_number="1")
    assert line.committed_date == dt.date(2026, 1, 12)
    assert LineOutcome.objects.get(line=line).otif is True
    assert_outcomes_match_the_database(line.client)


def test_file_with_errors_writes_nothing_and_reports_every_bad_row(acme, write_csv, run_import):
    path = write_csv(
        """
        client,order,line,product,site,ordered_qty,committed_date,delivered_date,delivered_qty
        ACME,PO-1,1,AMX,EU1,ten,2026-01-10,,
        ACME,PO-2,1,AMX,EU1,10,2026-13-45,,
        ACME,PO-3,1,AMX,EU1,10,2026-01-10,2026-01-11,
        ACME,PO-4,1,AMX,EU1,10,2026-01-10,,
        """
    )
    report = run_import(path, create_missing=True)
    assert not report.ok
    bad = report.errors.select("row", "column").rows()
    assert sorted({row for row, _ in bad}) == [2, 3, 4]
    assert (2, "ordered_qty") in bad and (3, "committed_date") in bad
    assert "nothing was written" in report.summary()
    assert OrderLine.objects.count() == 0 and Delivery.objects.count() == 0
    assert Site.objects.count() == 0 and Product.objects.count() == 0
    log = ImportLog.objects.get()
    assert (log.outcome, log.errors, log.rows) == ("rejected", report.errors.height, 4)


def test_unknown_client_site_and_product_are_errors_without_create_missing(
    acme, write_csv, run_import
):
    path = write_csv(
        """
        client,order,line,product,site,ordered_qty,committed_date
        ACME,PO-1,1,AMX,EU1,10,2026-01-10
        NEWCO,PO-2,1,AMX,EU1,10,2026-01-10
        """
    )
    report = run_import(path)
    reasons = {(row, column): reason for row, column, _, reason in report.errors.rows()}
    assert reasons[(2, "site")].startswith("unknown site")
    assert reasons[(2, "product")].startswith("unknown product")
    assert reasons[(3, "client")].startswith("unknown client")
    assert OrderLine.objects.count() == 0
    created = run_import(path, create_missing=True)
    assert created.ok and created.created["clients"] == ["NEWCO"]
    assert Client.objects.filter(code="NEWCO").exists() and OrderLine.objects.count() == 2


def test_dry_run_reports_changes_and_writes_nothing(acme, write_csv, run_import):
    report = run_import(write_csv(SMALL), create_missing=True, dry_run=True)
    assert report.ok and report.records_created == 5 and report.deliveries_written == 4
    assert OrderLine.objects.count() == 0 and Site.objects.count() == 0
    assert ImportLog.objects.get().outcome == "dry_run"


def test_every_import_is_logged_with_hash_and_counts(small_import):
    log = ImportLog.objects.get()
    assert (log.kind, log.actor, log.outcome, log.file_name) == (
        "lines",
        "test",
        "applied",
        "lines.csv",
    )
    assert len(log.file_sha256) == 64
    assert (log.rows, log.records_created, log.deliveries_written) == (6, 5, 4)
    assert log.client_codes == "ACME"


def test_xlsx_with_date_cells_gives_the_same_lines_as_csv(small_import, tmp_path, run_import):
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [line.split(",") for line in SMALL.strip().splitlines()]
    sheet.append(rows[0])
    for values in rows[1:]:
        cells = []
        for header, value in zip(rows[0], values, strict=True):
            if value and header.endswith("_date"):
                cells.append(dt.date.fromisoformat(value))
            elif value and header.endswith("_qty"):
                cells.append(float(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    path = tmp_path / "lines.xlsx"
    book.save(path)
    report = run_import(path)
    assert report.ok, report.errors
    assert (report.records_created, report.records_updated, report.records_unchanged) == (0, 0, 5)
    assert report.deliveries_written == 0


def assert_outcomes_match_the_database(client):
    """What an import stored equals evaluating the lines and deliveries now in the database."""
    stored = figures_frame([client]).sort("line_id")
    fresh = figures_frame([client], timezone.localdate()).sort("line_id")
    assert stored.equals(fresh)


def test_outcomes_after_partial_and_changed_imports_match_the_database(
    small_import, acme, write_csv, run_import
):
    # A second file holding only PO-2 (topped up) and a new order; the other lines stay as stored.
    header = SMALL.strip().splitlines()[0]
    partial = "\n".join(
        [
            header,
            "ACME,PO-2,1,AMX-500,EU1,80,2026-02-05,closed,2026-02-05,70,D4",
            "ACME,PO-2,1,AMX-500,EU1,80,2026-02-05,closed,2026-02-09,10,D5",
            "ACME,PO-5,1,IBU-200,EU1,5,2026-03-02,closed,2026-03-02,5,D6",
        ]
    )
    report = run_import(write_csv(partial))
    assert (report.records_created, report.records_updated, report.deliveries_written) == (1, 0, 3)
    assert LineOutcome.objects.get(line__order__number="PO-2").failure_kind == "late"
    assert LineOutcome.objects.count() == 6
    assert_outcomes_match_the_database(acme)


def test_awkward_text_survives_the_bulk_write(acme, write_csv, run_import):
    # Quotes, commas, a line break and a literal \N (PostgreSQL COPY's null marker) are text.
    path = write_csv(
        "client,order,line,product,ship_to,transport_mode,ordered_qty,committed_date\n"
        'ACME,PO-9,1,"Vial 10 ml, ""sterile""",\\N,"Road\nthen sea",5,2026-01-10\n'
    )
    assert run_import(path, create_missing=True).ok
    line = OrderLine.objects.select_related("product").get()
    assert line.product.code == 'Vial 10 ml, "sterile"'
    assert (line.ship_to, line.transport_mode, line.unit) == ("\\N", "Road\nthen sea", "")
    assert line.line_value is None


def test_planned_ship_date_is_stored_and_compared(small_import, write_csv, run_import):
    planned = SMALL.replace("delivery_id\n", "delivery_id,planned_ship_date\n", 1)
    rows = planned.strip().splitlines()
    planned = "\n".join([rows[0], *(f"{row},2026-01-08" for row in rows[1:])]) + "\n"
    report = run_import(write_csv(planned))
    # Every line gets a planned ship date: updated, but no outcome changes (not an engine input).
    assert (report.records_created, report.records_updated, report.records_unchanged) == (0, 5, 0)
    assert [r.outcomes_written for r in report.refreshed] == [0]
    assert set(OrderLine.objects.values_list("planned_ship_date", flat=True)) == {
        dt.date(2026, 1, 8)
    }
    again = run_import(write_csv(planned))
    assert (again.records_updated, again.records_unchanged) == (0, 5)


def test_a_file_of_headers_only_imports_nothing(acme, write_csv, run_import):
    report = run_import(write_csv("client,order,line,product,ordered_qty,committed_date\n"))
    assert report.ok and report.summary() == (
        "lines.csv: 0 rows; created 0 lines, updated 0, 0 unchanged; 0 deliveries written."
    )
    assert ImportLog.objects.get().outcome == "applied"
