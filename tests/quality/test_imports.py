"""Importing batches, deviations, CAPAs, plan weeks and stock-outs: all or nothing, idempotent,
scoped to what the principal may see, and logged (tower.imports)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tower.imports.models import ImportLog
from tower.ingest import load_mapping
from tower.ingest.dates import AMBIGUOUS
from tower.ingest.specs import BATCHES
from tower.masterdata.models import Product, Site
from tower.orders.models import OrderLine
from tower.performance.services import approve_root_cause, propose_root_cause
from tower.quality.models import Batch, Capa, Deviation, PlanWeek
from tower.stockouts.models import StockOutEvent
from tower.tenancy.models import Client, Role

D = dt.date

BATCHES_CSV = """
client,batch,product,site,planned_start,actual_start,planned_end,actual_end,material_ready_date,planned_release_date,actual_release_date,theoretical_output,actual_output,disposition
ACME,B-001,AMX-500,EU1,2026-03-02,2026-03-02,2026-03-06,2026-03-06,2026-02-27,2026-03-13,2026-03-12,1000,960,Released
ACME,B-002,AMX-500,EU1,2026-03-09,2026-03-10,2026-03-13,2026-03-16,2026-03-10,2026-03-20,,1000,,On hold
ACME,B-003,IBU-200,EU2,2026-03-16,,2026-03-20,,,,,,,
"""


@pytest.fixture
def batches(acme, write_csv, run_records):
    report = run_records("batches", write_csv(BATCHES_CSV, "batches.csv"), create_missing=True)
    assert report.ok, report.errors
    return report


def writes_to(table: str, queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) and table in q["sql"]
    ]


# --- batches ---------------------------------------------------------------------------------


def test_batches_are_created_with_every_field(batches):
    assert (batches.rows, batches.records_created, batches.records_updated) == (3, 3, 0)
    assert batches.created == {
        "clients": [],
        "sites": ["EU1", "EU2"],
        "products": ["ACME/AMX-500", "ACME/IBU-200"],
    }
    released = Batch.objects.select_related("product", "site").get(number="B-001")
    assert (released.client.code, released.product.code, released.site.code) == (
        "ACME",
        "AMX-500",
        "EU1",
    )
    assert (released.planned_start, released.actual_start) == (D(2026, 3, 2), D(2026, 3, 2))
    assert (released.planned_end, released.actual_end) == (D(2026, 3, 6), D(2026, 3, 6))
    assert released.material_ready_date == D(2026, 2, 27)
    assert (released.planned_release_date, released.actual_release_date) == (
        D(2026, 3, 13),
        D(2026, 3, 12),
    )
    assert (released.theoretical_output, released.actual_output) == (1000.0, 960.0)
    assert released.disposition == "released"
    on_hold = Batch.objects.get(number="B-002")
    assert (on_hold.disposition, on_hold.actual_output, on_hold.actual_release_date) == (
        "on_hold",
        None,
        None,
    )
    pending = Batch.objects.get(number="B-003")
    assert (pending.disposition, pending.site.code, pending.theoretical_output) == ("", "EU2", None)
    assert batches.summary() == (
        "batches.csv: 3 rows; created 3 batches, updated 0, 0 unchanged; "
        "created 2 sites, 2 products."
    )


def test_reimporting_the_same_batches_writes_nothing(batches, write_csv, run_records):
    ids = sorted(Batch.objects.values_list("id", flat=True))
    with CaptureQueriesContext(connection) as queries:
        again = run_records("batches", write_csv(BATCHES_CSV, "batches.csv"))
    assert (again.records_created, again.records_updated, again.records_unchanged) == (0, 0, 3)
    assert again.created == {}
    assert writes_to("quality_batch", queries) == []
    assert sorted(Batch.objects.values_list("id", flat=True)) == ids
    assert again.summary() == "batches.csv: 3 rows; created 0 batches, updated 0, 3 unchanged."


def test_a_changed_batch_is_updated(batches, write_csv, run_records):
    # B-002 is released on 21 March with 990 made; the other two stay as they are.
    changed = BATCHES_CSV.replace(
        "2026-03-20,,1000,,On hold", "2026-03-20,2026-03-21,1000,990,released"
    )
    report = run_records("batches", write_csv(changed))
    assert (report.records_created, report.records_updated, report.records_unchanged) == (0, 1, 2)
    batch = Batch.objects.get(number="B-002")
    assert (batch.disposition, batch.actual_output, batch.actual_release_date) == (
        "released",
        990.0,
        D(2026, 3, 21),
    )


def test_a_column_the_file_does_not_have_is_left_alone(batches, write_csv, run_records):
    # A later file giving only the disposition does not wipe the dates and outputs.
    report = run_records(
        "batches", write_csv("client,batch,product,disposition\nACME,B-003,IBU-200,rejected\n")
    )
    assert report.ok is False  # a rejected batch needs its disposition date
    report = run_records(
        "batches",
        write_csv(
            "client,batch,product,disposition,actual_release_date\n"
            "ACME,B-003,IBU-200,rejected,2026-03-27\n"
        ),
    )
    assert (report.records_updated, report.records_unchanged) == (1, 0)
    batch = Batch.objects.get(number="B-003")
    assert (batch.disposition, batch.planned_start, batch.site.code) == (
        "rejected",
        D(2026, 3, 16),
        "EU2",
    )


def test_batch_errors_are_all_reported_and_nothing_is_written(acme, write_csv, run_records):
    path = write_csv(
        """
        client,batch,product,site,planned_start,planned_end,actual_start,actual_end,actual_release_date,theoretical_output,actual_output,disposition
        ACME,B-1,AMX,EU1,2026-03-09,2026-03-06,,,,1000,-5,
        ACME,B-2,AMX,EU1,,,2026-03-10,2026-03-09,,0,,rejected
        ACME,B-3,AMX,EU1,03/04/2026,,,,,,,maybe
        ACME,B-1,AMX,EU1,,,,,,,,
        """
    )
    report = run_records("batches", path, create_missing=True)
    assert report.errors.select("row", "column", "reason").rows() == [
        (2, "actual_output", "must not be negative"),
        (2, "planned_end", "must not be before planned_start (2026-03-09)"),
        (3, "actual_end", "must not be before actual_start (2026-03-10)"),
        (3, "actual_release_date", "actual_release_date is required when disposition is released or rejected"),
        (3, "theoretical_output", "must be more than 0"),
        (4, "disposition", "disposition must be released, rejected, on hold or reworked (empty: pending)"),
        (4, "planned_start", AMBIGUOUS),
        (5, "batch", "the same batch as row 2 (client and batch): a file may give each batch once"),
    ]  # fmt: skip
    assert report.summary() == "lines.csv: 8 error(s) in 4 rows; nothing was written."
    assert Batch.objects.count() == 0 and Site.objects.count() == 0 and Product.objects.count() == 0
    log = ImportLog.objects.get()
    assert (log.kind, log.outcome, log.rows, log.errors, log.records_created) == (
        "batches",
        "rejected",
        4,
        8,
        0,
    )
    assert log.created_masterdata == {}


def test_unknown_master_data_needs_create_missing(acme, write_csv, run_records):
    path = write_csv(
        """
        client,batch,product,site
        ACME,B-1,AMX,EU1
        NEWCO,B-1,GLX,EU1
        """
    )
    report = run_records("batches", path)
    assert report.errors.select("row", "column", "reason").rows() == [
        (2, "product", "unknown product for this client: pass --create-missing to create it"),
        (2, "site", "unknown site: pass --create-missing to create it"),
        (3, "client", "unknown client: create it with `tower client add` or pass --create-missing"),
        (3, "product", "unknown product for this client: pass --create-missing to create it"),
        (3, "site", "unknown site: pass --create-missing to create it"),
    ]
    assert Batch.objects.count() == 0
    created = run_records("batches", path, create_missing=True)
    assert created.ok and created.created == {
        "clients": ["NEWCO"],
        "sites": ["EU1"],
        "products": ["ACME/AMX", "NEWCO/GLX"],
    }
    assert Client.objects.filter(code="NEWCO").exists()
    assert set(Batch.objects.values_list("client__code", "number")) == {
        ("ACME", "B-1"),
        ("NEWCO", "B-1"),
    }


def test_a_client_out_of_sight_is_unknown_and_never_created(acme, globex, write_csv, run_records):
    # An ACME user does not learn that GLOBEX exists, and cannot create a second GLOBEX.
    acme_user = make_user("acme-approver", acme, Role.CLIENT_APPROVER)
    path = write_csv(
        """
        client,batch,product
        ACME,B-1,AMX
        GLOBEX,B-1,GLX
        """
    )
    report = run_records("batches", path, principal=acme_user, create_missing=True)
    assert report.errors.rows() == [(3, "client", "GLOBEX", "unknown client (or no access to it)")]
    assert report.created["products"] == ["ACME/AMX"]
    assert Batch.objects.count() == 0 and Product.objects.count() == 0
    assert Client.objects.filter(code="GLOBEX").count() == 1
    # Nor under another spelling: client codes are unique whatever their case.
    other_case = write_csv("client,batch,product\nglobex,B-1,GLX\nacme,B-1,AMX\n")
    report = run_records("batches", other_case, principal=acme_user, create_missing=True)
    assert report.errors.rows() == [
        (2, "client", "globex", "unknown client (or no access to it)"),
        (
            3,
            "client",
            "acme",
            "unknown client: client codes are case-sensitive; did you mean ACME?",
        ),
    ]
    assert Client.objects.count() == 2


def test_dry_run_reports_and_writes_nothing(acme, write_csv, run_records):
    report = run_records("batches", write_csv(BATCHES_CSV), create_missing=True, dry_run=True)
    assert report.ok and (report.records_created, report.records_unchanged) == (3, 0)
    assert report.summary().endswith(
        "would create 3 batches, would update 0, 0 unchanged; would create 2 sites, 2 products "
        "(dry run: nothing written)."
    )
    assert Batch.objects.count() == 0 and Site.objects.count() == 0
    assert ImportLog.objects.get().outcome == "dry_run"


def test_a_file_of_headers_only_imports_nothing(acme, write_csv, run_records):
    report = run_records("stockouts", write_csv("client,product,location,start_date\n", "s.csv"))
    assert report.summary() == "s.csv: 0 rows; created 0 stock-outs, updated 0, 0 unchanged."
    assert report.notes == [] and ImportLog.objects.get().outcome == "applied"


def test_every_import_is_logged(batches):
    log = ImportLog.objects.get()
    assert (log.kind, log.actor, log.outcome, log.file_name, log.client_codes) == (
        "batches",
        "test",
        "applied",
        "batches.csv",
        "ACME",
    )
    assert (log.rows, log.records_created, log.records_updated, log.records_unchanged) == (
        3,
        3,
        0,
        0,
    )
    assert len(log.file_sha256) == 64
    assert log.created_masterdata["sites"] == ["EU1", "EU2"]


def test_a_mapping_names_other_headers_and_the_file_format(acme, tmp_path, run_records):
    mapping_path = tmp_path / "erp.toml"
    mapping_path.write_text(
        """
        [columns]
        batch = "Lot No"
        product = "Material"
        site = "Plant"
        actual_end = "Manufactured"
        actual_release_date = "QC Decision"
        disposition = "QC Status"
        actual_output = "Yield (kg)"

        [file]
        delimiter = ";"
        date_format = "%d.%m.%Y"
        """,
        encoding="utf-8",
    )
    mapping = load_mapping(mapping_path, fields=BATCHES.names)
    data = tmp_path / "erp.csv"
    data.write_text(
        "Lot No;Material;Plant;Manufactured;QC Decision;QC Status;Yield (kg)\n"
        "L-77;AMX-500;EU1;03.04.2026;10.04.2026;Released;1.250,5\n"
        "L-78;AMX-500;EU1;04.04.2026;;;-1\n",
        encoding="utf-8",
    )
    report = run_records("batches", data, mapping=mapping, client_code="ACME", create_missing=True)
    # The file's own headers are named in errors; "1.250,5" is not a number we may guess.
    assert [(r, c) for r, c, _, _ in report.errors.rows()] == [(2, "Yield (kg)"), (3, "Yield (kg)")]
    data.write_text(data.read_text().replace("1.250,5", "1250.5").replace(";-1", ";"))
    report = run_records("batches", data, mapping=mapping, client_code="ACME", create_missing=True)
    assert report.ok, report.errors
    batch = Batch.objects.get(number="L-77")
    assert (batch.actual_end, batch.actual_release_date, batch.actual_output) == (
        D(2026, 4, 3),
        D(2026, 4, 10),
        1250.5,
    )
    assert ImportLog.objects.latest("started_at").mapping == "erp"


def test_xlsx_with_date_and_number_cells_gives_the_same_batches(batches, tmp_path, run_records):
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [line.split(",") for line in BATCHES_CSV.strip().splitlines()]
    sheet.append(rows[0])
    for values in rows[1:]:
        cells = []
        for header, value in zip(rows[0], values, strict=True):
            if value and (header.endswith(("_date", "_start", "_end"))):
                cells.append(dt.date.fromisoformat(value))
            elif value and header.endswith("_output"):
                cells.append(float(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    path = tmp_path / "batches.xlsx"
    book.save(path)
    report = run_records("batches", path)
    assert report.ok, report.errors
    assert (report.records_created, report.records_updated, report.records_unchanged) == (0, 0, 3)


# --- deviations and CAPAs --------------------------------------------------------------------

DEVIATIONS_CSV = """
client,deviation,batch,site,opened_date,closed_date,severity,category,area,title
ACME,DEV-1,B-001,EU1,2026-03-04,2026-03-20,Major,Equipment,manufacturing,Filler stopped
ACME,DEV-2,,EU2,2026-03-18,,minor,Documentation,Quality control and release,Missing signature
ACME,DEV-3,B-002,,2026-03-11,,CRITICAL,,,
"""


def test_deviations_link_to_batches_and_areas(batches, write_csv, run_records):
    report = run_records("deviations", write_csv(DEVIATIONS_CSV))
    assert report.ok, report.errors
    assert report.records_created == 3
    rows = {
        d.number: (
            d.batch.number if d.batch else None,
            d.site_id and d.site.code,
            d.severity,
            d.area_id,
        )
        for d in Deviation.objects.select_related("batch", "site")
    }
    assert rows == {
        "DEV-1": ("B-001", "EU1", "major", "manufacturing"),
        "DEV-2": (None, "EU2", "minor", "quality"),
        "DEV-3": ("B-002", None, "critical", None),
    }
    dev = Deviation.objects.get(number="DEV-1")
    assert (dev.opened_date, dev.closed_date, dev.category, dev.title) == (
        D(2026, 3, 4),
        D(2026, 3, 20),
        "Equipment",
        "Filler stopped",
    )
    again = run_records("deviations", write_csv(DEVIATIONS_CSV))
    assert (again.records_created, again.records_updated, again.records_unchanged) == (0, 0, 3)


def test_deviation_errors(batches, write_csv, run_records):
    path = write_csv(
        """
        client,deviation,batch,opened_date,closed_date,severity,area
        ACME,DEV-1,B-999,2026-03-04,,major,manufacturing
        ACME,DEV-2,B-001,2026-03-04,2026-03-01,major,canteen
        ACME,DEV-3,,,,,
        """
    )
    # An unknown batch stays an error with --create-missing: batches are imported, not invented.
    report = run_records("deviations", path, create_missing=True)
    assert report.errors.select("row", "column", "reason").rows() == [
        (2, "batch", "unknown batch for this client: import the batches first"),
        (3, "area", "unknown functional area: use one of client, external, manufacturing, "
         "materials, planning, quality, shipping, unclassified (or its name)"),
        (3, "closed_date", "must not be before opened_date (2026-03-04)"),
        (4, "opened_date", "opened_date is required"),
        (4, "severity", "severity is required"),
    ]  # fmt: skip
    assert Deviation.objects.count() == 0


def test_another_clients_batch_is_not_found(batches, globex, write_csv, run_records):
    report = run_records(
        "deviations",
        write_csv(
            "client,deviation,batch,opened_date,severity\nGLOBEX,G-1,B-001,2026-03-04,minor\n"
        ),
    )
    assert report.errors.select("row", "column", "value").rows() == [(2, "batch", "B-001")]


def test_capas_link_to_deviations(batches, write_csv, run_records):
    assert run_records("deviations", write_csv(DEVIATIONS_CSV, "deviations.csv")).ok
    capas = """
    client,capa,deviation,title,due_date,closed_date
    ACME,CAPA-1,DEV-1,Replace the filler seal,2026-04-30,2026-04-28
    ACME,CAPA-2,,Retrain operators,2026-05-31,
    """
    report = run_records("capas", write_csv(capas, "capas.csv"))
    assert report.ok and report.records_created == 2
    assert report.summary() == "capas.csv: 2 rows; created 2 CAPAs, updated 0, 0 unchanged."
    capa = Capa.objects.select_related("deviation").get(number="CAPA-1")
    assert (capa.deviation.number, capa.title, capa.due_date, capa.closed_date) == (
        "DEV-1",
        "Replace the filler seal",
        D(2026, 4, 30),
        D(2026, 4, 28),
    )
    assert Capa.objects.get(number="CAPA-2").deviation is None
    bad = run_records("capas", write_csv("client,capa,deviation,due_date\nACME,CAPA-3,DEV-9,\n"))
    assert bad.errors.select("row", "column", "reason").rows() == [
        (2, "deviation", "unknown deviation for this client: import the deviations first"),
        (2, "due_date", "due_date is required"),
    ]
    assert Capa.objects.count() == 2


# --- plan ------------------------------------------------------------------------------------

PLAN_CSV = """
client,product,site,week,planned_qty,released_qty
ACME,AMX-500,EU1,2026-W10,1000,950
ACME,AMX-500,EU1,2026-03-09,1000,
ACME,IBU-200,EU1,2026-W10,500,600
"""


def test_plan_weeks_are_imported_by_week(acme, write_csv, run_records):
    report = run_records("plan", write_csv(PLAN_CSV, "plan.csv"), create_missing=True)
    assert report.ok, report.errors
    assert report.summary().startswith("plan.csv: 3 rows; created 3 plan weeks")
    rows = set(
        PlanWeek.objects.values_list(
            "product__code", "site__code", "week", "planned_qty", "released_qty"
        )
    )
    assert rows == {
        ("AMX-500", "EU1", D(2026, 3, 2), 1000.0, 950.0),
        ("AMX-500", "EU1", D(2026, 3, 9), 1000.0, 0.0),
        ("IBU-200", "EU1", D(2026, 3, 2), 500.0, 600.0),
    }
    # The same weeks written the other way round are the same records.
    same = PLAN_CSV.replace("2026-W10", "2026-03-02").replace("2026-03-09", "2026-W11")
    again = run_records("plan", write_csv(same, "plan.csv"))
    assert (again.records_created, again.records_updated, again.records_unchanged) == (0, 0, 3)
    released = run_records(
        "plan", write_csv(PLAN_CSV.replace("2026-03-09,1000,", "2026-03-09,1000,980"))
    )
    assert (released.records_updated, released.records_unchanged) == (1, 2)
    assert PlanWeek.objects.get(week=D(2026, 3, 9)).released_qty == 980.0


def test_plan_duplicates_and_checks(acme, write_csv, run_records):
    path = write_csv(
        """
        client,product,site,week,planned_qty
        ACME,AMX-500,EU1,2026-W10,1000
        ACME,AMX-500,EU1,2026-03-02,900
        ACME,AMX-500,EU1,2026-03-04,900
        ACME,AMX-500,,2026-W12,-1
        """
    )
    report = run_records("plan", path, create_missing=True)
    assert report.errors.select("row", "column").rows() == [
        (3, "week"),
        (4, "week"),
        (5, "planned_qty"),
        (5, "site"),
    ]
    assert report.errors["reason"][0].startswith("the same plan week as row 2")
    assert PlanWeek.objects.count() == 0


# --- stock-outs ------------------------------------------------------------------------------

# PO-1/1 (AMX-500) is due 10 March and delivered 13 March: late, so it failed OTIF.
LINES_CSV = """
client,order,line,product,site,ordered_qty,committed_date,status,delivered_date,delivered_qty
ACME,PO-1,1,AMX-500,EU1,100,2026-03-10,closed,2026-03-13,100
ACME,PO-2,1,IBU-200,EU1,50,2026-03-10,closed,2026-03-10,50
"""
STOCKOUTS_CSV = """
client,product,location,start_date,end_date,note
ACME,AMX-500,DE warehouse,2026-03-20,2026-03-27,Hospital tender missed
ACME,IBU-200,DE warehouse,2026-03-22,,
"""


@pytest.fixture
def late_line_caused_by_the_cmo(acme, write_csv, run_import, settings):
    """PO-1/1 failed, and the client approved a manufacturing (CMO-attributable) root cause."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert run_import(write_csv(LINES_CSV, "lines.csv"), create_missing=True).ok
    line = OrderLine.objects.get(order__number="PO-1")
    cause = propose_root_cause(
        line=line,
        code="MFG-EQUIPMENT",
        comment="Filler broke down",
        user=make_user("planner", acme, Role.CMO_STAFF),
    )
    approve_root_cause(root_cause=cause, user=make_user("approver", acme, Role.CLIENT_APPROVER))
    return line


def test_stock_outs_are_imported_and_linked_to_the_line_that_caused_them(
    late_line_caused_by_the_cmo, write_csv, run_records
):
    report = run_records("stockouts", write_csv(STOCKOUTS_CSV, "stockouts.csv"))
    assert report.ok, report.errors
    assert report.summary() == (
        "stockouts.csv: 2 rows; created 2 stock-outs, updated 0, 0 unchanged."
    )
    assert report.notes == [
        "ACME: 1 of 2 stock-outs caused by the CMO (1 failed order line linked)"
    ]
    amx = StockOutEvent.objects.get(product__code="AMX-500")
    assert (amx.location, amx.start_date, amx.end_date, amx.note, amx.source) == (
        "DE warehouse",
        D(2026, 3, 20),
        D(2026, 3, 27),
        "Hospital tender missed",
        "imported",
    )
    assert amx.cmo_caused and list(amx.lines.all()) == [late_line_caused_by_the_cmo]
    ibu = StockOutEvent.objects.get(product__code="IBU-200")
    assert (ibu.cmo_caused, ibu.end_date, ibu.note) == (False, None, "")
    # The audit history records the import as the reason.
    assert list(amx.history.values_list("history_type", "history_change_reason")) == [
        ("+", "imported from stockouts.csv")
    ]


def test_reimported_stock_outs_change_nothing_and_an_end_date_updates(
    late_line_caused_by_the_cmo, write_csv, run_records
):
    assert run_records("stockouts", write_csv(STOCKOUTS_CSV)).ok
    again = run_records("stockouts", write_csv(STOCKOUTS_CSV))
    assert (again.records_created, again.records_updated, again.records_unchanged) == (0, 0, 2)
    assert again.notes == []
    ended = run_records(
        "stockouts", write_csv(STOCKOUTS_CSV.replace("2026-03-22,,", "2026-03-22,2026-03-30,"))
    )
    assert (ended.records_updated, ended.records_unchanged) == (1, 1)
    ibu = StockOutEvent.objects.get(product__code="IBU-200")
    assert ibu.end_date == D(2026, 3, 30) and ibu.source == "imported"
    assert ibu.history.count() == 2


def test_stock_out_errors_write_nothing(acme, write_csv, run_records):
    report = run_records(
        "stockouts",
        write_csv(
            "client,product,location,start_date,end_date\nACME,AMX,DE,2026-03-20,2026-03-01\n"
        ),
        create_missing=True,
    )
    assert report.errors.select("row", "column", "reason").rows() == [
        (2, "end_date", "must not be before start_date (2026-03-20)")
    ]
    assert StockOutEvent.objects.count() == 0 and Product.objects.count() == 0
