"""The batch planned to fill a line (kpis.md 8): imported with the lines, checked against the
client's stored batches, kept when a file has no such column, shown to the CMO side only."""

from __future__ import annotations

import pytest

from tests.conftest import Role, make_user
from tower.imports import kinds
from tower.imports.models import ImportLog
from tower.orders.models import OrderLine
from tower.tenancy.scoping import SYSTEM

BATCHES = """
client,batch,product,site,planned_start,planned_end,planned_release_date,disposition
ACME,B-100,AMX-500,EU1,2026-03-02,2026-03-06,2026-03-13,
ACME,B-200,IBU-200,EU1,2026-03-09,2026-03-13,2026-03-20,on hold
GLOBEX,G-300,AMX-500,EU1,2026-03-02,2026-03-06,2026-03-13,
"""

HEADER = "client,order,line,product,site,ordered_qty,committed_date,planned_batch"
# PO-1/1 has two delivery rows that agree on the batch; PO-2/1 has none planned.
LINES = f"""
{HEADER},delivered_date,delivered_qty
ACME,PO-1,1,AMX-500,EU1,100,2026-03-20,B-100,2026-03-19,60
ACME,PO-1,1,AMX-500,EU1,100,2026-03-20,B-100,2026-03-21,40
ACME,PO-1,2,IBU-200,EU1,50,2026-03-27,B-200,,
ACME,PO-2,1,IBU-200,EU1,30,2026-04-10,,,
"""


def planned() -> dict[str, str]:
    return {
        f"{o}/{n}": b
        for o, n, b in OrderLine.objects.values_list(
            "order__number", "line_number", "planned_batch"
        )
    }


@pytest.fixture
def batches(acme, globex, write_csv):
    report = kinds.import_batches(
        path=write_csv(BATCHES, "batches.csv"), actor="test", principal=SYSTEM, create_missing=True
    )
    assert report.ok, report.errors
    return report


@pytest.fixture
def lines(batches, write_csv, run_import):
    report = run_import(write_csv(LINES))
    assert report.ok, report.errors
    return report


def test_planned_batches_are_stored_and_a_reimport_changes_nothing(lines, write_csv, run_import):
    assert planned() == {"PO-1/1": "B-100", "PO-1/2": "B-200", "PO-2/1": ""}
    again = run_import(write_csv(LINES))
    assert (again.records_created, again.records_updated, again.records_unchanged) == (0, 0, 3)


def test_a_changed_planned_batch_updates_only_that_line(lines, write_csv, run_import):
    moved = LINES.replace("2026-04-10,,,", "2026-04-10,B-200,,")
    report = run_import(write_csv(moved))
    assert (report.records_updated, report.records_unchanged) == (1, 2)
    assert planned()["PO-2/1"] == "B-200"
    # Not an input of OTIF: no outcome changes.
    assert [r.outcomes_written for r in report.refreshed] == [0]


def test_an_empty_cell_clears_a_planned_batch(lines, write_csv, run_import):
    cleared = LINES.replace("2026-03-27,B-200,,", "2026-03-27,,,")
    report = run_import(write_csv(cleared))
    assert report.ok and report.records_updated == 1
    assert planned()["PO-1/2"] == ""


def test_a_file_without_the_column_keeps_the_stored_planned_batches(lines, write_csv, run_import):
    no_column = "\n".join(
        ",".join(c for i, c in enumerate(row.split(",")) if i != 7)
        for row in LINES.strip().splitlines()
    )
    assert "planned_batch" not in no_column
    report = run_import(write_csv(no_column))
    assert report.ok, report.errors
    assert (report.records_updated, report.records_unchanged) == (0, 3)
    assert planned() == {"PO-1/1": "B-100", "PO-1/2": "B-200", "PO-2/1": ""}
    # A new line in such a file simply has no planned batch.
    report = run_import(write_csv(no_column + "\nACME,PO-3,1,AMX-500,EU1,10,2026-05-01,,\n"))
    assert report.ok and report.records_created == 1 and planned()["PO-3/1"] == ""


def errors_of(report) -> list[tuple[int, str, str, str]]:
    return [(e["row"], e["column"], e["value"], e["reason"]) for e in report.errors.to_dicts()]


def test_an_unknown_batch_is_an_error_on_every_row_of_the_line(batches, write_csv, run_import):
    bad = LINES.replace("B-100", "B-999")
    report = run_import(write_csv(bad))
    unknown = "unknown batch for this client: import the batches first"
    assert errors_of(report) == [
        (2, "planned_batch", "B-999", unknown),
        (3, "planned_batch", "B-999", unknown),
    ]
    assert OrderLine.objects.count() == 0
    assert ImportLog.objects.filter(kind="lines").get().outcome == "rejected"


def test_another_clients_batch_is_unknown(batches, write_csv, run_import):
    report = run_import(write_csv(LINES.replace("B-200", "G-300")))
    assert errors_of(report) == [
        (4, "planned_batch", "G-300", "unknown batch for this client: import the batches first")
    ]
    assert OrderLine.objects.count() == 0


def test_a_batch_of_another_product_is_an_error(batches, write_csv, run_import):
    # B-100 is AMX-500; PO-1/2 is IBU-200.
    report = run_import(write_csv(LINES.replace("2026-03-27,B-200", "2026-03-27,B-100")))
    assert errors_of(report) == [
        (
            4,
            "planned_batch",
            "B-100",
            "this batch is of product AMX-500, not of the line's product IBU-200",
        )
    ]
    assert OrderLine.objects.count() == 0


def test_rows_of_one_line_must_agree_on_the_planned_batch(batches, write_csv, run_import):
    rows = LINES.replace("2026-03-21,40", "2026-03-21,40").splitlines()
    rows[3] = rows[3].replace("B-100", "B-200")
    report = run_import(write_csv("\n".join(rows)))
    [(row, column, value, reason)] = errors_of(report)
    assert (row, column, value) == (3, "planned_batch", "B-200")
    assert reason.startswith('differs from row 2 ("B-100")')


def test_a_batch_number_too_long_is_a_row_error(batches, write_csv, run_import):
    long = "B" * 101
    report = run_import(write_csv(LINES.replace("2026-04-10,,,", f"2026-04-10,{long},,")))
    [(row, column, value, reason)] = errors_of(report)
    assert (row, column) == (5, "planned_batch") and "100" in reason
    assert OrderLine.objects.count() == 0


def test_the_mapping_names_the_column(batches, write_csv, run_import, tmp_path):
    from tower.ingest import load_mapping

    mapping_file = tmp_path / "erp.toml"
    mapping_file.write_text(
        '[columns]\nclient = "client"\norder = "order"\nline = "line"\nproduct = "product"\n'
        'site = "site"\nordered_qty = "ordered_qty"\ncommitted_date = "committed_date"\n'
        'planned_batch = "Lot planned"\ndelivered_date = "delivered_date"\n'
        'delivered_qty = "delivered_qty"\n',
        encoding="utf-8",
    )
    renamed = LINES.replace(",planned_batch,", ",Lot planned,")
    report = run_import(write_csv(renamed), mapping=load_mapping(mapping_file))
    assert report.ok, report.errors
    assert planned()["PO-1/1"] == "B-100"


# --- the line page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CMO_STAFF, None])
def test_the_cmo_side_sees_the_planned_batch_and_its_state(lines, acme, client, role):
    user = make_user("cmo", acme, role) if role else make_user("boss", admin=True)
    client.force_login(user)
    line = OrderLine.objects.get(order__number="PO-1", line_number="2")
    page = client.get(f"/lines/{line.pk}/").content.decode()
    assert 'id="planned-batch"' in page
    assert "B-200" in page and "On hold" in page and "2026-03-20" in page


@pytest.mark.parametrize("role", [Role.CLIENT_VIEWER, Role.CLIENT_APPROVER])
def test_client_users_do_not_see_batch_numbers(lines, acme, client, role):
    client.force_login(make_user("them", acme, role))
    line = OrderLine.objects.get(order__number="PO-1", line_number="2")
    response = client.get(f"/lines/{line.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "B-200" not in page and 'id="planned-batch"' not in page
